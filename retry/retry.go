package retry

import (
	"context"
	"errors"
	"time"
)

// Do calls fn until it succeeds, fails with an error that is not retried, or the Config's
// limits or ctx end the retries, waiting between attempts as [Config.Delay] says. fn is
// called at least once (unless cfg is invalid) and receives ctx, or a per-attempt context
// when AttemptTimeout is set.
//
// Do returns nil on success; the error itself when the first attempt fails with an error
// that is not retried; otherwise an [*Error] that says how many attempts were made and
// wraps the last failure and, when retrying was cut short, its cause (the context's
// cancellation, [ErrBudgetExhausted] or [ErrMaxElapsed]). A cancelled ctx ends a wait at
// once. An invalid cfg returns the [Config.Validate] error without calling fn.
func Do(ctx context.Context, cfg Config, fn func(context.Context) error) error {
	if !cfg.fastValid() {
		return cfg.Validate()
	}
	if !cfg.needsSetUp() {
		// The common case, kept small: the first attempt here, the loop only after a failure.
		err := fn(ctx)
		if err == nil {
			if cfg.Name != "" {
				cfg.stats().calls.Add(1)
			}
			return nil
		}
		return doLoop(ctx, &cfg, fn, err)
	}
	return doLoop(ctx, &cfg, fn, nil)
}

// doLoop is Do's retry loop. first is the first attempt's error when Do has made it already;
// nil when no attempt has been made.
func doLoop(ctx context.Context, cfg *Config, fn func(context.Context) error, first error) error {
	r := run{cfg: cfg, stats: cfg.stats()}
	var s sleeper
	err := first
	if err != nil {
		r.attempts = 1
		if err = r.failed(ctx, err, &s); err != nil {
			return err
		}
	} else {
		r.begin()
	}
	for {
		r.attempts++
		if cfg.AttemptTimeout > 0 {
			err = callWithTimeout(ctx, cfg.AttemptTimeout, fn)
		} else {
			err = fn(ctx)
		}
		if err == nil {
			r.record(true, false)
			return nil
		}
		if err = r.failed(ctx, err, &s); err != nil {
			return err
		}
	}
}

// needsSetUp reports whether a call must do something before its first attempt.
func (c *Config) needsSetUp() bool {
	return c.Budget != nil || c.MaxElapsed > 0 || c.AttemptTimeout > 0
}

// DoValue is [Do] for a function that returns a value: it returns fn's value from the
// successful attempt, or the zero value with Do's error.
func DoValue[T any](ctx context.Context, cfg Config, fn func(context.Context) (T, error)) (T, error) {
	if !cfg.fastValid() {
		var zero T
		return zero, cfg.Validate()
	}
	if !cfg.needsSetUp() {
		v, err := fn(ctx)
		if err == nil {
			if cfg.Name != "" {
				cfg.stats().calls.Add(1)
			}
			return v, nil
		}
		return doValue(ctx, &cfg, cfg.stats(), fn, nil, err)
	}
	return doValue(ctx, &cfg, cfg.stats(), fn, nil, nil)
}

// DoValueIf is [DoValue] that also retries on the result: when fn succeeds but
// retryResult(v) is true (an HTTP 503 response, say), the attempt counts as failed and is
// retried like a retryable error. When the attempts run out on such a result, DoValueIf
// returns that last value with an [*Error] whose Last is [ErrRejectedResult]. A nil
// retryResult makes it DoValue.
func DoValueIf[T any](ctx context.Context, cfg Config, fn func(context.Context) (T, error), retryResult func(T) bool) (T, error) {
	if !cfg.fastValid() {
		var zero T
		return zero, cfg.Validate()
	}
	return doValue(ctx, &cfg, cfg.stats(), fn, retryResult, nil)
}

// Wrap returns fn wrapped in retries: the decorator form of [DoValue], for a function
// called many times with one Config. cfg is validated and its metrics entry found once,
// here; when cfg is invalid, the returned function returns the [Config.Validate] error
// without calling fn. The returned function is safe for concurrent use.
func Wrap[T any](cfg Config, fn func(context.Context) (T, error)) func(context.Context) (T, error) {
	if err := cfg.Validate(); err != nil {
		return func(context.Context) (T, error) {
			var zero T
			return zero, err
		}
	}
	cfg.applyDefaults() // now, so that calls sharing cfg never write to it (see run.failed)
	stats := cfg.stats()
	if !cfg.needsSetUp() {
		return func(ctx context.Context) (T, error) {
			v, err := fn(ctx)
			if err == nil {
				if stats != nil {
					stats.calls.Add(1)
				}
				return v, nil
			}
			return doValue(ctx, &cfg, stats, fn, nil, err)
		}
	}
	return func(ctx context.Context) (T, error) {
		return doValue(ctx, &cfg, stats, fn, nil, nil)
	}
}

// doValue is the retry loop of DoValue, DoValueIf and Wrap. first is the first attempt's
// error when the caller has made it already; nil when no attempt has been made.
func doValue[T any](ctx context.Context, cfg *Config, stats *opStats, fn func(context.Context) (T, error), retryResult func(T) bool, first error) (T, error) {
	r := run{cfg: cfg, stats: stats}
	var s sleeper
	var zero T
	if first != nil {
		r.attempts = 1
		if err := r.failed(ctx, first, &s); err != nil {
			return zero, err
		}
	} else {
		r.begin()
	}
	for {
		r.attempts++
		var v T
		var err error
		if cfg.AttemptTimeout > 0 {
			v, err = callValueWithTimeout(ctx, cfg.AttemptTimeout, fn)
		} else {
			v, err = fn(ctx)
		}
		if err == nil {
			if retryResult == nil || !retryResult(v) {
				r.record(true, false)
				return v, nil
			}
			if err = r.failed(ctx, ErrRejectedResult, &s); err != nil {
				return v, err
			}
			continue
		}
		if err = r.failed(ctx, err, &s); err != nil {
			return zero, err
		}
	}
}

func callWithTimeout(ctx context.Context, d time.Duration, fn func(context.Context) error) error {
	actx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return fn(actx)
}

func callValueWithTimeout[T any](ctx context.Context, d time.Duration, fn func(context.Context) (T, error)) (T, error) {
	actx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return fn(actx)
}

// run is one call's retry state; it lives on the caller's stack.
type run struct {
	cfg      *Config // the call's own copy: defaults are applied after the first failure
	stats    *opStats
	attempts int           // attempts made so far
	prev     time.Duration // the last wait, for DecorrelatedJitter
	waited   time.Duration // sum of the waits
	start    time.Time     // set only when MaxElapsed needs it
}

func (r *run) begin() {
	if r.cfg.Budget != nil {
		r.cfg.Budget.deposit()
	}
	if r.cfg.MaxElapsed > 0 {
		r.start = r.now()
	}
}

func (r *run) now() time.Time {
	if r.cfg.clock != nil {
		return r.cfg.clock.Now()
	}
	return time.Now()
}

// failed decides what follows a failed attempt: nil to retry (after waiting), or the error
// the call returns.
//
// s holds the call's timer; it is kept apart from r so that r, which points at the
// caller's Config, does not escape with it.
func (r *run) failed(ctx context.Context, err error, s *sleeper) error {
	c := r.cfg
	if r.attempts == 1 {
		// Defaults matter only from here on: a first-try success never pays for them.
		c.applyDefaults()
	}
	if p, ok := err.(*permanentError); ok {
		return r.giveUp(p.err)
	}
	var t traits
	t.inspect(err)
	retry, breakerWait := r.classify(err, &t)
	if !retry {
		return r.giveUp(err)
	}
	if ctx.Err() != nil {
		return r.stop(ctx, err, nil, false)
	}
	if r.attempts >= c.MaxAttempts {
		return r.stop(ctx, err, nil, true)
	}

	d := time.Duration(0)
	if hint := t.hint; hint > 0 {
		if breakerWait && hint > c.MaxDelay {
			return r.giveUp(err) // the breaker opens later than any wait we may take
		}
		d = min(hint, c.MaxDelay)
	} else {
		d = c.jittered(r.attempts-1, r.prev)
	}
	if c.MaxElapsed > 0 && r.now().Sub(r.start)+d > c.MaxElapsed {
		return r.stop(ctx, err, ErrMaxElapsed, true)
	}
	if c.Budget != nil && !c.Budget.withdraw() {
		return r.stop(ctx, err, ErrBudgetExhausted, true)
	}
	if c.OnRetry != nil {
		c.OnRetry(r.attempts, err, d)
	}
	var werr error
	if c.clock != nil {
		werr = c.clock.Sleep(ctx, d)
	} else {
		werr = s.sleep(ctx, d)
	}
	if werr != nil {
		return r.stop(ctx, err, nil, false)
	}
	r.prev = d
	r.waited += d
	return nil
}

// classify reports whether err is retried, and whether only because WaitForBreaker
// allows waiting out an open breaker.
func (r *run) classify(err error, t *traits) (retry, breakerWait bool) {
	c := r.cfg
	if err == ErrRejectedResult {
		return true, false
	}
	if t.permanent {
		return false, false
	}
	if c.RetryIf != nil {
		return c.RetryIf(err), false
	}
	if t.retryable() {
		return true, false
	}
	for _, target := range c.RetryOn {
		if errors.Is(err, target) {
			return true, false
		}
	}
	if c.WaitForBreaker && t.open && !t.forced {
		return true, true
	}
	return false, false
}

// giveUp ends the call on an error that is not retried.
func (r *run) giveUp(err error) error {
	r.record(false, false)
	if r.attempts == 1 {
		return err
	}
	return &Error{Name: r.cfg.Name, Attempts: r.attempts, Last: err}
}

// stop ends the call on a retryable error: the attempts ran out (cause nil), or cause (or,
// when ctx is done, the context) cut the retries short.
func (r *run) stop(ctx context.Context, last, cause error, exhausted bool) error {
	r.record(false, exhausted)
	e := &Error{Name: r.cfg.Name, Attempts: r.attempts, Last: last, Cause: cause}
	if cause == nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			e.Cause = context.Cause(ctx)
			if e.Cause != ctxErr {
				e.ctxErr = ctxErr
			}
		}
	}
	return e
}

func (r *run) record(ok, exhausted bool) {
	if r.stats != nil {
		r.stats.record(r.attempts, r.waited, ok, exhausted)
	}
}
