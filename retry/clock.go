package retry

import (
	"context"
	"time"
)

// clock is the seam through which a retry loop reads and spends time. Tests replace it
// (Config.clock); nil means the real clock, driven by a reusable timer.
type clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done, whichever is first, and reports ctx.Err()
	// in the second case.
	Sleep(ctx context.Context, d time.Duration) error
}

// minWait is the shortest wait that arms a timer. Shorter waits are below what the
// runtime's timers resolve (a timer of 1ns fires no sooner than one of 1µs), so they are
// not slept: the loop checks the context and goes on.
const minWait = time.Microsecond

// sleeper waits on the real clock with one timer, created on the first real wait of a call
// and reused by the later ones.
type sleeper struct {
	timer *time.Timer
}

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	if d < minWait {
		return ctx.Err()
	}
	if s.timer == nil {
		s.timer = time.NewTimer(d)
	} else {
		s.timer.Reset(d)
	}
	select {
	case <-s.timer.C:
		return nil
	case <-ctx.Done():
		s.timer.Stop()
		return ctx.Err()
	}
}
