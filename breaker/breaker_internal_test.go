package breaker

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

var errDep = errors.New("dependency failed")

func mustNew(t testing.TB, cfg Config, clk clock) *Breaker {
	t.Helper()
	b, err := newBreaker(cfg, clk, nil)
	if err != nil {
		t.Fatalf("New(%+v) = %v", cfg, err)
	}
	return b
}

// run performs one scripted step: "ok", "fail", "cancel" (the error context.Canceled),
// "+<duration>" (advance the clock). It returns the call's error.
func run(b *Breaker, clk *fakeClock, step string) error {
	if d, ok := strings.CutPrefix(step, "+"); ok {
		dur, err := time.ParseDuration(d)
		if err != nil {
			panic(err)
		}
		clk.Advance(dur)
		return nil
	}
	return b.Call(context.Background(), func(context.Context) error {
		switch step {
		case "ok":
			return nil
		case "fail":
			return errDep
		case "cancel":
			return context.Canceled
		}
		panic("unknown step " + step)
	})
}

func TestStateMachine(t *testing.T) {
	spec := Config{FailureThreshold: 3, RecoveryTimeout: 10 * time.Second, SuccessThreshold: 2, Timeout: NoTimeout}
	tests := []struct {
		name  string
		cfg   Config
		steps []string
		// want is the state after each step; "x" marks a step whose call must be rejected.
		want []string
	}{
		{
			name:  "opens after threshold consecutive failures",
			cfg:   spec,
			steps: []string{"fail", "fail", "fail", "ok"},
			want:  []string{"closed", "closed", "open", "open x"},
		},
		{
			name:  "a success resets the count",
			cfg:   spec,
			steps: []string{"fail", "fail", "ok", "fail", "fail", "fail"},
			want:  []string{"closed", "closed", "closed", "closed", "closed", "open"},
		},
		{
			name:  "neutral errors neither count nor reset",
			cfg:   spec,
			steps: []string{"fail", "fail", "cancel", "fail"},
			want:  []string{"closed", "closed", "closed", "open"},
		},
		{
			name:  "half-open after recovery timeout, closes after success threshold",
			cfg:   spec,
			steps: []string{"fail", "fail", "fail", "+9s", "ok", "+1s", "ok", "ok"},
			want:  []string{"closed", "closed", "open", "open", "open x", "half_open", "half_open", "closed"},
		},
		{
			name:  "a failed probe opens again for a full recovery timeout",
			cfg:   spec,
			steps: []string{"fail", "fail", "fail", "+10s", "ok", "fail", "+9s", "ok", "+1s", "ok"},
			want:  []string{"closed", "closed", "open", "half_open", "half_open", "open", "open", "open x", "half_open", "half_open"},
		},
		{
			name:  "open time grows after failed recoveries, up to the cap",
			cfg:   Config{FailureThreshold: 1, RecoveryTimeout: 10 * time.Second, SuccessThreshold: 1, Timeout: NoTimeout, MaxRecoveryTimeout: 25 * time.Second},
			steps: []string{"fail", "+10s", "fail", "+19s", "ok", "+1s", "fail", "+24s", "ok", "+1s", "ok", "fail", "+10s"},
			want:  []string{"open", "half_open", "open", "open", "open x", "half_open", "open", "open", "open x", "half_open", "closed", "open", "half_open"},
		},
		{
			name:  "failure rate over a count window",
			cfg:   Config{FailureThreshold: 100, Timeout: NoTimeout, FailureRateThreshold: 0.5, WindowSize: 4},
			steps: []string{"fail", "ok", "fail", "ok"},
			want:  []string{"closed", "closed", "closed", "open"},
		},
		{
			name:  "rate not judged below minimum calls",
			cfg:   Config{FailureThreshold: 100, Timeout: NoTimeout, FailureRateThreshold: 0.5, WindowSize: 10, MinimumCalls: 5},
			steps: []string{"fail", "fail", "fail", "fail", "ok"},
			want:  []string{"closed", "closed", "closed", "closed", "open"},
		},
		{
			name:  "count window forgets old calls",
			cfg:   Config{FailureThreshold: 100, Timeout: NoTimeout, FailureRateThreshold: 0.5, WindowSize: 4},
			steps: []string{"fail", "ok", "ok", "ok", "ok", "fail", "ok", "ok"},
			want:  []string{"closed", "closed", "closed", "closed", "closed", "closed", "closed", "closed"},
		},
		{
			name:  "time window forgets calls older than its span",
			cfg:   Config{FailureThreshold: 100, Timeout: NoTimeout, FailureRateThreshold: 0.7, WindowDuration: 10 * time.Second, MinimumCalls: 3},
			steps: []string{"fail", "fail", "ok", "+11s", "fail", "ok", "fail", "fail"},
			want:  []string{"closed", "closed", "closed", "closed", "closed", "closed", "closed", "open"},
		},
		{
			name:  "disabled admits everything and never opens",
			cfg:   Config{FailureThreshold: 1, Timeout: NoTimeout, Disabled: true},
			steps: []string{"fail", "fail", "ok"},
			want:  []string{"closed", "closed", "closed"},
		},
		{
			name:  "classifier makes an error neutral",
			cfg:   Config{FailureThreshold: 1, Timeout: NoTimeout, IsFailure: func(err error) bool { return !errors.Is(err, errDep) }},
			steps: []string{"fail", "fail"},
			want:  []string{"closed", "closed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			b := mustNew(t, tt.cfg, clk)
			for i, step := range tt.steps {
				err := run(b, clk, step)
				want, rejected := strings.CutSuffix(tt.want[i], " x")
				if got := errors.Is(err, ErrOpen); got != rejected {
					t.Fatalf("step %d %q: rejected = %v (err %v), want %v", i, step, got, err, rejected)
				}
				if got := b.State().String(); got != want {
					t.Fatalf("step %d %q: State() = %s, want %s", i, step, got, want)
				}
			}
		})
	}
}

func TestHalfOpenProbeLimit(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		wantProbe int
	}{
		{"defaults to success threshold", Config{FailureThreshold: 1, SuccessThreshold: 3, Timeout: NoTimeout}, 3},
		{"own setting", Config{FailureThreshold: 1, SuccessThreshold: 3, MaxHalfOpenCalls: 1, Timeout: NoTimeout}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			b := mustNew(t, tt.cfg, clk)
			run(b, clk, "fail")
			clk.Advance(b.recoveryTimeout)
			release := make(chan struct{})
			var started, wg sync.WaitGroup
			for range tt.wantProbe {
				started.Add(1)
				wg.Add(1)
				go func() {
					defer wg.Done()
					_ = b.Call(context.Background(), func(context.Context) error {
						started.Done()
						<-release
						return nil
					})
				}()
			}
			started.Wait()
			err := run(b, clk, "ok")
			if !errors.Is(err, ErrOpen) {
				t.Errorf("probe %d: Call = %v, want ErrOpen", tt.wantProbe+1, err)
			}
			var oe *OpenError
			if !errors.As(err, &oe) || !oe.HalfOpen {
				t.Errorf("probe rejection = %#v, want *OpenError with HalfOpen", err)
			}
			close(release)
			wg.Wait()
			if got := b.Stats().HalfOpenInFlight; got != 0 {
				t.Errorf("HalfOpenInFlight after probes = %d, want 0", got)
			}
		})
	}
}

func TestOpenErrorNamesBreakerAndWait(t *testing.T) {
	clk := newFakeClock()
	b := mustNew(t, Config{Name: "db", FailureThreshold: 1, RecoveryTimeout: 30 * time.Second, Timeout: NoTimeout}, clk)
	run(b, clk, "fail")
	clk.Advance(12 * time.Second)
	err := run(b, clk, "ok")
	var oe *OpenError
	if !errors.As(err, &oe) {
		t.Fatalf("Call = %v, want *OpenError", err)
	}
	if got, want := err.Error(), `breaker "db": open, will try again in 18s`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := oe.RetryAfter(); got != 18*time.Second {
		t.Errorf("RetryAfter() = %v, want 18s", got)
	}
	if got := b.Stats().OpenUntil; !got.Equal(clk.Now().Add(18 * time.Second)) {
		t.Errorf("Stats().OpenUntil = %v, want %v", got, clk.Now().Add(18*time.Second))
	}
}

func TestStatsCounts(t *testing.T) {
	clk := newFakeClock()
	b := mustNew(t, Config{FailureThreshold: 3, Timeout: NoTimeout}, clk)
	for _, s := range []string{"ok", "ok", "fail", "cancel", "ok", "ok", "ok", "fail", "fail", "fail", "ok", "ok"} {
		run(b, clk, s)
	}
	got := b.Stats()
	want := Stats{State: Open, TotalRequests: 12, SuccessfulRequests: 5, FailedRequests: 4, RejectedRequests: 2,
		IgnoredRequests: 1, ConsecutiveFailures: 3, ConsecutiveSuccesses: 0, FailureRate: 4.0 / 9}
	got.LastStateChange, got.OpenUntil = time.Time{}, time.Time{}
	if got != want {
		t.Errorf("Stats() =\n%+v\nwant\n%+v", got, want)
	}
	b.Reset()
	run(b, clk, "ok")
	got = b.Stats()
	if got.ConsecutiveFailures != 0 || got.ConsecutiveSuccesses != 1 || got.TotalRequests != 13 || got.State != Closed {
		t.Errorf("after Reset and one success: %+v", got)
	}
}

func TestSlowCalls(t *testing.T) {
	clk := newFakeClock()
	b := mustNew(t, Config{Timeout: NoTimeout, SlowCallDuration: time.Second, SlowCallRateThreshold: 0.5, WindowSize: 4}, clk)
	slowCall := func() error {
		return b.Call(context.Background(), func(context.Context) error { clk.Advance(2 * time.Second); return nil })
	}
	run(b, clk, "ok")
	run(b, clk, "ok")
	slowCall()
	if got := b.State(); got != Closed {
		t.Fatalf("after 1 slow of 3: State() = %v, want closed", got)
	}
	slowCall()
	if got := b.State(); got != Open {
		t.Fatalf("after 2 slow of 4: State() = %v, want open", got)
	}
	s := b.Stats()
	if s.SlowRequests != 2 || s.SlowCallRate != 0.5 || s.SuccessfulRequests != 4 {
		t.Errorf("Stats() = %+v, want 2 slow of 4 successes, rate 0.5", s)
	}
}

func TestStateIsTimeAware(t *testing.T) {
	clk := newFakeClock()
	b := mustNew(t, Config{FailureThreshold: 1, RecoveryTimeout: time.Minute, Timeout: NoTimeout}, clk)
	run(b, clk, "fail")
	// Move the clock without firing timers, as a late timer would.
	clk.mu.Lock()
	clk.now = clk.now.Add(time.Minute)
	clk.mu.Unlock()
	if got := b.Stats().State; got != HalfOpen {
		t.Errorf("Stats().State after recovery timeout = %v, want half_open", got)
	}
}

func TestNotificationsAfterUnlockInOrder(t *testing.T) {
	clk := newFakeClock()
	var got []string
	var b *Breaker
	b = mustNew(t, Config{Name: "svc", FailureThreshold: 1, SuccessThreshold: 1, RecoveryTimeout: time.Second, Timeout: NoTimeout,
		OnStateChange: func(ev StateChange) {
			// Calling back into the breaker must not deadlock.
			_ = b.Stats()
			_ = b.State()
			got = append(got, fmt.Sprintf("%s %s->%s (%s)", ev.Name, ev.From, ev.To, ev.Reason))
			if ev.To == Closed && ev.Reason != "reset" {
				b.ForceOpen()
			}
		}}, clk)
	for _, s := range []string{"fail", "+1s", "ok"} {
		run(b, clk, s)
	}
	b.Reset()
	want := []string{
		`svc closed->open (1 consecutive failures)`,
		`svc open->half_open (recovery timeout elapsed)`,
		`svc half_open->closed (1 successful probes)`,
		`svc closed->open (forced open)`,
		`svc open->closed (reset)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("notifications:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestForceOpenStaysOpenUntilReset(t *testing.T) {
	clk := newFakeClock()
	b := mustNew(t, Config{RecoveryTimeout: time.Second, Timeout: NoTimeout}, clk)
	b.ForceOpen()
	clk.Advance(time.Hour)
	err := run(b, clk, "ok")
	var oe *OpenError
	if !errors.As(err, &oe) || !oe.Forced {
		t.Fatalf("Call on forced-open breaker = %v, want forced *OpenError", err)
	}
	if s := b.Stats(); s.State != Open || !s.Forced || !s.OpenUntil.IsZero() {
		t.Fatalf("Stats() = %+v, want forced open with no OpenUntil", s)
	}
	b.Reset()
	if err := run(b, clk, "ok"); err != nil {
		t.Fatalf("Call after Reset = %v", err)
	}
}

func TestStaleOutcomeDoesNotMoveNewState(t *testing.T) {
	clk := newFakeClock()
	b := mustNew(t, Config{FailureThreshold: 1, SuccessThreshold: 1, RecoveryTimeout: time.Second, Timeout: NoTimeout}, clk)
	done, err := b.Allow()
	if err != nil {
		t.Fatal(err)
	}
	run(b, clk, "fail")      // opens
	clk.Advance(time.Second) // half-open
	done(errDep)             // admitted while closed: must not reopen the half-open breaker
	if got := b.State(); got != HalfOpen {
		t.Errorf("State() after a stale failure = %v, want half_open", got)
	}
	if got := b.Stats().FailedRequests; got != 2 {
		t.Errorf("FailedRequests = %d, want 2 (stale outcomes still count)", got)
	}
}

func TestAllow(t *testing.T) {
	clk := newFakeClock()
	b := mustNew(t, Config{FailureThreshold: 2, SuccessThreshold: 1, RecoveryTimeout: time.Second}, clk)
	for range 2 {
		done, err := b.Allow()
		if err != nil {
			t.Fatalf("Allow() = %v", err)
		}
		done(errDep)
	}
	if _, err := b.Allow(); !errors.Is(err, ErrOpen) {
		t.Fatalf("Allow() when open = %v, want ErrOpen", err)
	}
	clk.Advance(time.Second)
	done, err := b.Allow()
	if err != nil {
		t.Fatalf("Allow() half-open = %v", err)
	}
	done(nil)
	done(nil) // a second call is ignored
	if got := b.State(); got != Closed {
		t.Errorf("State() = %v, want closed", got)
	}
	if got := b.Stats().SuccessfulRequests; got != 1 {
		t.Errorf("SuccessfulRequests = %d, want 1", got)
	}
}

func TestPanicCountsAndPropagates(t *testing.T) {
	for _, timeout := range []time.Duration{NoTimeout, time.Minute} {
		clk := newFakeClock()
		b := mustNew(t, Config{FailureThreshold: 1, Timeout: timeout}, clk)
		func() {
			defer func() {
				if r := recover(); r != "boom" {
					t.Errorf("recovered %v, want boom", r)
				}
			}()
			_ = b.Call(context.Background(), func(context.Context) error { panic("boom") })
		}()
		if s := b.Stats(); s.FailedRequests != 1 || s.State != Open {
			t.Errorf("Timeout %v: after panic Stats() = %+v, want 1 failure and open", timeout, s)
		}
	}
}

// Regression: a caller that waits out RecoveryTimeout must be admitted even when the
// recovery timer's goroutine has not run yet.
func TestAdmittedOnceRecoveryTimeoutPassedBeforeTimerRuns(t *testing.T) {
	for _, rt := range []time.Duration{time.Millisecond, 10 * time.Second} {
		clk := newFakeClock()
		b := mustNew(t, Config{FailureThreshold: 1, SuccessThreshold: 1, RecoveryTimeout: rt, Timeout: NoTimeout}, clk)
		run(b, clk, "fail")
		// Fire the timers due before the end of the open period (the near-the-end mark), then
		// move the clock past it without firing the recovery timer, as a late goroutine would.
		clk.Advance(rt - time.Nanosecond)
		clk.mu.Lock()
		clk.now = clk.now.Add(time.Nanosecond)
		clk.mu.Unlock()
		if err := run(b, clk, "ok"); err != nil {
			t.Errorf("RecoveryTimeout %v: Call after it passed = %v, want admitted", rt, err)
		}
	}
}

func TestHugeThresholdsRejected(t *testing.T) {
	for _, cfg := range []Config{{FailureThreshold: math.MaxInt}, {SuccessThreshold: math.MaxInt}, {MaxHalfOpenCalls: math.MaxInt}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted a threshold that does not fit", cfg)
		}
	}
}

// Regression: a call that runs past the breaker's Timeout is a failure even when the
// caller's later deadline has also passed by the time it returns.
func TestTimeoutBlamedWhenCallersLaterDeadlineAlsoPassed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _ := New(Config{FailureThreshold: 10, Timeout: 20 * time.Millisecond})
		ctx, cancel := context.WithTimeout(context.Background(), 25*time.Millisecond)
		defer cancel()
		err := b.Call(ctx, func(context.Context) error { time.Sleep(40 * time.Millisecond); return nil })
		if !errors.Is(err, context.DeadlineExceeded) || b.Stats().FailedRequests != 1 {
			t.Errorf("Call = %v, failures %d; want DeadlineExceeded and 1 failure", err, b.Stats().FailedRequests)
		}
	})
}

// Regression: a panicking classifier must not leak a half-open probe slot.
func TestPanickingClassifierReleasesProbe(t *testing.T) {
	clk := newFakeClock()
	b := mustNew(t, Config{FailureThreshold: 1, SuccessThreshold: 1, RecoveryTimeout: time.Second, Timeout: NoTimeout,
		IsFailure: func(err error) bool {
			if err.Error() == "weird" {
				panic("classifier")
			}
			return true
		}}, clk)
	run(b, clk, "fail")
	clk.Advance(time.Second)
	func() {
		defer func() { _ = recover() }()
		_ = b.Call(context.Background(), func(context.Context) error { return errors.New("weird") })
	}()
	if s := b.Stats(); s.HalfOpenInFlight != 0 || s.FailedRequests != 2 || s.State != Open {
		t.Errorf("after classifier panic: %+v, want no probe in flight, 2 failures, open", s)
	}
}
