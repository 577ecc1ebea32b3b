package breaker

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// The state word packs what a call needs to decide, so that a call reads one atomic:
// bits 0-1 the State, then flags, then the generation, which changes with every state change
// so that the outcome of a call admitted before a change does not move the new state.
const (
	stateMask    uint64 = 3
	flagForced   uint64 = 1 << 2 // open by ForceOpen, until Reset
	flagDisabled uint64 = 1 << 3 // admit everything, count only
	flagTimeout  uint64 = 1 << 4 // calls get a per-call deadline
	flagMeasured uint64 = 1 << 5 // calls feed a window or are timed (slow-call detection)
	// flagNear marks an open breaker near the end of its open period: rejections then read
	// the clock, so a caller that waited out RecoveryTimeout is admitted even if the
	// recovery timer's goroutine has not run yet. Earlier, a rejection reads no clock.
	flagNear uint64 = 1 << 6
	genShift        = 8

	// callFast is the set of bits that, all clear, let Call take the fast path: closed, no
	// flags, nothing to time.
	callFast  = stateMask | flagForced | flagDisabled | flagTimeout | flagMeasured | flagNear
	allowFast = stateMask | flagForced | flagDisabled | flagMeasured | flagNear
	// rejectFast is the set of bits that, equal to Open, let a call be rejected at once.
	rejectFast = stateMask | flagDisabled | flagNear
)

func stateOf(w uint64) State { return State(w & stateMask) }

// Breaker is a circuit breaker. It is safe for concurrent use; create it with New or through a
// Registry. A call through a closed breaker takes no lock, reads no clock and allocates nothing
// unless the Config asks for per-call timing (Timeout, SlowCallDuration, a window).
type Breaker struct {
	word    atomic.Uint64
	openErr atomic.Pointer[OpenError]
	counts  counters

	name             string
	failureThreshold int32
	successThreshold int32
	maxHalfOpen      int32
	recoveryTimeout  time.Duration
	timeout          time.Duration
	ext              *extras // nil when the Config uses nothing beyond the five parameters
	clock            clock
	reg              *Registry
	fastDone         atomic.Pointer[doneFunc] // Allow's done for the current closed state

	mu sync.Mutex // guards what follows
	// The failure streak: streak consecutive failures, the first of them when the success
	// count stood at streakBase. A success ends the streak by moving the success count, so
	// the success path writes nothing shared: ConsecutiveFailures is streak while the
	// success count is still streakBase, and ConsecutiveSuccesses is the count's rise since.
	streak     int64
	streakBase int64
	inFlight   int32 // admitted half-open probes not yet finished
	probesOK   int32 // consecutive successful probes in this half-open episode
	reopenings int32 // consecutive failed recoveries, for the growing open time
	stopTimer  func() bool
	lastChange int64 // UnixNano of the last change of state
	pending    []StateChange
	delivering atomic.Bool
}

// doneFunc is the done function Allow hands out for calls admitted on the fast path under
// state word w: made once per closed period, so that Allow does not allocate.
type doneFunc struct {
	w uint64
	f func(error)
}

// extras holds what only Configs beyond the five parameters use.
type extras struct {
	cfg    Config // resolved
	window *window
}

// New returns a breaker for cfg, with zero fields taken from the environment or the built-in
// defaults. It fails, naming the field or variable and the value, on an invalid setting.
func New(cfg Config) (*Breaker, error) {
	return newBreaker(cfg, realClock{}, nil)
}

func newBreaker(cfg Config, clk clock, reg *Registry) (*Breaker, error) {
	c, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	b := &Breaker{
		name:             c.Name,
		failureThreshold: int32(c.FailureThreshold),
		successThreshold: int32(c.SuccessThreshold),
		maxHalfOpen:      int32(min(c.MaxHalfOpenCalls, math.MaxInt32)),
		recoveryTimeout:  c.RecoveryTimeout,
		timeout:          c.Timeout,
		clock:            clk,
		reg:              reg,
	}
	var w uint64
	if c.Timeout > 0 {
		w |= flagTimeout
	}
	if c.Disabled {
		w |= flagDisabled
	}
	if c.windowed() || c.SlowCallDuration > 0 || c.MaxRecoveryTimeout > 0 || c.IsFailure != nil ||
		c.OnStateChange != nil {
		b.ext = &extras{cfg: c}
		if c.windowed() {
			b.ext.window = &window{} // made below, once the clock is read
		}
		if c.windowed() || c.SlowCallDuration > 0 {
			w |= flagMeasured
		}
	}
	now := clk.Now()
	b.lastChange = now.UnixNano()
	if b.ext != nil && b.ext.window != nil {
		b.ext.window = newWindow(c, now)
	}
	b.word.Store(w)
	return b, nil
}

// Name returns the breaker's name.
func (b *Breaker) Name() string { return b.name }

// Config returns the breaker's configuration with every default filled in.
func (b *Breaker) Config() Config {
	if b.ext != nil {
		return b.ext.cfg
	}
	return Config{
		Name:             b.name,
		FailureThreshold: int(b.failureThreshold),
		RecoveryTimeout:  b.recoveryTimeout,
		SuccessThreshold: int(b.successThreshold),
		Timeout:          b.timeout,
		MaxHalfOpenCalls: int(b.maxHalfOpen),
		Disabled:         b.word.Load()&flagDisabled != 0,
	}
}

// Call runs fn through the breaker. While the breaker is open it returns an error matching
// ErrOpen without calling fn. fn's context expires after Config.Timeout. A panic in fn
// counts as a failure and goes on up the stack.
func (b *Breaker) Call(ctx context.Context, fn func(context.Context) error) error {
	w := b.word.Load()
	if w&callFast != 0 {
		if w&rejectFast == uint64(Open) {
			if e := b.openErr.Load(); e != nil {
				b.counts.add(rejected)
				return e
			}
		}
		return b.callSlow(ctx, w, fn)
	}
	ok := false
	defer func() {
		if !ok {
			b.recordFast(w, failure)
		}
	}()
	err := fn(ctx)
	ok = true
	if err != nil {
		return b.fastError(ctx, w, err)
	}
	b.recordFast(w, success)
	return nil
}

// Execute runs fn through b like Breaker.Call and returns its value. It is the generic form
// for functions that return a result; the caller chooses the goroutine.
func Execute[T any](ctx context.Context, b *Breaker, fn func(context.Context) (T, error)) (T, error) {
	w := b.word.Load()
	if w&callFast != 0 {
		if w&rejectFast == uint64(Open) {
			if e := b.openErr.Load(); e != nil {
				b.counts.add(rejected)
				var zero T
				return zero, e
			}
		}
		return executeSlow(ctx, b, w, fn)
	}
	ok := false
	defer func() {
		if !ok {
			b.recordFast(w, failure)
		}
	}()
	v, err := fn(ctx)
	ok = true
	if err != nil {
		return v, b.fastError(ctx, w, err)
	}
	b.recordFast(w, success)
	return v, nil
}

func (b *Breaker) fastError(ctx context.Context, w uint64, err error) error {
	classified := false
	defer func() {
		if !classified {
			b.recordFast(w, failure) // IsFailure panicked
		}
	}()
	o := b.classify(ctx, err)
	classified = true
	b.recordFast(w, o)
	return err
}

func (b *Breaker) callSlow(ctx context.Context, w uint64, fn func(context.Context) error) error {
	a, err := b.enter(ctx, w)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			b.abort(&a)
		}
	}()
	err = fn(a.ctx)
	ok = true
	return b.exit(ctx, &a, err)
}

func executeSlow[T any](ctx context.Context, b *Breaker, w uint64, fn func(context.Context) (T, error)) (T, error) {
	a, err := b.enter(ctx, w)
	if err != nil {
		var zero T
		return zero, err
	}
	ok := false
	defer func() {
		if !ok {
			b.abort(&a)
		}
	}()
	v, err := fn(a.ctx)
	ok = true
	return v, b.exit(ctx, &a, err)
}

// Allow is the two-step form of Call, for streams, callbacks and code that cannot be wrapped
// in a function: it admits or rejects now, and the caller reports the outcome later by
// calling done exactly once with the operation's error (nil for success). Timeout does not
// apply: the caller runs the operation.
func (b *Breaker) Allow() (done func(err error), err error) {
	w := b.word.Load()
	if w&allowFast == 0 {
		if d := b.fastDone.Load(); d != nil && d.w == w {
			return d.f, nil
		}
		d := &doneFunc{w: w}
		d.f = func(err error) {
			if err == nil {
				b.recordFast(w, success)
				return
			}
			_ = b.fastError(nil, w, err)
		}
		b.fastDone.Store(d)
		return d.f, nil
	}
	tok, err := b.admit(w)
	if err != nil {
		return nil, err
	}
	var start time.Time
	if tok&flagMeasured != 0 {
		start = b.clock.Now()
	}
	var once atomic.Bool
	return func(err error) {
		if !once.CompareAndSwap(false, true) {
			return
		}
		a := attempt{tok: tok, start: start}
		b.finish(nil, &a, err)
	}, nil
}

// attempt is one admitted call on the slow path.
type attempt struct {
	tok   uint64
	ctx   context.Context
	dl    *deadlineCtx // when the breaker has a Timeout
	start time.Time
}

func (b *Breaker) enter(ctx context.Context, w uint64) (attempt, error) {
	tok, err := b.admit(w)
	if err != nil {
		return attempt{}, err
	}
	a := attempt{tok: tok, ctx: ctx}
	if tok&flagTimeout != 0 {
		a.dl = newDeadlineCtx(ctx, b.timeout)
		a.ctx = a.dl
	}
	if tok&flagMeasured != 0 {
		a.start = b.clock.Now()
	}
	return a, nil
}

// abort records a call whose fn panicked (or called runtime.Goexit) as a failure.
func (b *Breaker) abort(a *attempt) {
	if a.dl != nil {
		a.dl.finish()
	}
	b.record(a, failure, b.slow(a))
}

func (b *Breaker) exit(parent context.Context, a *attempt, err error) error {
	timedOut := false
	if a.dl != nil && a.dl.finish() {
		// The breaker's deadline passed. It is the caller's doing only if the caller
		// cancelled, or its own deadline came first.
		timedOut = true
		if perr := parent.Err(); perr != nil {
			pd, ok := parent.Deadline()
			if !errors.Is(perr, context.DeadlineExceeded) || ok && !pd.After(a.dl.deadline) {
				timedOut = false
			}
		}
	}
	if timedOut {
		if err == nil {
			err = fmt.Errorf("breaker %q: call ran past its %s timeout: %w", b.name, b.timeout, context.DeadlineExceeded)
		} else if !errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("breaker %q: call ran past its %s timeout: %w: %w", b.name, b.timeout, context.DeadlineExceeded, err)
		}
		b.record(a, failure, b.slow(a))
		return err
	}
	return b.finish(parent, a, err)
}

// finish classifies and records the outcome of an admitted call; parent is the caller's
// context, nil for Allow.
func (b *Breaker) finish(parent context.Context, a *attempt, err error) error {
	o := success
	if err != nil {
		classified := false
		defer func() {
			if !classified {
				b.record(a, failure, b.slow(a)) // IsFailure panicked
			}
		}()
		o = b.classify(parent, err)
		classified = true
	}
	b.record(a, o, b.slow(a))
	return err
}

func (b *Breaker) slow(a *attempt) bool {
	if a.tok&flagMeasured == 0 || b.ext.cfg.SlowCallDuration == 0 {
		return false
	}
	return b.clock.Now().Sub(a.start) > b.ext.cfg.SlowCallDuration
}

// classify sorts a non-nil error into failure or ignored. parent, when not nil, is the
// caller's context: an error from a call whose caller gave up is not the dependency's fault.
func (b *Breaker) classify(parent context.Context, err error) outcome {
	if parent != nil && parent.Err() != nil &&
		(errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return ignored
	}
	if b.ext != nil && b.ext.cfg.IsFailure != nil {
		if b.ext.cfg.IsFailure(err) {
			return failure
		}
		return ignored
	}
	if errors.Is(err, context.Canceled) {
		return ignored
	}
	return failure
}

// admit decides whether a call may run, given the state word w it read. It returns the token
// the outcome is recorded against.
func (b *Breaker) admit(w uint64) (uint64, error) {
	for {
		if w&flagDisabled != 0 {
			return w, nil
		}
		switch stateOf(w) {
		case Closed:
			return w, nil
		case Open:
			e := b.openErr.Load()
			if e == nil {
				w = b.word.Load() // closed meanwhile
				continue
			}
			if w&flagNear != 0 && !b.clock.Now().Before(e.Until) {
				b.recoveryDue(w >> genShift) // the timer's goroutine has not run yet
				w = b.word.Load()
				continue
			}
			b.counts.add(rejected)
			return 0, e
		}
		b.mu.Lock()
		cur := b.word.Load()
		if cur != w {
			b.mu.Unlock()
			w = cur
			continue
		}
		if b.inFlight < b.maxHalfOpen {
			b.inFlight++
			b.mu.Unlock()
			return w, nil
		}
		e := b.openErr.Load()
		b.mu.Unlock()
		b.counts.add(rejected)
		return 0, e
	}
}

// recordFast records an outcome of a call admitted on the fast path (closed, no window).
func (b *Breaker) recordFast(w uint64, o outcome) {
	b.counts.add(o)
	if o != failure {
		return
	}
	b.mu.Lock()
	n := b.failed()
	tripped := n >= int64(b.failureThreshold) && b.word.Load() == w
	if tripped {
		b.transition(Open, fmt.Sprintf("%d consecutive failures", n), b.clock.Now())
	}
	b.mu.Unlock()
	if tripped {
		b.deliver()
	}
}

// failed extends the failure streak by one failure and returns its length. Requires b.mu held.
func (b *Breaker) failed() int64 {
	if s := b.counts.load(success); s != b.streakBase || b.streak == 0 {
		b.streakBase, b.streak = s, 0
	}
	b.streak++
	return b.streak
}

// consecutive returns the current failure streak and the successes since it (one of them is
// zero). Requires b.mu held.
func (b *Breaker) consecutive() (failures, successes int64) {
	s := b.counts.load(success)
	if s == b.streakBase && b.streak > 0 {
		return b.streak, 0
	}
	return 0, s - b.streakBase
}

// record records the outcome of a call admitted on the slow path.
func (b *Breaker) record(a *attempt, o outcome, isSlow bool) {
	b.counts.add(o)
	if isSlow {
		b.counts.add(slow)
	}
	tok := a.tok
	if stateOf(tok) == Closed && tok&flagMeasured == 0 && tok&flagDisabled == 0 && o != failure {
		return // nothing can change
	}
	b.mu.Lock()
	defer b.deliver()
	defer b.mu.Unlock()
	var n int64
	if o == failure {
		n = b.failed()
	}
	cur := b.word.Load()
	if cur>>genShift != tok>>genShift {
		return // admitted before the last change of state
	}
	var now time.Time
	win := b.ext != nil && b.ext.window != nil
	if win || stateOf(cur) != HalfOpen {
		now = b.clock.Now()
	}
	if win && o != ignored && stateOf(cur) == Closed {
		b.ext.window.record(now, o == failure, isSlow)
	}
	if cur&flagDisabled != 0 {
		return
	}
	switch stateOf(cur) {
	case Closed:
		if o == failure && n >= int64(b.failureThreshold) {
			b.transition(Open, fmt.Sprintf("%d consecutive failures", n), now)
			return
		}
		if win && o != ignored {
			b.judgeRates(now)
		}
	case HalfOpen:
		b.inFlight--
		switch o {
		case success:
			b.probesOK++
			if b.probesOK >= b.successThreshold {
				b.transition(Closed, fmt.Sprintf("%d successful probes", b.probesOK), b.clock.Now())
			}
		case failure:
			b.reopenings++
			b.transition(Open, "probe failed", b.clock.Now())
		}
	}
}

// judgeRates opens the breaker when a window rate reaches its threshold. Requires b.mu held.
func (b *Breaker) judgeRates(now time.Time) {
	c := &b.ext.cfg
	calls, fr, sr := b.ext.window.rates(now)
	if calls < int64(c.MinimumCalls) {
		return
	}
	switch {
	case c.FailureRateThreshold > 0 && fr >= c.FailureRateThreshold:
		b.transition(Open, fmt.Sprintf("failure rate %.1f%% >= %.1f%% over %d calls", fr*100, c.FailureRateThreshold*100, calls), now)
	case c.SlowCallRateThreshold > 0 && sr >= c.SlowCallRateThreshold:
		b.transition(Open, fmt.Sprintf("slow-call rate %.1f%% >= %.1f%% over %d calls", sr*100, c.SlowCallRateThreshold*100, calls), now)
	}
}

// openFor returns how long the next opening lasts. Requires b.mu held.
func (b *Breaker) openFor() time.Duration {
	d := b.recoveryTimeout
	if b.ext == nil || b.ext.cfg.MaxRecoveryTimeout <= d || b.reopenings == 0 {
		return d
	}
	c := &b.ext.cfg
	f := float64(d) * math.Pow(c.RecoveryBackoff, float64(b.reopenings))
	if f >= float64(c.MaxRecoveryTimeout) {
		return c.MaxRecoveryTimeout
	}
	return time.Duration(f)
}

// transition moves the breaker to state to and queues the notification. Requires b.mu held;
// the caller calls b.deliver after unlocking.
func (b *Breaker) transition(to State, reason string, now time.Time) {
	cur := b.word.Load()
	from := stateOf(cur)
	gen := cur>>genShift + 1
	w := gen<<genShift | cur&(flagDisabled|flagTimeout|flagMeasured) | uint64(to)
	if b.stopTimer != nil {
		b.stopTimer()
		b.stopTimer = nil
	}
	switch to {
	case Open:
		if reason == reasonForced {
			w |= flagForced
			b.openErr.Store(&OpenError{Name: b.name, Forced: true})
		} else {
			d := b.openFor()
			until := now.Add(d)
			b.openErr.Store(&OpenError{Name: b.name, Until: until, now: b.clock.Now})
			if margin := nearMargin(d); margin >= d {
				w |= flagNear
				b.stopTimer = b.clock.AfterFunc(d, func() { b.recoveryDue(gen) })
			} else {
				b.stopTimer = b.clock.AfterFunc(d-margin, func() { b.nearRecovery(gen, until) })
			}
		}
	case HalfOpen:
		b.inFlight, b.probesOK = 0, 0
		b.openErr.Store(&OpenError{Name: b.name, Until: now, HalfOpen: true, now: b.clock.Now})
	case Closed:
		b.reopenings = 0
		b.openErr.Store(nil)
		if b.ext != nil && b.ext.window != nil {
			b.ext.window.reset(now)
		}
	}
	b.word.Store(w)
	b.lastChange = now.UnixNano()
	if from != to {
		b.pending = append(b.pending, StateChange{Name: b.name, From: from, To: to, Reason: reason, At: now})
	}
}

const reasonForced = "forced open"

// nearMargin is how long before the end of an open period of d rejections start reading the
// clock: a tenth of it, at least 50ms (far longer than a timer goroutine's lag).
func nearMargin(d time.Duration) time.Duration {
	return max(d/10, 50*time.Millisecond)
}

// nearRecovery marks the open period of generation gen as nearly over and arms the timer
// that ends it at until.
func (b *Breaker) nearRecovery(gen uint64, until time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	cur := b.word.Load()
	if cur>>genShift != gen || stateOf(cur) != Open || cur&flagForced != 0 {
		return
	}
	b.word.Store(cur | flagNear)
	b.stopTimer = b.clock.AfterFunc(until.Sub(b.clock.Now()), func() { b.recoveryDue(gen) })
}

// recoveryDue turns the breaker half-open when its open period of generation gen ends.
func (b *Breaker) recoveryDue(gen uint64) {
	b.mu.Lock()
	cur := b.word.Load()
	if cur>>genShift == gen && stateOf(cur) == Open && cur&flagForced == 0 {
		b.transition(HalfOpen, "recovery timeout elapsed", b.clock.Now())
	}
	b.mu.Unlock()
	b.deliver()
}

// deliver calls the state-change hooks for queued changes, in order, outside the lock. One
// goroutine delivers at a time; a change queued meanwhile is delivered by it.
func (b *Breaker) deliver() {
	if !b.delivering.CompareAndSwap(false, true) {
		return
	}
	ok := false
	defer func() {
		if !ok {
			b.delivering.Store(false) // a hook panicked: let the next change deliver
		}
	}()
	for {
		b.mu.Lock()
		if len(b.pending) == 0 {
			b.pending = nil
			b.delivering.Store(false)
			b.mu.Unlock()
			ok = true
			return
		}
		ev := b.pending[0]
		b.pending = b.pending[1:]
		b.mu.Unlock()
		if b.ext != nil && b.ext.cfg.OnStateChange != nil {
			b.ext.cfg.OnStateChange(ev)
		}
		if b.reg != nil {
			b.reg.notify(ev)
		}
	}
}

// State returns the breaker's state. It is time-aware: once an open breaker's recovery
// timeout has passed it reports (and becomes) HalfOpen, even before any call arrives.
// A disabled breaker reports Closed.
func (b *Breaker) State() State {
	w := b.word.Load()
	if w&flagDisabled != 0 {
		return Closed
	}
	if stateOf(w) == Open && w&flagForced == 0 {
		if e := b.openErr.Load(); e != nil && !b.clock.Now().Before(e.Until) {
			b.recoveryDue(w >> genShift)
			return stateOf(b.word.Load())
		}
	}
	return stateOf(w)
}

// Reset closes the breaker and clears its consecutive counts and window; the lifetime totals
// stay. A breaker opened by ForceOpen stays open until Reset.
func (b *Breaker) Reset() {
	b.mu.Lock()
	b.streak, b.streakBase = 0, b.counts.load(success)
	b.reopenings = 0
	now := b.clock.Now()
	if stateOf(b.word.Load()) != Closed {
		b.transition(Closed, "reset", now)
	} else if b.ext != nil && b.ext.window != nil {
		b.ext.window.reset(now)
	}
	b.mu.Unlock()
	b.deliver()
}

// ForceOpen opens the breaker until Reset: every call is rejected with ErrOpen, and no
// recovery timer runs. Use it to take a dependency out of service by hand.
func (b *Breaker) ForceOpen() {
	b.mu.Lock()
	if b.word.Load()&flagForced == 0 {
		b.transition(Open, reasonForced, b.clock.Now())
	}
	b.mu.Unlock()
	b.deliver()
}
