package monitor_test

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/monitor"
	"github.com/resilience-go/resilience/retry"
)

func benchMonitor(b *testing.B) *monitor.Monitor {
	b.Helper()
	reg := breaker.NewRegistry()
	for i := range 50 {
		if _, err := reg.Get(fmt.Sprintf("dep-%02d", i), breaker.Config{}); err != nil {
			b.Fatal(err)
		}
	}
	return monitor.New(reg, retry.NewMetrics())
}

// BenchmarkSnapshot50Breakers reads 50 breakers.
func BenchmarkSnapshot50Breakers(b *testing.B) {
	mon := benchMonitor(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = mon.Snapshot()
	}
}

// BenchmarkHandler50Breakers serves GET / for 50 breakers (JSON encoding included).
func BenchmarkHandler50Breakers(b *testing.B) {
	h, err := monitor.NewHandler(benchMonitor(b), monitor.HandlerOptions{})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/", nil)
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}
