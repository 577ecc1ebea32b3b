package bench

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	eapache "github.com/eapache/go-resiliency/breaker"
	"github.com/failsafe-go/failsafe-go"
	fscb "github.com/failsafe-go/failsafe-go/circuitbreaker"
	mercari "github.com/mercari/go-circuitbreaker"
	"github.com/sony/gobreaker/v2"

	"github.com/resilience-go/resilience/breaker"
)

var errFail = errors.New("fail")

// subject is one library's breaker, adapted to a call of fn that either succeeds or fails.
type subject struct {
	name string
	// make returns a call function; open trips the breaker first.
	make func(b *testing.B, open bool) func(fail bool) error
}

const never = math.MaxInt32 // a threshold that is never reached

var subjects = []subject{
	{"resilience", resilienceSubject(breaker.NoTimeout)},
	{"resilience-timeout30s", resilienceSubject(30 * time.Second)},
	{"gobreaker", func(b *testing.B, open bool) func(bool) error {
		st := gobreaker.Settings{Name: "x", Timeout: time.Hour}
		if open {
			st.ReadyToTrip = func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 1 }
		} else {
			st.ReadyToTrip = func(c gobreaker.Counts) bool { return false }
		}
		cb := gobreaker.NewCircuitBreaker[any](st)
		if open {
			_, _ = cb.Execute(func() (any, error) { return nil, errFail })
		}
		okFn := func() (any, error) { return nil, nil }
		failFn := func() (any, error) { return nil, errFail }
		return func(fail bool) error {
			if fail {
				_, err := cb.Execute(failFn)
				return err
			}
			_, err := cb.Execute(okFn)
			return err
		}
	}},
	{"eapache", func(b *testing.B, open bool) func(bool) error {
		threshold := never
		if open {
			threshold = 1
		}
		cb := eapache.New(threshold, 1, time.Hour)
		if open {
			_ = cb.Run(func() error { return errFail })
		}
		okFn := func() error { return nil }
		failFn := func() error { return errFail }
		return func(fail bool) error {
			if fail {
				return cb.Run(failFn)
			}
			return cb.Run(okFn)
		}
	}},
	{"mercari", func(b *testing.B, open bool) func(bool) error {
		cb := mercari.New(mercari.WithTripFunc(mercari.NewTripFuncConsecutiveFailures(never)), mercari.WithOpenTimeout(time.Hour))
		if open {
			cb.SetState(mercari.StateOpen)
		}
		ctx := context.Background()
		okFn := func() (interface{}, error) { return nil, nil }
		failFn := func() (interface{}, error) { return nil, errFail }
		return func(fail bool) error {
			if fail {
				_, err := cb.Do(ctx, failFn)
				return err
			}
			_, err := cb.Do(ctx, okFn)
			return err
		}
	}},
	{"failsafe-go", func(b *testing.B, open bool) func(bool) error {
		cb := fscb.NewBuilder[any]().WithFailureThreshold(1000).WithDelay(time.Hour).Build()
		if open {
			cb.Open()
		}
		ex := failsafe.With[any](cb)
		okFn := func() error { return nil }
		failFn := func() error { return errFail }
		return func(fail bool) error {
			if fail {
				return ex.Run(failFn)
			}
			return ex.Run(okFn)
		}
	}},
}

func resilienceSubject(timeout time.Duration) func(b *testing.B, open bool) func(bool) error {
	return func(b *testing.B, open bool) func(bool) error {
		br, err := breaker.New(breaker.Config{FailureThreshold: 1 << 30, RecoveryTimeout: time.Hour, Timeout: timeout})
		if err != nil {
			b.Fatal(err)
		}
		if open {
			br.ForceOpen()
		}
		ctx := context.Background()
		okFn := func(context.Context) error { return nil }
		failFn := func(context.Context) error { return errFail }
		return func(fail bool) error {
			if fail {
				return br.Call(ctx, failFn)
			}
			return br.Call(ctx, okFn)
		}
	}
}

// BenchmarkBreakerClosed: a call that returns nil through a closed breaker, one goroutine.
func BenchmarkBreakerClosed(b *testing.B) {
	for _, s := range subjects {
		b.Run(s.name, func(b *testing.B) {
			call := s.make(b, false)
			b.ReportAllocs()
			for b.Loop() {
				if call(false) != nil {
					b.Fatal("call failed")
				}
			}
		})
	}
}

// BenchmarkBreakerClosedParallel: the same from every CPU at once.
func BenchmarkBreakerClosedParallel(b *testing.B) {
	for _, s := range subjects {
		b.Run(s.name, func(b *testing.B) {
			call := s.make(b, false)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					_ = call(false)
				}
			})
		})
	}
}

// BenchmarkBreakerOpen: a call rejected by an open breaker.
func BenchmarkBreakerOpen(b *testing.B) {
	for _, s := range subjects {
		b.Run(s.name, func(b *testing.B) {
			call := s.make(b, true)
			if call(false) == nil {
				b.Fatal("breaker not open")
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = call(false)
			}
		})
	}
}

// BenchmarkBreakerTenPercentFailuresParallel: every tenth call fails (never enough to trip),
// from every CPU at once.
func BenchmarkBreakerTenPercentFailuresParallel(b *testing.B) {
	for _, s := range subjects {
		b.Run(s.name, func(b *testing.B) {
			call := s.make(b, false)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					i++
					_ = call(i%10 == 0)
				}
			})
		})
	}
}

// BenchmarkBreakerNew: what one breaker costs to make (B/op is bytes per breaker).
func BenchmarkBreakerNew(b *testing.B) {
	b.Run("resilience", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = breaker.New(breaker.Config{Timeout: breaker.NoTimeout})
		}
	})
	b.Run("gobreaker", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = gobreaker.NewCircuitBreaker[any](gobreaker.Settings{Name: "x"})
		}
	})
	b.Run("eapache", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = eapache.New(5, 3, time.Minute)
		}
	})
	b.Run("mercari", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = mercari.New()
		}
	})
	b.Run("failsafe-go", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = fscb.NewWithDefaults[any]()
		}
	})
}
