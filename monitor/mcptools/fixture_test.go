package mcptools_test

import (
	"context"
	"errors"
	"time"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/monitor"
	"github.com/resilience-go/resilience/retry"
)

type transient struct{}

func (transient) Error() string   { return "connection reset (test)" }
func (transient) Retryable() bool { return true }

// newFixture returns a monitor of breakers "db" (forced open, 1 failure) and "gcs" (closed,
// 1 success), and retry operation "query" (one call that succeeded at its second attempt).
func newFixture() *monitor.Monitor {
	ctx := context.Background()
	reg := breaker.NewRegistry()
	db, _ := reg.Get("db", breaker.Config{Timeout: breaker.NoTimeout})
	_ = db.Call(ctx, func(context.Context) error { return errors.New("connection refused") })
	db.ForceOpen()
	gcs, _ := reg.Get("gcs", breaker.Config{Timeout: breaker.NoTimeout})
	_ = gcs.Call(ctx, func(context.Context) error { return nil })

	metrics := retry.NewMetrics()
	n := 0
	_ = retry.Do(ctx, retry.Config{Name: "query", InitialDelay: time.Nanosecond, Jitter: retry.NoJitter, Metrics: metrics},
		func(context.Context) error {
			if n++; n == 1 {
				return transient{}
			}
			return nil
		})
	return monitor.New(reg, metrics)
}
