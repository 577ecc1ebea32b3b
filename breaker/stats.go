package breaker

import "time"

// Stats is a snapshot of a breaker's counts.
//
// The request counts are lifetime totals: TotalRequests = SuccessfulRequests + FailedRequests
// + RejectedRequests + IgnoredRequests. SlowRequests counts the successful and failed calls
// that ran longer than SlowCallDuration. Reset does not clear them.
type Stats struct {
	State State

	TotalRequests      int64
	SuccessfulRequests int64
	FailedRequests     int64
	// RejectedRequests are calls refused with ErrOpen, fn not called.
	RejectedRequests int64
	// IgnoredRequests are calls whose error was classified neutral (the caller's
	// cancellation, or IsFailure returning false).
	IgnoredRequests int64
	SlowRequests    int64

	// ConsecutiveFailures is reset by a success (and by Reset), not by a change of state;
	// ConsecutiveSuccesses is reset by a failure.
	ConsecutiveFailures  int64
	ConsecutiveSuccesses int64

	// FailureRate and SlowCallRate are over the sliding window when the Config has one
	// (WindowCalls calls), else over the lifetime: FailedRequests / (SuccessfulRequests +
	// FailedRequests), and SlowRequests over the same. 0 when there were no calls.
	FailureRate  float64
	SlowCallRate float64
	WindowCalls  int64

	// LastStateChange is when the state last changed (or the breaker was made).
	LastStateChange time.Time
	// OpenUntil is when an open breaker will admit a probe; zero unless State is Open (and
	// zero for a breaker opened by ForceOpen).
	OpenUntil time.Time
	// HalfOpenInFlight is the number of probe calls running now.
	HalfOpenInFlight int
	// Forced reports a breaker opened by ForceOpen: it stays open until Reset.
	Forced bool
}

// Stats returns a snapshot of the breaker's counts and rates.
func (b *Breaker) Stats() Stats {
	s := Stats{
		State:              b.State(),
		SuccessfulRequests: b.counts.load(success),
		FailedRequests:     b.counts.load(failure),
		RejectedRequests:   b.counts.load(rejected),
		IgnoredRequests:    b.counts.load(ignored),
		SlowRequests:       b.counts.load(slow),
	}
	s.TotalRequests = s.SuccessfulRequests + s.FailedRequests + s.RejectedRequests + s.IgnoredRequests
	if s.State == Open {
		if e := b.openErr.Load(); e != nil {
			s.OpenUntil, s.Forced = e.Until, e.Forced
		}
	}
	b.mu.Lock()
	s.ConsecutiveFailures, s.ConsecutiveSuccesses = b.consecutive()
	s.LastStateChange = time.Unix(0, b.lastChange)
	if s.State == HalfOpen {
		s.HalfOpenInFlight = int(b.inFlight)
	}
	if b.ext != nil && b.ext.window != nil {
		s.WindowCalls, s.FailureRate, s.SlowCallRate = b.ext.window.rates(b.clock.Now())
		b.mu.Unlock()
		return s
	}
	b.mu.Unlock()
	if n := s.SuccessfulRequests + s.FailedRequests; n > 0 {
		s.FailureRate = float64(s.FailedRequests) / float64(n)
		s.SlowCallRate = float64(s.SlowRequests) / float64(n)
	}
	return s
}
