package monitor_test

import (
	"encoding/json"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/monitor"
	"github.com/resilience-go/resilience/retry"
)

func TestSnapshotJSON(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, _, mon := fixture(t)
		time.Sleep(10 * time.Second) // fake clock: the db breaker has 20s left
		got, err := json.MarshalIndent(mon.Snapshot(), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		want := `{
  "generated_at": "2000-01-01T00:00:10.2Z",
  "breakers": [
    {
      "name": "api",
      "state": "closed",
      "total_requests": 1,
      "successful_requests": 1,
      "failed_requests": 0,
      "rejected_requests": 0,
      "ignored_requests": 0,
      "slow_requests": 0,
      "consecutive_failures": 0,
      "consecutive_successes": 1,
      "failure_rate": 0,
      "slow_call_rate": 0,
      "window_calls": 0,
      "half_open_in_flight": 0,
      "last_state_change": "2000-01-01T00:00:00Z",
      "next_probe_in_seconds": 0
    },
    {
      "name": "db",
      "state": "open",
      "total_requests": 3,
      "successful_requests": 0,
      "failed_requests": 2,
      "rejected_requests": 1,
      "ignored_requests": 0,
      "slow_requests": 0,
      "consecutive_failures": 2,
      "consecutive_successes": 0,
      "failure_rate": 1,
      "slow_call_rate": 0,
      "window_calls": 0,
      "half_open_in_flight": 0,
      "last_state_change": "2000-01-01T00:00:00Z",
      "open_until": "2000-01-01T00:00:30Z",
      "next_probe_in_seconds": 19.8
    }
  ],
  "retries": [
    {
      "name": "query",
      "calls": 2,
      "attempts": 4,
      "retries": 2,
      "successes_after_retry": 1,
      "exhausted": 1,
      "retry_success_rate": 0.5,
      "total_delay_seconds": 0.2,
      "average_delay_seconds": 0.1
    }
  ]
}`
		if diff := cmp.Diff(want, string(got)); diff != "" {
			t.Errorf("Snapshot JSON mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestSnapshotEmpty(t *testing.T) {
	mon := monitor.New(breaker.NewRegistry(), retry.NewMetrics())
	got, err := json.Marshal(mon.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatal(err)
	}
	// Empty lists are [] (not null), so clients can iterate without a check.
	for _, k := range []string{"breakers", "retries"} {
		if l, ok := v[k].([]any); !ok || len(l) != 0 {
			t.Errorf("Snapshot()[%q] = %#v, want []", k, v[k])
		}
	}
}

func TestBreakerTimeAware(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, _, mon := fixture(t)
		time.Sleep(30 * time.Second)
		st, err := mon.Breaker("db")
		if err != nil {
			t.Fatal(err)
		}
		if st.State != "half_open" || st.OpenUntil != nil || st.NextProbeInSeconds != 0 {
			t.Errorf("Breaker(db) after the recovery timeout = state %q, open_until %v, next probe %v; want half_open, nil, 0",
				st.State, st.OpenUntil, st.NextProbeInSeconds)
		}
	})
}

func TestLookupErrors(t *testing.T) {
	tests := []struct {
		name    string
		give    func(*monitor.Monitor) error
		wantMsg string
		wantBrk bool
	}{
		{
			name:    "breaker",
			give:    func(m *monitor.Monitor) error { _, err := m.Breaker("nope"); return err },
			wantMsg: `circuit breaker "nope" not found (known: api, db)`,
			wantBrk: true,
		},
		{
			name:    "reset",
			give:    func(m *monitor.Monitor) error { _, err := m.Reset("nope"); return err },
			wantMsg: `circuit breaker "nope" not found (known: api, db)`,
			wantBrk: true,
		},
		{
			name:    "retry",
			give:    func(m *monitor.Monitor) error { _, err := m.Retry("nope"); return err },
			wantMsg: `retry operation "nope" not found (known: query)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, _, mon := fixture(t)
				err := tt.give(mon)
				if err == nil || err.Error() != tt.wantMsg {
					t.Fatalf("err = %v, want %q", err, tt.wantMsg)
				}
				if !errors.Is(err, monitor.ErrNotFound) {
					t.Errorf("errors.Is(%v, ErrNotFound) = false, want true", err)
				}
				if got := errors.Is(err, breaker.ErrNotFound); got != tt.wantBrk {
					t.Errorf("errors.Is(%v, breaker.ErrNotFound) = %v, want %v", err, got, tt.wantBrk)
				}
			})
		})
	}
}

func TestLookupErrorNoneKnown(t *testing.T) {
	mon := monitor.New(breaker.NewRegistry(), retry.NewMetrics())
	_, err := mon.Breaker("x")
	if want := `circuit breaker "x" not found (there are none)`; err == nil || err.Error() != want {
		t.Errorf("Breaker(x) = %v, want %q", err, want)
	}
}

func TestReset(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg, _, mon := fixture(t)
		st, err := mon.Reset("db")
		if err != nil {
			t.Fatal(err)
		}
		if st.State != "closed" || st.FailedRequests != 2 {
			t.Errorf("Reset(db) = state %q, failed %d; want closed, 2 (lifetime totals kept)", st.State, st.FailedRequests)
		}
		b, _ := reg.Lookup("db")
		if got := b.State(); got != breaker.Closed {
			t.Errorf("db.State() after Reset = %v, want closed", got)
		}
	})
}

func TestNewNilUsesDefaults(t *testing.T) {
	mon := monitor.New(nil, nil)
	if mon.Registry() != breaker.Default() || mon.Metrics() != retry.DefaultMetrics() {
		t.Error("New(nil, nil) does not use breaker.Default() and retry.DefaultMetrics()")
	}
}
