package retry

import (
	"context"
	"testing"
	"time"
)

func BenchmarkDoFirstTrySuccess(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	fn := func(context.Context) error { return nil }
	for b.Loop() {
		_ = Do(ctx, Config{}, fn)
	}
}

func BenchmarkDoFirstTrySuccessWithMetrics(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	cfg := Config{Name: "bench", Metrics: NewMetrics()}
	fn := func(context.Context) error { return nil }
	for b.Loop() {
		_ = Do(ctx, cfg, fn)
	}
}

func BenchmarkDoFirstTrySuccessParallel(b *testing.B) {
	b.ReportAllocs()
	cfg := Config{Name: "bench-parallel", Metrics: NewMetrics()}
	fn := func(context.Context) error { return nil }
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			_ = Do(ctx, cfg, fn)
		}
	})
}

func BenchmarkDoValueFirstTrySuccess(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	fn := func(context.Context) (int, error) { return 1, nil }
	for b.Loop() {
		_, _ = DoValue(ctx, Config{}, fn)
	}
}

func BenchmarkWrapFirstTrySuccess(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	w := Wrap(Config{Name: "bench-wrap", Metrics: NewMetrics()}, func(context.Context) (int, error) { return 1, nil })
	for b.Loop() {
		_, _ = w(ctx)
	}
}

// BenchmarkDoTwoFailures: two failures then a success, with 1ns waits (no timer armed).
func BenchmarkDoTwoFailures(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	cfg := Config{InitialDelay: time.Nanosecond, MaxDelay: time.Nanosecond, Jitter: NoJitter}
	calls := 0
	fn := func(context.Context) error {
		calls++
		if calls%3 != 0 {
			return errTransient
		}
		return nil
	}
	for b.Loop() {
		_ = Do(ctx, cfg, fn)
	}
}

// BenchmarkDoTwoFailuresTimer: the same with 1µs waits, which arm the call's one timer.
func BenchmarkDoTwoFailuresTimer(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	cfg := Config{InitialDelay: time.Microsecond, MaxDelay: time.Microsecond, Jitter: NoJitter}
	calls := 0
	fn := func(context.Context) error {
		calls++
		if calls%3 != 0 {
			return errTransient
		}
		return nil
	}
	for b.Loop() {
		_ = Do(ctx, cfg, fn)
	}
}

func BenchmarkDoExhausted(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	cfg := Config{InitialDelay: time.Nanosecond, MaxDelay: time.Nanosecond, Jitter: NoJitter}
	fn := func(context.Context) error { return errTransient }
	for b.Loop() {
		_ = Do(ctx, cfg, fn)
	}
}

func BenchmarkIsRetryable(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = IsRetryable(errUnknown)
	}
}

func BenchmarkDelay(b *testing.B) {
	b.ReportAllocs()
	for _, j := range []Jitter{Proportional, NoJitter, FullJitter, EqualJitter, DecorrelatedJitter} {
		b.Run(j.String(), func(b *testing.B) {
			c := Config{Jitter: j}
			for b.Loop() {
				_ = c.Delay(5)
			}
		})
	}
}

func BenchmarkBudget(b *testing.B) {
	b.ReportAllocs()
	budget, _ := NewBudget(0.1, 10)
	cfg := Config{Budget: budget}
	fn := func(context.Context) error { return nil }
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			_ = Do(ctx, cfg, fn)
		}
	})
}
