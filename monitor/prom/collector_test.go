package prom_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/monitor/prom"
	"github.com/resilience-go/resilience/retry"
)

type transient struct{}

func (transient) Error() string   { return "connection reset (test)" }
func (transient) Retryable() bool { return true }

var errBoom = errors.New("boom")

// setup makes, in a synctest bubble, a registry with breaker "db" opened at 00:00:00 for 30s
// after 2 failures and 1 rejection, a Collector over it registered on a fresh registry, and
// retry metrics "query" of one call that succeeded at its second attempt (through c.Do).
func setup(t *testing.T) (*prometheus.Registry, *prom.Collector, *breaker.Registry) {
	t.Helper()
	ctx := context.Background()
	reg := breaker.NewRegistry()
	metrics := retry.NewMetrics()
	c, err := prom.NewCollector(prom.Config{Registry: reg, Metrics: metrics, ConstLabels: prometheus.Labels{"service": "test"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	pr := prometheus.NewRegistry()
	if err := pr.Register(c); err != nil {
		t.Fatal(err)
	}
	db, err := reg.Get("db", breaker.Config{FailureThreshold: 2, RecoveryTimeout: 30 * time.Second, Timeout: breaker.NoTimeout})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		_ = db.Call(ctx, func(context.Context) error { return errBoom })
	}
	_ = db.Call(ctx, func(context.Context) error { return nil })

	n := 0
	cfg := retry.Config{Name: "query", MaxAttempts: 3, InitialDelay: 100 * time.Millisecond, MaxDelay: time.Second, Jitter: retry.NoJitter, Metrics: metrics}
	if err := c.Do(ctx, cfg, func(context.Context) error {
		if n++; n == 1 {
			return transient{}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return pr, c, reg
}

func TestCollectorBreakers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pr, _, _ := setup(t)
		time.Sleep(10 * time.Second)
		want := `
# HELP resilience_circuitbreaker_calls_total Calls through a circuit breaker by outcome (success, failure, slow, rejected, ignored); slow calls are also counted as success or failure.
# TYPE resilience_circuitbreaker_calls_total counter
resilience_circuitbreaker_calls_total{name="db",outcome="failure",service="test"} 2
resilience_circuitbreaker_calls_total{name="db",outcome="ignored",service="test"} 0
resilience_circuitbreaker_calls_total{name="db",outcome="rejected",service="test"} 1
resilience_circuitbreaker_calls_total{name="db",outcome="slow",service="test"} 0
resilience_circuitbreaker_calls_total{name="db",outcome="success",service="test"} 0
# HELP resilience_circuitbreaker_consecutive_failures Failures since the last success.
# TYPE resilience_circuitbreaker_consecutive_failures gauge
resilience_circuitbreaker_consecutive_failures{name="db",service="test"} 2
# HELP resilience_circuitbreaker_failure_rate Circuit breaker failure rate, 0..1.
# TYPE resilience_circuitbreaker_failure_rate gauge
resilience_circuitbreaker_failure_rate{name="db",service="test"} 1
# HELP resilience_circuitbreaker_next_probe_seconds Seconds until an open circuit breaker admits a probe call; 0 unless open.
# TYPE resilience_circuitbreaker_next_probe_seconds gauge
resilience_circuitbreaker_next_probe_seconds{name="db",service="test"} 19.9
# HELP resilience_circuitbreaker_slow_call_rate Circuit breaker slow call rate, 0..1.
# TYPE resilience_circuitbreaker_slow_call_rate gauge
resilience_circuitbreaker_slow_call_rate{name="db",service="test"} 0
# HELP resilience_circuitbreaker_state Circuit breaker state: 1 for the current state (closed, open, half_open), 0 for the others.
# TYPE resilience_circuitbreaker_state gauge
resilience_circuitbreaker_state{name="db",service="test",state="closed"} 0
resilience_circuitbreaker_state{name="db",service="test",state="half_open"} 0
resilience_circuitbreaker_state{name="db",service="test",state="open"} 1
# HELP resilience_circuitbreaker_transitions_total Circuit breaker state transitions seen by this collector.
# TYPE resilience_circuitbreaker_transitions_total counter
resilience_circuitbreaker_transitions_total{from="closed",name="db",service="test",to="open"} 1
`
		if err := testutil.GatherAndCompare(pr, strings.NewReader(want),
			"resilience_circuitbreaker_calls_total", "resilience_circuitbreaker_consecutive_failures",
			"resilience_circuitbreaker_failure_rate", "resilience_circuitbreaker_next_probe_seconds",
			"resilience_circuitbreaker_slow_call_rate", "resilience_circuitbreaker_state",
			"resilience_circuitbreaker_transitions_total"); err != nil {
			t.Error(err)
		}
	})
}

func TestCollectorTransitions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pr, c, reg := setup(t)
		time.Sleep(30 * time.Second) // the recovery timer turns db half-open
		synctest.Wait()
		db, _ := reg.Lookup("db")
		_ = db.Call(context.Background(), func(context.Context) error { return errBoom }) // probe fails: open again
		c.Close()
		db.Reset() // after Close: not counted
		want := `
# HELP resilience_circuitbreaker_transitions_total Circuit breaker state transitions seen by this collector.
# TYPE resilience_circuitbreaker_transitions_total counter
resilience_circuitbreaker_transitions_total{from="closed",name="db",service="test",to="open"} 1
resilience_circuitbreaker_transitions_total{from="half_open",name="db",service="test",to="open"} 1
resilience_circuitbreaker_transitions_total{from="open",name="db",service="test",to="half_open"} 1
`
		if err := testutil.GatherAndCompare(pr, strings.NewReader(want), "resilience_circuitbreaker_transitions_total"); err != nil {
			t.Error(err)
		}
		c.Close() // idempotent
	})
}

func TestCollectorRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pr, _, _ := setup(t)
		want := `
# HELP resilience_retry_attempts_total Attempts made by retrying calls, first attempts included.
# TYPE resilience_retry_attempts_total counter
resilience_retry_attempts_total{name="query",service="test"} 2
# HELP resilience_retry_call_attempts Attempts per call, for calls made through this collector's Do and DoValue.
# TYPE resilience_retry_call_attempts histogram
resilience_retry_call_attempts_bucket{name="query",service="test",le="1"} 0
resilience_retry_call_attempts_bucket{name="query",service="test",le="2"} 1
resilience_retry_call_attempts_bucket{name="query",service="test",le="3"} 1
resilience_retry_call_attempts_bucket{name="query",service="test",le="4"} 1
resilience_retry_call_attempts_bucket{name="query",service="test",le="5"} 1
resilience_retry_call_attempts_bucket{name="query",service="test",le="6"} 1
resilience_retry_call_attempts_bucket{name="query",service="test",le="8"} 1
resilience_retry_call_attempts_bucket{name="query",service="test",le="10"} 1
resilience_retry_call_attempts_bucket{name="query",service="test",le="+Inf"} 1
resilience_retry_call_attempts_sum{name="query",service="test"} 2
resilience_retry_call_attempts_count{name="query",service="test"} 1
# HELP resilience_retry_calls_total Retrying calls that ended.
# TYPE resilience_retry_calls_total counter
resilience_retry_calls_total{name="query",service="test"} 1
# HELP resilience_retry_delay_seconds_total Time spent waiting between attempts.
# TYPE resilience_retry_delay_seconds_total counter
resilience_retry_delay_seconds_total{name="query",service="test"} 0.1
# HELP resilience_retry_exhausted_total Calls that failed after their last allowed attempt.
# TYPE resilience_retry_exhausted_total counter
resilience_retry_exhausted_total{name="query",service="test"} 0
# HELP resilience_retry_retries_total Attempts that were retries.
# TYPE resilience_retry_retries_total counter
resilience_retry_retries_total{name="query",service="test"} 1
# HELP resilience_retry_success_rate Share of the calls that retried which then succeeded, 0..1.
# TYPE resilience_retry_success_rate gauge
resilience_retry_success_rate{name="query",service="test"} 1
# HELP resilience_retry_successes_after_retry_total Calls that succeeded after at least one retry.
# TYPE resilience_retry_successes_after_retry_total counter
resilience_retry_successes_after_retry_total{name="query",service="test"} 1
`
		if err := testutil.GatherAndCompare(pr, strings.NewReader(want),
			"resilience_retry_attempts_total", "resilience_retry_call_attempts", "resilience_retry_calls_total",
			"resilience_retry_delay_seconds_total", "resilience_retry_exhausted_total", "resilience_retry_retries_total",
			"resilience_retry_success_rate", "resilience_retry_successes_after_retry_total"); err != nil {
			t.Error(err)
		}
		// One wait of 0.1s: in the le=0.16 bucket, not in le=0.08.
		if got := testutil.CollectAndCount(pr, "resilience_retry_delay_seconds"); got != 1 {
			t.Errorf("resilience_retry_delay_seconds series = %d, want 1", got)
		}
	})
}

func TestInstrumentRetryChains(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, err := prom.NewCollector(prom.Config{Registry: breaker.NewRegistry(), Metrics: retry.NewMetrics(), DelayBuckets: []float64{0.05, 0.15, 0.5}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var seen []time.Duration
		cfg := retry.Config{Name: "upload", MaxAttempts: 3, InitialDelay: 100 * time.Millisecond, MaxDelay: time.Second, Jitter: retry.NoJitter, Metrics: retry.NewMetrics(),
			OnRetry: func(_ int, _ error, d time.Duration) { seen = append(seen, d) }}
		_ = retry.Do(context.Background(), c.InstrumentRetry(cfg), func(context.Context) error { return transient{} })
		if len(seen) != 2 {
			t.Errorf("chained OnRetry saw %v, want 2 waits", seen)
		}
		want := `
# HELP resilience_retry_delay_seconds Each wait between attempts, for retry configs instrumented by this collector.
# TYPE resilience_retry_delay_seconds histogram
resilience_retry_delay_seconds_bucket{name="upload",le="0.05"} 0
resilience_retry_delay_seconds_bucket{name="upload",le="0.15"} 1
resilience_retry_delay_seconds_bucket{name="upload",le="0.5"} 2
resilience_retry_delay_seconds_bucket{name="upload",le="+Inf"} 2
resilience_retry_delay_seconds_sum{name="upload"} 0.30000000000000004
resilience_retry_delay_seconds_count{name="upload"} 2
`
		if err := testutil.CollectAndCompare(c, strings.NewReader(want), "resilience_retry_delay_seconds"); err != nil {
			t.Error(err)
		}
	})
}

func TestDoValue(t *testing.T) {
	c, err := prom.NewCollector(prom.Config{Registry: breaker.NewRegistry(), Metrics: retry.NewMetrics()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	v, err := prom.DoValue(context.Background(), c, retry.Config{Name: "get", Metrics: retry.NewMetrics()}, func(context.Context) (int, error) { return 42, nil })
	if v != 42 || err != nil {
		t.Fatalf("DoValue = %v, %v; want 42, nil", v, err)
	}
	// An invalid Config calls fn no time: no observation, the config error comes back.
	_, err = prom.DoValue(context.Background(), c, retry.Config{Name: "bad", MaxAttempts: -1}, func(context.Context) (int, error) { return 0, nil })
	if !errors.Is(err, retry.ErrInvalidConfig) {
		t.Errorf("DoValue(MaxAttempts -1) = %v, want ErrInvalidConfig", err)
	}
	if got := testutil.CollectAndCount(c, "resilience_retry_call_attempts"); got != 1 {
		t.Errorf("resilience_retry_call_attempts series = %d, want 1 (only \"get\")", got)
	}
}

func TestDoubleRegistration(t *testing.T) {
	c, err := prom.NewCollector(prom.Config{Registry: breaker.NewRegistry(), Metrics: retry.NewMetrics()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pr := prometheus.NewRegistry()
	if err := pr.Register(c); err != nil {
		t.Fatal(err)
	}
	err = pr.Register(c)
	var are prometheus.AlreadyRegisteredError
	if !errors.As(err, &are) {
		t.Errorf("second Register = %v, want AlreadyRegisteredError", err)
	}
	// A second collector over other breakers clashes too: one per Prometheus registry.
	c2, _ := prom.NewCollector(prom.Config{Registry: breaker.NewRegistry(), Metrics: retry.NewMetrics()})
	defer c2.Close()
	if err := pr.Register(c2); err == nil {
		t.Error("Register of a second Collector = nil, want an error")
	}
}

func TestLint(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c, _ := setup(t)
		problems, err := testutil.CollectAndLint(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Errorf("lint %s: %s", p.Metric, p.Text)
		}
	})
}

func TestNewCollectorErrors(t *testing.T) {
	tests := []struct {
		name string
		give prom.Config
		want string
	}{
		{name: "empty buckets", give: prom.Config{DelayBuckets: []float64{}}, want: "prom: Config.DelayBuckets is empty"},
		{name: "decreasing", give: prom.Config{DelayBuckets: []float64{1, 0.5}}, want: "prom: Config.DelayBuckets[1] is 0.5, not greater than the bucket before it (1)"},
		{name: "NaN", give: prom.Config{AttemptBuckets: []float64{1, nan()}}, want: "prom: Config.AttemptBuckets[1] is NaN, want a finite number"},
		{name: "label clash", give: prom.Config{ConstLabels: prometheus.Labels{"name": "x"}}, want: `prom: Config.ConstLabels: label "name" clashes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.give.Registry = breaker.NewRegistry()
			_, err := prom.NewCollector(tt.give)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewCollector = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func nan() float64 { z := 0.0; return z / z }
