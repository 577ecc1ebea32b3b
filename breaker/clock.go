package breaker

import "time"

// clock is the breaker's seam to time: tests replace it with a fake that moves only when told.
type clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine after d; the returned func stops it.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }
