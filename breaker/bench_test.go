package breaker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/resilience-go/resilience/breaker"
)

func newBench(b *testing.B, cfg breaker.Config) *breaker.Breaker {
	b.Helper()
	br, err := breaker.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return br
}

func ok(context.Context) error { return nil }

var errBench = errors.New("bench failure")

func BenchmarkCallClosed(b *testing.B) {
	br := newBench(b, breaker.Config{Timeout: breaker.NoTimeout})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_ = br.Call(ctx, ok)
	}
}

func BenchmarkCallClosedParallel(b *testing.B) {
	br := newBench(b, breaker.Config{Timeout: breaker.NoTimeout})
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = br.Call(ctx, ok)
		}
	})
}

func BenchmarkCallOpen(b *testing.B) {
	br := newBench(b, breaker.Config{Timeout: breaker.NoTimeout, RecoveryTimeout: time.Hour})
	br.ForceOpen()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_ = br.Call(ctx, ok)
	}
}

func BenchmarkCallOpenParallel(b *testing.B) {
	br := newBench(b, breaker.Config{Timeout: breaker.NoTimeout, RecoveryTimeout: time.Hour})
	br.ForceOpen()
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = br.Call(ctx, ok)
		}
	})
}

func BenchmarkCallTenPercentFailuresParallel(b *testing.B) {
	br := newBench(b, breaker.Config{Timeout: breaker.NoTimeout, FailureThreshold: 1000})
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		fail := func(context.Context) error { return errBench }
		for pb.Next() {
			i++
			if i%10 == 0 {
				_ = br.Call(ctx, fail)
			} else {
				_ = br.Call(ctx, ok)
			}
		}
	})
}

func BenchmarkCallWithTimeout(b *testing.B) {
	br := newBench(b, breaker.Config{Timeout: 30 * time.Second})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_ = br.Call(ctx, ok)
	}
}

func BenchmarkExecuteClosed(b *testing.B) {
	br := newBench(b, breaker.Config{Timeout: breaker.NoTimeout})
	ctx := context.Background()
	fn := func(context.Context) (int, error) { return 1, nil }
	b.ReportAllocs()
	for b.Loop() {
		_, _ = breaker.Execute(ctx, br, fn)
	}
}

func BenchmarkAllowClosed(b *testing.B) {
	br := newBench(b, breaker.Config{})
	b.ReportAllocs()
	for b.Loop() {
		done, err := br.Allow()
		if err == nil {
			done(nil)
		}
	}
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _ = breaker.New(breaker.Config{Timeout: breaker.NoTimeout})
	}
}

func BenchmarkCallWithTimeoutWaitingOnDone(b *testing.B) {
	br := newBench(b, breaker.Config{Timeout: 30 * time.Second})
	ctx := context.Background()
	fn := func(ctx context.Context) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
			return nil
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = br.Call(ctx, fn)
	}
}

func BenchmarkContextWithTimeout(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c, cancel := context.WithTimeout(ctx, 30*time.Second)
		_ = ok(c)
		cancel()
	}
}
