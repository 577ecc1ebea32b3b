package breaker

import (
	"errors"
	"fmt"
	"time"
)

// ErrOpen is returned, without calling the protected function, while a breaker is open and
// while all of its half-open probe slots are taken. Test for it with errors.Is; the concrete
// error is an [*OpenError], which names the breaker and says when it will try again.
var ErrOpen = errors.New("breaker: open")

// OpenError is the error a rejected call returns. It matches [ErrOpen] with errors.Is.
//
// One OpenError is made per opening of a breaker and shared by every call rejected during it,
// so a rejection does not allocate; treat it as read-only.
type OpenError struct {
	// Name is the breaker's name.
	Name string
	// Until is when the breaker will admit a probe call again. For a rejection in half-open
	// (all probe slots taken) it is when the breaker turned half-open: a slot frees as soon
	// as a probe finishes. Zero for a forced opening.
	Until time.Time
	// HalfOpen reports that the breaker was half-open and its probe slots were all taken.
	HalfOpen bool
	// Forced reports that the breaker was opened by ForceOpen and stays open until Reset.
	Forced bool

	now func() time.Time
}

// Error says which breaker rejected the call and how long until it will try again.
func (e *OpenError) Error() string {
	if e.Forced {
		return fmt.Sprintf("breaker %q: open (forced open until reset)", e.Name)
	}
	if e.HalfOpen {
		return fmt.Sprintf("breaker %q: open (half-open, all probe slots taken)", e.Name)
	}
	return fmt.Sprintf("breaker %q: open, will try again in %s", e.Name, e.RetryAfter().Round(time.Millisecond))
}

// Is reports whether target is [ErrOpen].
func (e *OpenError) Is(target error) bool { return target == ErrOpen }

// RetryAfter returns how long until the breaker will admit a probe call, never negative.
// Retry loops (package retry) use it to wait out an open breaker when configured to.
func (e *OpenError) RetryAfter() time.Duration {
	now := time.Now
	if e.now != nil {
		now = e.now
	}
	if e.Forced || e.HalfOpen {
		return 0
	}
	if d := e.Until.Sub(now()); d > 0 {
		return d
	}
	return 0
}
