package breaker

import (
	"context"
	"errors"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// model is the specification's breaker written as plainly as possible.
type model struct {
	cfg                          Config
	now, openUntil               time.Time
	state                        State
	consecF, consecS, probesOK   int64
	succ, fail, rejected, ignore int64
}

func (m *model) advance(d time.Duration) {
	m.now = m.now.Add(d)
	if m.state == Open && !m.now.Before(m.openUntil) {
		m.state, m.probesOK = HalfOpen, 0
	}
}

// call returns whether the call is rejected.
func (m *model) call(outcome string) bool {
	if m.state == Open {
		m.rejected++
		return true
	}
	switch outcome {
	case "ok":
		m.succ++
		m.consecF, m.consecS = 0, m.consecS+1
		if m.state == HalfOpen {
			if m.probesOK++; m.probesOK >= int64(m.cfg.SuccessThreshold) {
				m.state = Closed
			}
		}
	case "fail":
		m.fail++
		m.consecF, m.consecS = m.consecF+1, 0
		if m.state == HalfOpen || m.consecF >= int64(m.cfg.FailureThreshold) {
			m.state, m.openUntil = Open, m.now.Add(m.cfg.RecoveryTimeout)
		}
	case "cancel":
		m.ignore++
	}
	return false
}

func (m *model) reset() {
	m.state, m.consecF, m.consecS = Closed, 0, 0
}

func TestBreakerMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cfg := Config{
			FailureThreshold: rapid.IntRange(1, 5).Draw(t, "failureThreshold"),
			SuccessThreshold: rapid.IntRange(1, 4).Draw(t, "successThreshold"),
			RecoveryTimeout:  time.Duration(rapid.IntRange(1, 10).Draw(t, "recoverySeconds")) * time.Second,
			Timeout:          NoTimeout,
		}
		clk := newFakeClock()
		b, err := newBreaker(cfg, clk, nil)
		if err != nil {
			t.Fatal(err)
		}
		m := &model{cfg: cfg, now: clk.Now()}
		for i := range rapid.IntRange(1, 80).Draw(t, "steps") {
			switch op := rapid.SampledFrom([]string{"ok", "ok", "fail", "fail", "cancel", "advance", "reset"}).Draw(t, "op"); op {
			case "advance":
				d := time.Duration(rapid.IntRange(0, 6000).Draw(t, "ms")) * time.Millisecond
				clk.Advance(d)
				m.advance(d)
			case "reset":
				b.Reset()
				m.reset()
			default:
				err := b.Call(context.Background(), func(context.Context) error {
					switch op {
					case "fail":
						return errDep
					case "cancel":
						return context.Canceled
					}
					return nil
				})
				if got, want := errors.Is(err, ErrOpen), m.call(op); got != want {
					t.Fatalf("step %d %s: rejected = %v, want %v", i, op, got, want)
				}
			}
			s := b.Stats()
			want := [...]int64{int64(m.state), m.succ, m.fail, m.rejected, m.ignore, m.consecF, m.consecS}
			got := [...]int64{int64(s.State), s.SuccessfulRequests, s.FailedRequests, s.RejectedRequests, s.IgnoredRequests, s.ConsecutiveFailures, s.ConsecutiveSuccesses}
			if got != want {
				t.Fatalf("step %d: [state succ fail rejected ignored consecF consecS] = %v, want %v", i, got, want)
			}
		}
	})
}
