package retry

import (
	"fmt"
	"math"
	"time"
)

// The specification's defaults, taken by a zero [Config] field.
const (
	DefaultMaxAttempts   = 3
	DefaultInitialDelay  = 100 * time.Millisecond
	DefaultMaxDelay      = 30 * time.Second
	DefaultBackoffFactor = 2.0
	DefaultJitterFactor  = 0.1
)

// Config says how often and how patiently to retry. Its zero value works: every zero field
// takes the specification's default (3 attempts, 100ms, 30s, factor 2.0, proportional jitter
// of ±10%). Every field beyond the specification is off at its zero value.
//
// A Config is a plain value: copy it, change a field and pass it on. It is validated at
// each [Do], [DoValue] and [Wrap]; [Config.Validate] reports the same errors up front.
type Config struct {
	// Name is the operation's name, under which [Metrics] records its calls.
	// If empty, the calls are not recorded.
	Name string

	// MaxAttempts is the most times fn is called, counting the first call.
	// If zero, 3. 1 turns retrying off. Negative is invalid.
	MaxAttempts int

	// InitialDelay is the wait after the first failed attempt. If zero, 100ms.
	// (A wait shorter than a microsecond, below what the runtime's timers resolve, is not
	// slept: the context is checked and the next attempt follows.)
	InitialDelay time.Duration

	// MaxDelay caps every wait, including waits a server asked for. If zero, 30s.
	// It must not be less than InitialDelay.
	MaxDelay time.Duration

	// BackoffFactor multiplies the wait after each failed attempt:
	// the wait after attempt n (0-based) is min(InitialDelay*BackoffFactor^n, MaxDelay),
	// before jitter. If zero, 2.0. Less than 1 is invalid; 1 gives a constant delay.
	BackoffFactor float64

	// Jitter is how each wait is randomised. The zero value, [Proportional], is the
	// specification's ±JitterFactor: jitter is on unless turned off with [NoJitter].
	Jitter Jitter

	// JitterFactor is the fraction of the wait that [Proportional] jitter adds or removes.
	// If zero, 0.1 (±10%). It must be within [0, 1]; other strategies ignore it.
	JitterFactor float64

	// RetryOn lists further errors that are retried: an error is retried when errors.Is
	// matches any of them, in addition to what [IsRetryable] accepts. Ignored when RetryIf
	// is set.
	RetryOn []error

	// RetryIf, when set, alone decides whether a failed attempt is retried (neither
	// [IsRetryable] nor RetryOn is consulted). Errors made with [Permanent] are never
	// retried, and nothing is retried once the caller's context is done.
	RetryIf func(error) bool

	// MaxElapsed bounds the total time of a call, attempts and waits together: a retry
	// whose wait would end past it is not made, and the call fails with an error matching
	// [ErrMaxElapsed]. If zero, there is no bound beyond MaxAttempts and the context.
	MaxElapsed time.Duration

	// AttemptTimeout, when positive, gives each attempt a context that expires after it.
	// An attempt that runs out of it fails with context.DeadlineExceeded, which is retried
	// while the caller's own context is alive. If zero, attempts get the caller's context.
	AttemptTimeout time.Duration

	// Budget, when set, limits retries across every call that shares it (see [Budget]).
	// When it is spent, the call fails with its last error and [ErrBudgetExhausted].
	// If nil, retries are limited by MaxAttempts alone.
	Budget *Budget

	// OnRetry, when set, is called before each wait with the 1-based number of the attempt
	// that failed, its error and the wait about to start. It runs on the caller's goroutine.
	OnRetry func(attempt int, err error, delay time.Duration)

	// WaitForBreaker makes a retry wait out an open circuit breaker: an error matching
	// breaker.ErrOpen whose RetryAfter() fits within MaxDelay (and MaxElapsed, when set) is
	// retried after exactly that wait; a breaker whose probe slots are all taken (RetryAfter
	// zero) is retried after the backoff delay; a breaker forced open is never waited for.
	// If false, an open breaker ends the retries at once.
	WaitForBreaker bool

	// Metrics receives the call's counts when Name is set. If nil, [DefaultMetrics].
	Metrics *Metrics

	// clock is the time seam tests replace; nil means the real clock.
	clock clock
}

// withDefaults returns c with every zero field replaced by its default.
func (c Config) withDefaults() Config {
	c.applyDefaults()
	return c
}

// applyDefaults replaces every zero field of c by its default.
func (c *Config) applyDefaults() {
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.InitialDelay == 0 {
		c.InitialDelay = DefaultInitialDelay
	}
	if c.MaxDelay == 0 {
		c.MaxDelay = DefaultMaxDelay
	}
	if c.BackoffFactor == 0 {
		c.BackoffFactor = DefaultBackoffFactor
	}
	if c.JitterFactor == 0 {
		c.JitterFactor = DefaultJitterFactor
	}
}

// Validate reports the first invalid field of c, naming the field and its value. Zero
// fields are valid: they take their defaults. [Do], [DoValue] and [Wrap] return the same
// error without calling fn.
func (c Config) Validate() error {
	switch {
	case c.MaxAttempts < 0:
		return invalid("MaxAttempts", c.MaxAttempts, "must not be negative")
	case c.InitialDelay < 0:
		return invalid("InitialDelay", c.InitialDelay, "must not be negative")
	case c.MaxDelay < 0:
		return invalid("MaxDelay", c.MaxDelay, "must not be negative")
	case math.IsNaN(c.BackoffFactor) || math.IsInf(c.BackoffFactor, 0) ||
		(c.BackoffFactor != 0 && c.BackoffFactor < 1):
		return invalid("BackoffFactor", c.BackoffFactor, "must be at least 1 (or zero for 2.0)")
	case math.IsNaN(c.JitterFactor) || c.JitterFactor < 0 || c.JitterFactor > 1:
		return invalid("JitterFactor", c.JitterFactor, "must be within [0, 1]")
	case c.Jitter < Proportional || c.Jitter > DecorrelatedJitter:
		return invalid("Jitter", int(c.Jitter), "is not a known strategy")
	case c.MaxElapsed < 0:
		return invalid("MaxElapsed", c.MaxElapsed, "must not be negative")
	case c.AttemptTimeout < 0:
		return invalid("AttemptTimeout", c.AttemptTimeout, "must not be negative")
	}
	d := c.withDefaults()
	if d.MaxDelay < d.InitialDelay {
		return fmt.Errorf("%w: MaxDelay %v is less than InitialDelay %v", ErrInvalidConfig, d.MaxDelay, d.InitialDelay)
	}
	return nil
}

func invalid(field string, value any, why string) error {
	return fmt.Errorf("%w: %s %v %s", ErrInvalidConfig, field, value, why)
}

// fastValid reports whether c is certainly valid, with the few comparisons a hot path can
// afford and without building an error; Validate gives the reason when it is not.
func (c *Config) fastValid() bool {
	// One sign test for every field that must not be negative.
	if c.MaxAttempts|int(c.InitialDelay)|int(c.MaxDelay)|int(c.MaxElapsed)|int(c.AttemptTimeout) < 0 ||
		uint(c.Jitter) > uint(DecorrelatedJitter) {
		return false
	}
	if !(c.JitterFactor >= 0 && c.JitterFactor <= 1) || // also false for NaN
		(c.BackoffFactor != 0 && !(c.BackoffFactor >= 1 && c.BackoffFactor <= math.MaxFloat64)) {
		return false
	}
	switch {
	case c.MaxDelay != 0:
		return c.MaxDelay >= c.InitialDelay && (c.InitialDelay != 0 || c.MaxDelay >= DefaultInitialDelay)
	default:
		return c.InitialDelay <= DefaultMaxDelay
	}
}
