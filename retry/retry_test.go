package retry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilience-go/resilience/breaker"
)

func TestDoSchedule(t *testing.T) {
	tests := []struct {
		name       string
		give       Config
		failures   int
		wantCalls  int
		wantSleeps []time.Duration
		wantErr    bool
	}{
		{
			name:      "first try",
			give:      Config{Jitter: NoJitter},
			wantCalls: 1,
		},
		{
			name:       "defaults: two failures then success",
			give:       Config{Jitter: NoJitter},
			failures:   2,
			wantCalls:  3,
			wantSleeps: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond},
		},
		{
			name:       "defaults exhausted",
			give:       Config{Jitter: NoJitter},
			failures:   10,
			wantCalls:  3,
			wantSleeps: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond},
			wantErr:    true,
		},
		{
			name:      "one attempt",
			give:      Config{MaxAttempts: 1},
			failures:  10,
			wantCalls: 1,
			wantErr:   true,
		},
		{
			name:      "HTTP preset exhausted",
			give:      func() Config { c := HTTP; c.Jitter = NoJitter; return c }(),
			failures:  10,
			wantCalls: 5,
			wantSleeps: []time.Duration{500 * time.Millisecond, 750 * time.Millisecond,
				1125 * time.Millisecond, 1687500 * time.Microsecond},
			wantErr: true,
		},
		{
			name:       "capped by MaxDelay",
			give:       Config{Jitter: NoJitter, MaxAttempts: 5, InitialDelay: time.Second, MaxDelay: 3 * time.Second},
			failures:   4,
			wantCalls:  5,
			wantSleeps: []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			tt.give.clock = clk
			fn, calls := failN(tt.failures, errTransient)
			err := Do(context.Background(), tt.give, fn)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Do() = %v, want error %v", err, tt.wantErr)
			}
			if *calls != tt.wantCalls {
				t.Errorf("calls = %d, want %d", *calls, tt.wantCalls)
			}
			if got := clk.Sleeps(); fmt.Sprint(got) != fmt.Sprint(tt.wantSleeps) && len(got)+len(tt.wantSleeps) > 0 {
				t.Errorf("sleeps = %v, want %v", got, tt.wantSleeps)
			}
			if tt.wantErr {
				var re *Error
				if !errors.As(err, &re) || re.Attempts != tt.wantCalls || re.Cause != nil {
					t.Fatalf("Do() = %#v, want *Error{Attempts: %d}", err, tt.wantCalls)
				}
				if !errors.Is(err, errTransient) {
					t.Errorf("errors.Is(%v, errTransient) = false", err)
				}
				want := fmt.Sprintf("gave up after %d attempt", tt.wantCalls)
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Do() error %q does not say %q", err, want)
				}
			}
		})
	}
}

func TestDoJitteredScheduleStaysInBounds(t *testing.T) {
	for _, j := range []Jitter{Proportional, FullJitter, EqualJitter, DecorrelatedJitter} {
		t.Run(j.String(), func(t *testing.T) {
			clk := newFakeClock()
			cfg := Config{Jitter: j, MaxAttempts: 10, InitialDelay: 10 * time.Millisecond, MaxDelay: 200 * time.Millisecond, clock: clk}
			fn, _ := failN(100, errTransient)
			_ = Do(context.Background(), cfg, fn)
			sleeps := clk.Sleeps()
			if len(sleeps) != 9 {
				t.Fatalf("%d sleeps, want 9", len(sleeps))
			}
			for i, d := range sleeps {
				if d < 0 || d > cfg.MaxDelay {
					t.Errorf("sleep %d = %v, want within [0, %v]", i, d, cfg.MaxDelay)
				}
			}
		})
	}
}

func TestDoClassification(t *testing.T) {
	errCustom := errors.New("custom")
	tests := []struct {
		name      string
		give      Config
		err       error
		wantCalls int
	}{
		{"unknown error is not retried", Config{}, errUnknown, 1},
		{"connection refused is retried", Config{}, fmt.Errorf("dial: %w", syscall.ECONNREFUSED), 3},
		{"RetryOn adds a target", Config{RetryOn: []error{errCustom}}, fmt.Errorf("op: %w", errCustom), 3},
		{"RetryOn does not match others", Config{RetryOn: []error{errCustom}}, errUnknown, 1},
		{"RetryIf decides alone: yes", Config{RetryIf: func(error) bool { return true }}, errUnknown, 3},
		{"RetryIf decides alone: no", Config{RetryIf: func(error) bool { return false }}, syscall.ECONNRESET, 1},
		{"RetryIf ignores RetryOn", Config{RetryIf: func(error) bool { return false }, RetryOn: []error{errCustom}}, errCustom, 1},
		{"Permanent beats RetryIf", Config{RetryIf: func(error) bool { return true }}, Permanent(errTransient), 1},
		{"Permanent beats RetryOn", Config{RetryOn: []error{errCustom}}, fmt.Errorf("x: %w", Permanent(errCustom)), 1},
		{"canceled is not retried", Config{}, context.Canceled, 1},
		{"breaker open is not retried", Config{}, breaker.ErrOpen, 1},
		{"per-attempt deadline is retried", Config{}, context.DeadlineExceeded, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.give.clock = newFakeClock()
			fn, calls := failN(100, tt.err)
			err := Do(context.Background(), tt.give, fn)
			if *calls != tt.wantCalls {
				t.Errorf("calls = %d, want %d (err %v)", *calls, tt.wantCalls, err)
			}
			if !errors.Is(err, tt.err) && !errors.Is(tt.err, err) {
				t.Errorf("Do() = %v, want it to match %v", err, tt.err)
			}
		})
	}
}

func TestDoNotRetriedFirstAttemptReturnsErrorAsIs(t *testing.T) {
	cfg := Config{clock: newFakeClock()}
	if err := Do(context.Background(), cfg, func(context.Context) error { return errUnknown }); err != errUnknown {
		t.Errorf("Do() = %#v, want errUnknown itself", err)
	}
	if err := Do(context.Background(), cfg, func(context.Context) error { return Permanent(errUnknown) }); err != errUnknown {
		t.Errorf("Do(Permanent) = %#v, want the error without its marker", err)
	}
}

func TestDoNotRetriedAfterRetryIsError(t *testing.T) {
	calls := 0
	err := Do(context.Background(), Config{clock: newFakeClock(), Name: ""}, func(context.Context) error {
		calls++
		if calls == 1 {
			return errTransient
		}
		return Permanent(errUnknown)
	})
	var re *Error
	if !errors.As(err, &re) || re.Attempts != 2 || re.Last != errUnknown || re.Cause != nil {
		t.Fatalf("Do() = %#v, want *Error{Attempts: 2, Last: errUnknown}", err)
	}
}

func TestDoInvalidConfigDoesNotCallFn(t *testing.T) {
	called := false
	fn := func(context.Context) error { called = true; return nil }
	err := Do(context.Background(), Config{MaxAttempts: -2}, fn)
	if err == nil || !strings.Contains(err.Error(), "MaxAttempts -2") || called {
		t.Errorf("Do(MaxAttempts -2) = %v, called = %v; want an error naming the field, fn not called", err, called)
	}
	_, err = DoValue(context.Background(), Config{JitterFactor: 2}, func(context.Context) (int, error) { called = true; return 1, nil })
	if err == nil || !strings.Contains(err.Error(), "JitterFactor 2") || called {
		t.Errorf("DoValue(JitterFactor 2) = %v, called = %v", err, called)
	}
	_, err = DoValueIf(context.Background(), Config{BackoffFactor: 0.5}, func(context.Context) (int, error) { called = true; return 1, nil }, nil)
	if err == nil || !strings.Contains(err.Error(), "BackoffFactor 0.5") || called {
		t.Errorf("DoValueIf(BackoffFactor 0.5) = %v, called = %v", err, called)
	}
	w := Wrap(Config{InitialDelay: time.Hour, MaxDelay: time.Second}, func(context.Context) (int, error) { called = true; return 1, nil })
	_, err = w(context.Background())
	if err == nil || !strings.Contains(err.Error(), "MaxDelay 1s") || called {
		t.Errorf("Wrap(MaxDelay < InitialDelay)() = %v, called = %v", err, called)
	}
}

func TestDoCancelDuringWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		calls := 0
		start := time.Now()
		go func() {
			time.Sleep(150 * time.Millisecond) // in the bubble: fake time
			cancel()
		}()
		err := Do(ctx, Config{Jitter: NoJitter, MaxAttempts: 10}, func(context.Context) error {
			calls++
			return errTransient
		})
		// Attempts at 0 and 100ms; the 200ms wait is cut at 150ms.
		if elapsed := time.Since(start); elapsed != 150*time.Millisecond {
			t.Errorf("Do returned after %v, want 150ms (at once on cancellation)", elapsed)
		}
		if calls != 2 {
			t.Errorf("calls = %d, want 2", calls)
		}
		if !errors.Is(err, context.Canceled) || !errors.Is(err, errTransient) {
			t.Errorf("Do() = %v; want it to match both context.Canceled and the last failure", err)
		}
		var re *Error
		if !errors.As(err, &re) || re.Attempts != 2 || !strings.Contains(err.Error(), "stopped after 2 attempts") {
			t.Errorf("Do() = %v, want *Error{Attempts: 2} saying so", err)
		}
	})
}

func TestDoCancelCause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errShutdown := errors.New("shutting down")
		ctx, cancel := context.WithCancelCause(context.Background())
		go func() {
			time.Sleep(50 * time.Millisecond)
			cancel(errShutdown)
		}()
		err := Do(ctx, Config{}, func(context.Context) error { return errTransient })
		if !errors.Is(err, errShutdown) || !errors.Is(err, context.Canceled) || !errors.Is(err, errTransient) {
			t.Errorf("Do() = %v; want it to match the cause, context.Canceled and the last failure", err)
		}
	})
}

func TestDoCallerDeadlineIsNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		calls := 0
		err := Do(ctx, Config{MaxAttempts: 5}, func(ctx context.Context) error {
			calls++
			<-ctx.Done()
			return ctx.Err()
		})
		if calls != 1 || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Do() = %v after %d calls; want DeadlineExceeded after 1 call", err, calls)
		}
	})
}

func TestDoAttemptTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		start := time.Now()
		err := Do(context.Background(), Config{Jitter: NoJitter, AttemptTimeout: time.Second}, func(ctx context.Context) error {
			calls++
			if calls < 3 {
				<-ctx.Done() // hangs until its attempt's deadline
				return ctx.Err()
			}
			return nil
		})
		if err != nil || calls != 3 {
			t.Fatalf("Do() = %v after %d calls, want nil after 3", err, calls)
		}
		if got, want := time.Since(start), 2*time.Second+300*time.Millisecond; got != want {
			t.Errorf("took %v, want %v (two 1s attempts, 100ms and 200ms waits)", got, want)
		}
	})
}

func TestDoRealTimerSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var at []time.Duration
		start := time.Now()
		fn, _ := failN(3, errTransient)
		err := Do(context.Background(), Config{Jitter: NoJitter, MaxAttempts: 4}, func(ctx context.Context) error {
			at = append(at, time.Since(start))
			return fn(ctx)
		})
		want := []time.Duration{0, 100 * time.Millisecond, 300 * time.Millisecond, 700 * time.Millisecond}
		if err != nil || fmt.Sprint(at) != fmt.Sprint(want) {
			t.Errorf("attempts at %v (err %v), want %v", at, err, want)
		}
	})
}

func TestDoMaxElapsed(t *testing.T) {
	clk := newFakeClock()
	cfg := Config{Jitter: NoJitter, MaxAttempts: 10, MaxElapsed: time.Second, clock: clk}
	calls := 0
	err := Do(context.Background(), cfg, func(context.Context) error {
		calls++
		clk.Advance(50 * time.Millisecond) // each attempt takes 50ms
		return errTransient
	})
	// Attempts end at 50, 200, 450, 900ms (waits 100, 200, 400); the next wait (800ms) would end past 1s.
	if calls != 4 {
		t.Errorf("calls = %d, want 4", calls)
	}
	if !errors.Is(err, ErrMaxElapsed) || !errors.Is(err, errTransient) {
		t.Errorf("Do() = %v, want it to match ErrMaxElapsed and the last failure", err)
	}
}

func TestDoServerHint(t *testing.T) {
	clk := newFakeClock()
	cfg := Config{Jitter: NoJitter, MaxAttempts: 4, MaxDelay: 10 * time.Second, clock: clk}
	hints := []time.Duration{3 * time.Second, time.Minute, 0}
	calls := 0
	err := Do(context.Background(), cfg, func(context.Context) error {
		calls++
		if calls <= len(hints) {
			return After(errors.New("503"), hints[calls-1])
		}
		return nil
	})
	want := []time.Duration{3 * time.Second, 10 * time.Second, 400 * time.Millisecond}
	if err != nil || fmt.Sprint(clk.Sleeps()) != fmt.Sprint(want) {
		t.Errorf("sleeps = %v (err %v), want %v: hint, hint capped by MaxDelay, backoff", clk.Sleeps(), err, want)
	}
}

func TestDoWaitForBreaker(t *testing.T) {
	tests := []struct {
		name      string
		give      Config
		openFor   time.Duration
		wantCalls int
		wantWait  time.Duration
	}{
		{"off: stops at once", Config{}, time.Second, 1, 0},
		{"waits out the open time", Config{WaitForBreaker: true}, 2 * time.Second, 2, 2 * time.Second},
		{"too long for MaxDelay", Config{WaitForBreaker: true, MaxDelay: time.Second}, 2 * time.Second, 1, 0},
		{"too long for MaxElapsed", Config{WaitForBreaker: true, MaxElapsed: time.Second}, 2 * time.Second, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				until := time.Now().Add(tt.openFor)
				calls := 0
				start := time.Now()
				err := Do(context.Background(), tt.give, func(context.Context) error {
					calls++
					if time.Now().Before(until) {
						return &breaker.OpenError{Name: "db", Until: until}
					}
					return nil
				})
				if calls != tt.wantCalls || time.Since(start) != tt.wantWait {
					t.Errorf("calls = %d after %v (err %v), want %d after %v", calls, time.Since(start), err, tt.wantCalls, tt.wantWait)
				}
				if (tt.wantCalls == 1) != errors.Is(err, breaker.ErrOpen) {
					t.Errorf("Do() = %v", err)
				}
			})
		})
	}
}

func TestDoWaitForBreakerForcedAndHalfOpen(t *testing.T) {
	tests := []struct {
		name      string
		give      *breaker.OpenError
		wantCalls int
	}{
		{"forced open is never waited for", &breaker.OpenError{Name: "db", Forced: true}, 1},
		{"half-open, probes taken: backoff", &breaker.OpenError{Name: "db", HalfOpen: true}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			calls := 0
			err := Do(context.Background(), Config{WaitForBreaker: true, Jitter: NoJitter, clock: clk}, func(context.Context) error {
				calls++
				return tt.give
			})
			if calls != tt.wantCalls || !errors.Is(err, breaker.ErrOpen) {
				t.Errorf("calls = %d (err %v), want %d", calls, err, tt.wantCalls)
			}
		})
	}
}

func TestDoOnRetry(t *testing.T) {
	type call struct {
		attempt int
		err     error
		delay   time.Duration
	}
	var got []call
	cfg := Config{Jitter: NoJitter, clock: newFakeClock(), OnRetry: func(attempt int, err error, delay time.Duration) {
		got = append(got, call{attempt, err, delay})
	}}
	fn, _ := failN(5, errTransient)
	_ = Do(context.Background(), cfg, fn)
	want := []call{{1, errTransient, 100 * time.Millisecond}, {2, errTransient, 200 * time.Millisecond}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("OnRetry calls = %v, want %v", got, want)
	}
}

func TestDoValue(t *testing.T) {
	calls := 0
	v, err := DoValue(context.Background(), Config{clock: newFakeClock()}, func(context.Context) (string, error) {
		calls++
		if calls < 3 {
			return "partial", errTransient
		}
		return "ok", nil
	})
	if v != "ok" || err != nil || calls != 3 {
		t.Errorf("DoValue() = %q, %v after %d calls; want \"ok\", nil after 3", v, err, calls)
	}
	v, err = DoValue(context.Background(), Config{clock: newFakeClock()}, func(context.Context) (string, error) {
		return "partial", errTransient
	})
	if v != "" || !errors.Is(err, errTransient) {
		t.Errorf("DoValue() = %q, %v; want the zero value and the error", v, err)
	}
}

func TestDoValueIf(t *testing.T) {
	tests := []struct {
		name      string
		statuses  []int
		wantValue int
		wantCalls int
		wantErr   bool
	}{
		{"accepted at once", []int{200}, 200, 1, false},
		{"503 then 200", []int{503, 503, 200}, 200, 3, false},
		{"503 throughout", []int{503, 503, 503, 503}, 503, 3, true},
		{"404 is a result, not retried", []int{404}, 404, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			v, err := DoValueIf(context.Background(), Config{clock: newFakeClock()}, func(context.Context) (int, error) {
				calls++
				return tt.statuses[calls-1], nil
			}, func(status int) bool { return status == 503 })
			if v != tt.wantValue || calls != tt.wantCalls || (err != nil) != tt.wantErr {
				t.Errorf("DoValueIf() = %d, %v after %d calls; want %d after %d (error %v)", v, err, calls, tt.wantValue, tt.wantCalls, tt.wantErr)
			}
			if tt.wantErr && !errors.Is(err, ErrRejectedResult) {
				t.Errorf("DoValueIf() error %v does not match ErrRejectedResult", err)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	calls := 0
	get := Wrap(Config{clock: newFakeClock(), Name: "wrap-test", Metrics: NewMetrics()}, func(ctx context.Context) (int, error) {
		calls++
		if calls%2 == 1 {
			return 0, errTransient
		}
		return calls, nil
	})
	for i, want := range []int{2, 4} {
		if v, err := get(context.Background()); v != want || err != nil {
			t.Errorf("call %d: = %d, %v; want %d, nil", i, v, err, want)
		}
	}
}

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		give *Error
		want string
	}{
		{&Error{Attempts: 3, Last: errUnknown}, "retry: gave up after 3 attempts: unknown failure"},
		{&Error{Name: "db", Attempts: 1, Last: errUnknown}, `retry "db": gave up after 1 attempt: unknown failure`},
		{&Error{Attempts: 2, Last: errUnknown, Cause: ErrBudgetExhausted}, "retry: stopped after 2 attempts (retry: budget exhausted): unknown failure"},
	}
	for _, tt := range tests {
		if got := tt.give.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestDoPanicPropagates(t *testing.T) {
	defer func() {
		if r := recover(); r != "boom" {
			t.Errorf("recover() = %v, want boom", r)
		}
	}()
	_ = Do(context.Background(), Config{}, func(context.Context) error { panic("boom") })
}

// TestDoAttemptsProperty: fn is never called more than MaxAttempts times, and a failure
// always reaches the last error.
func TestDoAttemptsProperty(t *testing.T) {
	rapidCheckAttempts(t)
}

// TestWrapConcurrent: one wrapped function called from many goroutines (under -race).
func TestWrapConcurrent(t *testing.T) {
	w := Wrap(Config{InitialDelay: time.Nanosecond, MaxDelay: time.Nanosecond}, func(ctx context.Context) (int, error) {
		return 0, errTransient
	})
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 50 {
				if _, err := w(context.Background()); !errors.Is(err, errTransient) {
					t.Errorf("w() = %v", err)
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
}

// TestValueEntryPointsWithSetUp runs DoValue and Wrap through their full loop (a Config that
// needs set-up before the first attempt) and their fast path with metrics.
func TestValueEntryPointsWithSetUp(t *testing.T) {
	budget, err := NewBudget(1, 10)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		give Config
	}{
		{"AttemptTimeout", Config{AttemptTimeout: time.Hour}},
		{"Budget", Config{Budget: budget}},
		{"MaxElapsed", Config{MaxElapsed: time.Hour}},
		{"metrics", Config{Name: "value-entry", Metrics: NewMetrics()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.give.clock = newFakeClock()
			tt.give.Jitter = NoJitter
			for _, entry := range []string{"DoValue", "Wrap"} {
				calls := 0
				fn := func(ctx context.Context) (int, error) {
					calls++
					if calls < 3 {
						return 0, errTransient
					}
					return calls, nil
				}
				var v int
				var err error
				if entry == "DoValue" {
					v, err = DoValue(context.Background(), tt.give, fn)
				} else {
					v, err = Wrap(tt.give, fn)(context.Background())
				}
				if v != 3 || err != nil {
					t.Errorf("%s = %d, %v; want 3, nil", entry, v, err)
				}
				calls = 10 // succeeds at once
				if v, err = DoValue(context.Background(), tt.give, fn); v != 11 || err != nil {
					t.Errorf("%s first try = %d, %v; want 11, nil", entry, v, err)
				}
			}
			if tt.give.Metrics != nil {
				if s := tt.give.Metrics.Snapshot(); len(s) != 1 || s[0].Calls != 4 || s[0].Retries != 4 {
					t.Errorf("Snapshot() = %+v, want 4 calls with 4 retries", s)
				}
			}
		})
	}
}
