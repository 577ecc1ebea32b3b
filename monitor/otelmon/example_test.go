package otelmon_test

import (
	"context"
	"errors"
	"fmt"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/monitor/otelmon"
	"github.com/resilience-go/resilience/retry"
)

func ExampleRegister() {
	ctx := context.Background()
	breakers := breaker.NewRegistry()
	b, _ := breakers.Get("database-pool", breaker.Config{FailureThreshold: 1})
	_ = b.Call(ctx, func(context.Context) error { return errors.New("connection refused") })

	// The application's provider; here with a reader that collects on demand.
	reader := sdkmetric.NewManualReader()
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer provider.Shutdown(ctx)

	reg, err := otelmon.Register(provider, otelmon.Config{Registry: breakers, Metrics: retry.NewMetrics()})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer reg.Unregister()

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(ctx, &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if m.Name != "resilience.circuitbreaker.state" {
			continue
		}
		for _, p := range m.Data.(metricdata.Gauge[int64]).DataPoints {
			if p.Value == 1 {
				state, _ := p.Attributes.Value("state")
				name, _ := p.Attributes.Value("breaker")
				fmt.Println(name.AsString(), state.AsString())
			}
		}
	}
	// Output:
	// database-pool open
}
