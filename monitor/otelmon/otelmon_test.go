package otelmon_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/goleak"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/monitor/otelmon"
	"github.com/resilience-go/resilience/retry"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

type transient struct{}

func (transient) Error() string   { return "connection reset (test)" }
func (transient) Retryable() bool { return true }

// point returns the value of metric name at the data point whose attributes include attrs.
func point(t *testing.T, rm metricdata.ResourceMetrics, name string, attrs ...attribute.KeyValue) float64 {
	t.Helper()
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			match := func(set attribute.Set) bool {
				for _, kv := range attrs {
					if v, ok := set.Value(kv.Key); !ok || v != kv.Value {
						return false
					}
				}
				return true
			}
			switch d := m.Data.(type) {
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					if match(p.Attributes) {
						return float64(p.Value)
					}
				}
			case metricdata.Gauge[float64]:
				for _, p := range d.DataPoints {
					if match(p.Attributes) {
						return p.Value
					}
				}
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					if match(p.Attributes) {
						return float64(p.Value)
					}
				}
			case metricdata.Sum[float64]:
				for _, p := range d.DataPoints {
					if match(p.Attributes) {
						return p.Value
					}
				}
			}
		}
	}
	t.Fatalf("no data point %s%v", name, attrs)
	return 0
}

func TestRegister(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		reg := breaker.NewRegistry()
		db, err := reg.Get("db", breaker.Config{FailureThreshold: 2, RecoveryTimeout: 30 * time.Second, Timeout: breaker.NoTimeout})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			_ = db.Call(ctx, func(context.Context) error { return errors.New("boom") })
		}
		_ = db.Call(ctx, func(context.Context) error { return nil })
		metrics := retry.NewMetrics()
		n := 0
		_ = retry.Do(ctx, retry.Config{Name: "query", InitialDelay: 100 * time.Millisecond, Jitter: retry.NoJitter, Metrics: metrics}, func(context.Context) error {
			if n++; n == 1 {
				return transient{}
			}
			return nil
		})

		reader := sdkmetric.NewManualReader()
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
		defer mp.Shutdown(ctx)
		r, err := otelmon.Register(mp, otelmon.Config{Registry: reg, Metrics: metrics})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Second)
		var rm metricdata.ResourceMetrics
		if err := reader.Collect(ctx, &rm); err != nil {
			t.Fatal(err)
		}
		br := attribute.String("breaker", "db")
		op := attribute.String("operation", "query")
		tests := []struct {
			name  string
			attrs []attribute.KeyValue
			want  float64
		}{
			{"resilience.circuitbreaker.state", []attribute.KeyValue{br, attribute.String("state", "open")}, 1},
			{"resilience.circuitbreaker.state", []attribute.KeyValue{br, attribute.String("state", "closed")}, 0},
			{"resilience.circuitbreaker.calls", []attribute.KeyValue{br, attribute.String("outcome", "failure")}, 2},
			{"resilience.circuitbreaker.calls", []attribute.KeyValue{br, attribute.String("outcome", "rejected")}, 1},
			{"resilience.circuitbreaker.failure_rate", []attribute.KeyValue{br}, 1},
			{"resilience.circuitbreaker.next_probe", []attribute.KeyValue{br}, 19.9},
			{"resilience.retry.calls", []attribute.KeyValue{op}, 1},
			{"resilience.retry.attempts", []attribute.KeyValue{op}, 2},
			{"resilience.retry.retries", []attribute.KeyValue{op}, 1},
			{"resilience.retry.successes_after_retry", []attribute.KeyValue{op}, 1},
			{"resilience.retry.exhausted", []attribute.KeyValue{op}, 0},
			{"resilience.retry.success_rate", []attribute.KeyValue{op}, 1},
			{"resilience.retry.delay", []attribute.KeyValue{op}, 0.1},
		}
		for _, tt := range tests {
			if got := point(t, rm, tt.name, tt.attrs...); got != tt.want {
				t.Errorf("%s%v = %v, want %v", tt.name, tt.attrs, got, tt.want)
			}
		}

		if err := r.Unregister(); err != nil {
			t.Fatal(err)
		}
		rm = metricdata.ResourceMetrics{}
		if err := reader.Collect(ctx, &rm); err != nil {
			t.Fatal(err)
		}
		for _, sm := range rm.ScopeMetrics {
			if len(sm.Metrics) != 0 {
				t.Errorf("after Unregister: %d metrics, want none", len(sm.Metrics))
			}
		}
	})
}

func TestRegisterNilProvider(t *testing.T) {
	if _, err := otelmon.Register(nil, otelmon.Config{}); err == nil {
		t.Error("Register(nil) = nil error, want one")
	}
}
