package bench

import (
	"context"
	"testing"
	"time"

	avast "github.com/avast/retry-go/v4"
	"github.com/cenkalti/backoff/v5"
	"github.com/eapache/go-resiliency/retrier"
	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/retrypolicy"

	"github.com/resilience-go/resilience/retry"
)

// retryTransient is the failure of the two-failures scenario. It declares itself retryable,
// so our default classifier retries it; the peers retry every error by default.
type retryTransient struct{}

func (retryTransient) Error() string   { return "transient" }
func (retryTransient) Retryable() bool { return true }

var errRetryTransient error = retryTransient{}

// retryDelay is the smallest wait every library accepts.
const retryDelay = time.Nanosecond

// retrySubject is one library's retry loop: call returns a function that runs one retried
// operation around op (op is called until it succeeds, at most 3 times).
type retrySubject struct {
	name string
	call func(b *testing.B, op func() error) func() error
}

var retrySubjects = []retrySubject{
	{"direct", func(b *testing.B, op func() error) func() error {
		return op // no retries at all: the floor
	}},
	{"resilience", func(b *testing.B, op func() error) func() error {
		cfg := retry.Config{MaxAttempts: 3, InitialDelay: retryDelay, MaxDelay: retryDelay, Jitter: retry.NoJitter}
		ctx := context.Background()
		fn := func(context.Context) error { return op() }
		return func() error { return retry.Do(ctx, cfg, fn) }
	}},
	{"resilience-metrics", func(b *testing.B, op func() error) func() error {
		cfg := retry.Config{Name: "bench", Metrics: retry.NewMetrics(), MaxAttempts: 3,
			InitialDelay: retryDelay, MaxDelay: retryDelay, Jitter: retry.NoJitter}
		ctx := context.Background()
		fn := func(context.Context) error { return op() }
		return func() error { return retry.Do(ctx, cfg, fn) }
	}},
	{"cenkalti-backoff", func(b *testing.B, op func() error) func() error {
		ctx := context.Background()
		operation := func() (struct{}, error) { return struct{}{}, op() }
		bo := &backoff.ConstantBackOff{Interval: retryDelay}
		return func() error {
			_, err := backoff.Retry(ctx, operation, backoff.WithBackOff(bo), backoff.WithMaxTries(3))
			return err
		}
	}},
	{"avast-retry-go", func(b *testing.B, op func() error) func() error {
		ctx := context.Background()
		return func() error {
			return avast.Do(op, avast.Context(ctx), avast.Attempts(3), avast.Delay(retryDelay),
				avast.DelayType(avast.FixedDelay), avast.LastErrorOnly(true))
		}
	}},
	{"eapache-retrier", func(b *testing.B, op func() error) func() error {
		r := retrier.New(retrier.ConstantBackoff(2, retryDelay), nil)
		return func() error { return r.Run(op) }
	}},
	{"failsafe-go", func(b *testing.B, op func() error) func() error {
		rp := retrypolicy.NewBuilder[any]().WithMaxAttempts(3).WithDelay(retryDelay).ReturnLastFailure().Build()
		exec := failsafe.With[any](rp)
		return func() error { return exec.Run(op) }
	}},
}

// BenchmarkRetrySuccess: the operation succeeds at once; the cost of having a retry loop.
func BenchmarkRetrySuccess(b *testing.B) {
	for _, s := range retrySubjects {
		b.Run(s.name, func(b *testing.B) {
			call := s.call(b, func() error { return nil })
			b.ReportAllocs()
			for b.Loop() {
				if err := call(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRetryTwoFailures: two failures, then a success, with the smallest delay.
func BenchmarkRetryTwoFailures(b *testing.B) {
	for _, s := range retrySubjects {
		if s.name == "direct" {
			continue
		}
		b.Run(s.name, func(b *testing.B) {
			calls := 0
			call := s.call(b, func() error {
				calls++
				if calls%3 != 0 {
					return errRetryTransient
				}
				return nil
			})
			b.ReportAllocs()
			for b.Loop() {
				if err := call(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRetryTwoFailuresTimer: the same with 1µs waits, long enough that every library,
// this one included, arms a timer and parks; the cost is then mostly the runtime's timers.
func BenchmarkRetryTwoFailuresTimer(b *testing.B) {
	for _, s := range retryTimerSubjects() {
		b.Run(s.name, func(b *testing.B) {
			calls := 0
			call := s.call(b, func() error {
				calls++
				if calls%3 != 0 {
					return errRetryTransient
				}
				return nil
			})
			b.ReportAllocs()
			for b.Loop() {
				if err := call(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// retryTimerSubjects are the subjects with 1µs waits instead of 1ns.
func retryTimerSubjects() []retrySubject {
	const d = time.Microsecond
	return []retrySubject{
		{"resilience", func(b *testing.B, op func() error) func() error {
			cfg := retry.Config{MaxAttempts: 3, InitialDelay: d, MaxDelay: d, Jitter: retry.NoJitter}
			ctx := context.Background()
			fn := func(context.Context) error { return op() }
			return func() error { return retry.Do(ctx, cfg, fn) }
		}},
		{"cenkalti-backoff", func(b *testing.B, op func() error) func() error {
			ctx := context.Background()
			operation := func() (struct{}, error) { return struct{}{}, op() }
			bo := &backoff.ConstantBackOff{Interval: d}
			return func() error {
				_, err := backoff.Retry(ctx, operation, backoff.WithBackOff(bo), backoff.WithMaxTries(3))
				return err
			}
		}},
		{"avast-retry-go", func(b *testing.B, op func() error) func() error {
			ctx := context.Background()
			return func() error {
				return avast.Do(op, avast.Context(ctx), avast.Attempts(3), avast.Delay(d),
					avast.DelayType(avast.FixedDelay), avast.LastErrorOnly(true))
			}
		}},
		{"eapache-retrier", func(b *testing.B, op func() error) func() error {
			r := retrier.New(retrier.ConstantBackoff(2, d), nil)
			return func() error { return r.Run(op) }
		}},
		{"failsafe-go", func(b *testing.B, op func() error) func() error {
			rp := retrypolicy.NewBuilder[any]().WithMaxAttempts(3).WithDelay(d).ReturnLastFailure().Build()
			exec := failsafe.With[any](rp)
			return func() error { return exec.Run(op) }
		}},
	}
}

// TestRetrySubjectsRetry checks each subject does retry twice and succeeds on the third call.
func TestRetrySubjectsRetry(t *testing.T) {
	for _, s := range append(retrySubjects[1:], retryTimerSubjects()...) {
		calls := 0
		call := s.call(nil, func() error {
			calls++
			if calls < 3 {
				return errRetryTransient
			}
			return nil
		})
		if err := call(); err != nil || calls != 3 {
			t.Errorf("%s: err = %v after %d calls, want nil after 3", s.name, err, calls)
		}
	}
}
