package monitor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/monitor"
	"github.com/resilience-go/resilience/retry"
)

// records decodes the JSON lines of buf, dropping the time attribute.
func records(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(buf.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		delete(m, slog.TimeKey)
		out = append(out, m)
	}
	return out
}

func TestLogStateChanges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		var buf bytes.Buffer
		reg := breaker.NewRegistry()
		stop := monitor.LogStateChanges(reg, slog.New(slog.NewJSONHandler(&buf, nil)))
		b, err := reg.Get("db", breaker.Config{FailureThreshold: 1, RecoveryTimeout: time.Second, SuccessThreshold: 1, Timeout: breaker.NoTimeout})
		if err != nil {
			t.Fatal(err)
		}
		_ = b.Call(ctx, func(context.Context) error { return errBoom })
		time.Sleep(time.Second) // fake clock: the recovery timer fires
		synctest.Wait()
		_ = b.Call(ctx, func(context.Context) error { return nil })
		stop()
		b.ForceOpen() // after stop: not logged

		got := records(t, &buf)
		for _, r := range got {
			delete(r, "reason") // the breaker's words, not this package's
		}
		want := []map[string]any{
			{"level": "WARN", "msg": monitor.MsgStateChange, "breaker": "db", "from": "closed", "to": "open", "at": "2000-01-01T00:00:00Z"},
			{"level": "INFO", "msg": monitor.MsgStateChange, "breaker": "db", "from": "open", "to": "half_open", "at": "2000-01-01T00:00:01Z"},
			{"level": "INFO", "msg": monitor.MsgStateChange, "breaker": "db", "from": "half_open", "to": "closed", "at": "2000-01-01T00:00:01Z"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("state change records (-want +got):\n%s", diff)
		}
		if !strings.Contains(buf.String(), `"reason":"`) {
			t.Errorf("records have no reason: %s", &buf)
		}
	})
}

func TestLogRetriesAndExhausted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		var buf bytes.Buffer
		logger := slog.New(slog.NewJSONHandler(&buf, nil))
		var chained []int
		cfg := retry.Config{
			Name: "query", MaxAttempts: 3, InitialDelay: 100 * time.Millisecond, MaxDelay: time.Second,
			Jitter: retry.NoJitter, Metrics: retry.NewMetrics(),
			OnRetry: func(attempt int, _ error, _ time.Duration) { chained = append(chained, attempt) },
		}
		err := monitor.LogExhausted(ctx, logger, retry.Do(ctx, monitor.LogRetries(cfg, logger), func(context.Context) error {
			return transient{}
		}))
		var re *retry.Error
		if !errors.As(err, &re) {
			t.Fatalf("LogExhausted returned %v, want the *retry.Error unchanged", err)
		}
		if diff := cmp.Diff([]int{1, 2}, chained); diff != "" {
			t.Errorf("the OnRetry already in the config was not chained (-want +got):\n%s", diff)
		}
		want := []map[string]any{
			{"level": "INFO", "msg": monitor.MsgRetry, "operation": "query", "attempt": 1.0, "delay": 1e8, "error": "connection reset (test)"},
			{"level": "INFO", "msg": monitor.MsgRetry, "operation": "query", "attempt": 2.0, "delay": 2e8, "error": "connection reset (test)"},
			{"level": "WARN", "msg": monitor.MsgRetryExhausted, "operation": "query", "attempts": 3.0, "last_error": "connection reset (test)"},
		}
		if diff := cmp.Diff(want, records(t, &buf)); diff != "" {
			t.Errorf("retry records (-want +got):\n%s", diff)
		}
	})
}

func TestLogExhaustedIgnoresOtherErrors(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	for _, give := range []error{nil, errBoom} {
		if got := monitor.LogExhausted(context.Background(), logger, give); got != give {
			t.Errorf("LogExhausted(%v) = %v, want it unchanged", give, got)
		}
	}
	if buf.Len() != 0 {
		t.Errorf("LogExhausted logged %s for errors that are not *retry.Error", &buf)
	}
}

func TestLogExhaustedCause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		logger := slog.New(slog.NewJSONHandler(&buf, nil))
		ctx, cancel := context.WithCancel(context.Background())
		cfg := retry.Config{Name: "query", MaxAttempts: 5, InitialDelay: time.Second, MaxDelay: time.Second, Metrics: retry.NewMetrics()}
		_ = monitor.LogExhausted(ctx, logger, retry.Do(ctx, cfg, func(context.Context) error {
			cancel() // the caller gives up during the first attempt
			return transient{}
		}))
		got := records(t, &buf)
		if len(got) != 1 || got[0]["cause"] != "context canceled" || got[0]["attempts"] != 1.0 {
			t.Errorf("records = %v, want one with cause \"context canceled\" and attempts 1", got)
		}
	})
}
