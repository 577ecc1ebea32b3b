package prom_test

import (
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/monitor/prom"
	"github.com/resilience-go/resilience/retry"
)

// BenchmarkGather50Breakers is one scrape of 50 breakers and 10 retry operations.
func BenchmarkGather50Breakers(b *testing.B) {
	reg := breaker.NewRegistry()
	for i := range 50 {
		if _, err := reg.Get(fmt.Sprintf("dep-%02d", i), breaker.Config{}); err != nil {
			b.Fatal(err)
		}
	}
	c, err := prom.NewCollector(prom.Config{Registry: reg, Metrics: retry.NewMetrics()})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	pr := prometheus.NewRegistry()
	if err := pr.Register(c); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pr.Gather(); err != nil {
			b.Fatal(err)
		}
	}
}
