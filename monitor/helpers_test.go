package monitor_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/monitor"
	"github.com/resilience-go/resilience/retry"
)

// transient is an error that declares itself retryable.
type transient struct{}

func (transient) Error() string   { return "connection reset (test)" }
func (transient) Retryable() bool { return true }

var errBoom = errors.New("boom")

// fixture builds, inside a synctest bubble (time starts at 2000-01-01 00:00:00 UTC), a
// registry with an open breaker "db" (opened at 00:00:00, recovery 30s), a closed breaker
// "api" with one success, and retry metrics for "query": one call that succeeded on its
// second attempt after a 100ms wait, and one call that gave up after 2 attempts.
func fixture(t *testing.T) (*breaker.Registry, *retry.Metrics, *monitor.Monitor) {
	t.Helper()
	ctx := context.Background()
	reg := breaker.NewRegistry()
	db, err := reg.Get("db", breaker.Config{FailureThreshold: 2, RecoveryTimeout: 30 * time.Second, Timeout: breaker.NoTimeout})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		_ = db.Call(ctx, func(context.Context) error { return errBoom })
	}
	if err := db.Call(ctx, func(context.Context) error { return nil }); !errors.Is(err, breaker.ErrOpen) {
		t.Fatalf("db.Call after 2 failures = %v, want ErrOpen", err)
	}
	api, err := reg.Get("api", breaker.Config{Timeout: breaker.NoTimeout})
	if err != nil {
		t.Fatal(err)
	}
	if err := api.Call(ctx, func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}

	metrics := retry.NewMetrics()
	cfg := retry.Config{Name: "query", MaxAttempts: 2, InitialDelay: 100 * time.Millisecond, MaxDelay: time.Second, Jitter: retry.NoJitter, Metrics: metrics}
	n := 0
	if err := retry.Do(ctx, cfg, func(context.Context) error {
		n++
		if n == 1 {
			return transient{}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := retry.Do(ctx, cfg, func(context.Context) error { return transient{} }); err == nil {
		t.Fatal("retry.Do with an always failing fn succeeded")
	}
	return reg, metrics, monitor.New(reg, metrics)
}
