package retry

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

var (
	// ErrInvalidConfig is matched (errors.Is) by every error that [Config.Validate] returns.
	ErrInvalidConfig = errors.New("retry: invalid config")

	// ErrBudgetExhausted is matched by the error of a call whose retry was refused by its
	// [Budget]; the error also matches the call's last failure.
	ErrBudgetExhausted = errors.New("retry: budget exhausted")

	// ErrMaxElapsed is matched by the error of a call that stopped because its next wait
	// would have ended past Config.MaxElapsed; the error also matches the last failure.
	ErrMaxElapsed = errors.New("retry: MaxElapsed would be exceeded")

	// ErrRejectedResult is the last failure of a [DoValueIf] call whose final attempt
	// returned a result that its predicate asked to retry.
	ErrRejectedResult = errors.New("retry: result rejected")
)

// Error is the error of a call that retrying could not save: its attempts ran out, or a
// context, a [Budget] or MaxElapsed stopped it, or an attempt after a retry failed with an
// error that is not retried. Find it with errors.As; errors.Is reaches both Last and Cause.
//
// A call whose first attempt fails with an error that is not retried returns that error as
// it is (without the [Permanent] marker), not an *Error: nothing was retried.
type Error struct {
	// Name is the Config's Name (may be empty).
	Name string
	// Attempts is how many times fn was called.
	Attempts int
	// Last is the last attempt's error.
	Last error
	// Cause is why retrying stopped before its attempts ran out: context.Cause of the
	// caller's context, [ErrBudgetExhausted] or [ErrMaxElapsed]. It is nil when every
	// attempt was used or the last error was not retried.
	Cause error

	ctxErr error // ctx.Err() when it differs from Cause
}

// Error says how many attempts were made, why retrying stopped and the last error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("retry")
	if e.Name != "" {
		b.WriteByte(' ')
		b.WriteString(strconv.Quote(e.Name))
	}
	if e.Cause != nil {
		b.WriteString(": stopped after ")
	} else {
		b.WriteString(": gave up after ")
	}
	b.WriteString(strconv.Itoa(e.Attempts))
	if e.Attempts == 1 {
		b.WriteString(" attempt")
	} else {
		b.WriteString(" attempts")
	}
	if e.Cause != nil {
		b.WriteString(" (")
		b.WriteString(e.Cause.Error())
		b.WriteString(")")
	}
	if e.Last != nil {
		b.WriteString(": ")
		b.WriteString(e.Last.Error())
	}
	return b.String()
}

// Unwrap returns the last failure, then the cause (and the context's error when the cause
// is a custom one), so errors.Is and errors.As reach all of them.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, 3)
	for _, err := range [...]error{e.Last, e.Cause, e.ctxErr} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// Permanent marks err as not worth retrying: [Do] returns at once, whatever RetryIf,
// RetryOn or the error's own methods say. The marker is removed from the error Do returns;
// errors.Is and errors.As see through it. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

type permanentError struct{ err error }

func (p *permanentError) Error() string { return p.err.Error() }
func (p *permanentError) Unwrap() error { return p.err }

// IsPermanent reports whether err, or any error it wraps, was marked with [Permanent].
func IsPermanent(err error) bool {
	var t traits
	t.inspect(err)
	return t.permanent
}

// After attaches a server's hint to err: the next wait is d (capped by MaxDelay, and
// without jitter) instead of the backoff delay, and the error is retried. Use it with
// [ParseRetryAfter] for an HTTP 429 or 503. After(nil, d) is nil.
func After(err error, d time.Duration) error {
	if err == nil {
		return nil
	}
	return &afterError{err: err, d: d}
}

type afterError struct {
	err error
	d   time.Duration
}

func (a *afterError) Error() string             { return a.err.Error() }
func (a *afterError) Unwrap() error             { return a.err }
func (a *afterError) RetryAfter() time.Duration { return a.d }
func (a *afterError) Retryable() bool           { return true }
