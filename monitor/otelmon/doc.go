// Package otelmon exports circuit breakers and retries through an OpenTelemetry
// metric.MeterProvider that the application supplies (and so to any exporter it configured).
//
//	reg, err := otelmon.Register(provider, otelmon.Config{Registry: breakers, Metrics: metrics})
//	if err != nil {
//		return err
//	}
//	defer reg.Unregister()
//
// The instruments are asynchronous: one callback reads the breakers and the retry metrics at
// each collection. Names follow the OpenTelemetry conventions (dots, units as metadata):
//
//	resilience.circuitbreaker.state        gauge    {breaker, state}   1 for the current state, 0 for the others
//	resilience.circuitbreaker.calls        counter  {breaker, outcome} success, failure, slow, rejected, ignored
//	resilience.circuitbreaker.failure_rate gauge    {breaker}          0..1
//	resilience.circuitbreaker.slow_call_rate gauge  {breaker}          0..1
//	resilience.circuitbreaker.next_probe   gauge    {breaker}          seconds until an open breaker admits a probe
//	resilience.retry.calls                 counter  {operation}
//	resilience.retry.attempts              counter  {operation}
//	resilience.retry.retries               counter  {operation}
//	resilience.retry.successes_after_retry counter  {operation}
//	resilience.retry.exhausted             counter  {operation}
//	resilience.retry.success_rate          gauge    {operation}        0..1
//	resilience.retry.delay                 counter  {operation}        seconds waited between attempts
//
// Through a Prometheus exporter these appear with underscores and unit suffixes; for the
// exact names of package monitor/prom (and its histograms and transition counts), use that
// package instead.
package otelmon
