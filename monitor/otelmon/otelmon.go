package otelmon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/retry"
)

// ScopeName is the instrumentation scope of the meter Register asks the provider for.
const ScopeName = "github.com/resilience-go/resilience/monitor/otelmon"

// Config configures [Register]. Its zero value exports the default registry and metrics.
type Config struct {
	// Registry is the breaker registry to export. If nil, breaker.Default().
	Registry *breaker.Registry
	// Metrics is the retry metrics to export. If nil, retry.DefaultMetrics().
	Metrics *retry.Metrics
}

// Register creates the instruments on a meter of provider and registers the callback that
// fills them. Unregister the returned Registration to stop.
func Register(provider metric.MeterProvider, cfg Config) (metric.Registration, error) {
	if provider == nil {
		return nil, errors.New("otelmon: Register: MeterProvider is nil")
	}
	if cfg.Registry == nil {
		cfg.Registry = breaker.Default()
	}
	if cfg.Metrics == nil {
		cfg.Metrics = retry.DefaultMetrics()
	}
	m := provider.Meter(ScopeName)
	var (
		e   instruments
		err error
		all []error
	)
	keep := func(err error) { all = append(all, err) }
	e.state, err = m.Int64ObservableGauge("resilience.circuitbreaker.state", metric.WithDescription("1 for the breaker's current state, 0 for the others."))
	keep(err)
	e.calls, err = m.Int64ObservableCounter("resilience.circuitbreaker.calls", metric.WithDescription("Calls through a circuit breaker by outcome; slow calls are also success or failure."), metric.WithUnit("{call}"))
	keep(err)
	e.failureRate, err = m.Float64ObservableGauge("resilience.circuitbreaker.failure_rate", metric.WithDescription("Circuit breaker failure rate, 0..1."), metric.WithUnit("1"))
	keep(err)
	e.slowRate, err = m.Float64ObservableGauge("resilience.circuitbreaker.slow_call_rate", metric.WithDescription("Circuit breaker slow call rate, 0..1."), metric.WithUnit("1"))
	keep(err)
	e.nextProbe, err = m.Float64ObservableGauge("resilience.circuitbreaker.next_probe", metric.WithDescription("Time until an open circuit breaker admits a probe call; 0 unless open."), metric.WithUnit("s"))
	keep(err)
	e.rCalls, err = m.Int64ObservableCounter("resilience.retry.calls", metric.WithDescription("Retrying calls that ended."), metric.WithUnit("{call}"))
	keep(err)
	e.rAttempts, err = m.Int64ObservableCounter("resilience.retry.attempts", metric.WithDescription("Attempts, first attempts included."), metric.WithUnit("{attempt}"))
	keep(err)
	e.rRetries, err = m.Int64ObservableCounter("resilience.retry.retries", metric.WithDescription("Attempts that were retries."), metric.WithUnit("{attempt}"))
	keep(err)
	e.rSuccesses, err = m.Int64ObservableCounter("resilience.retry.successes_after_retry", metric.WithDescription("Calls that succeeded after at least one retry."), metric.WithUnit("{call}"))
	keep(err)
	e.rExhausted, err = m.Int64ObservableCounter("resilience.retry.exhausted", metric.WithDescription("Calls that failed after their last allowed attempt."), metric.WithUnit("{call}"))
	keep(err)
	e.rRate, err = m.Float64ObservableGauge("resilience.retry.success_rate", metric.WithDescription("Share of the calls that retried which then succeeded, 0..1."), metric.WithUnit("1"))
	keep(err)
	e.rDelay, err = m.Float64ObservableCounter("resilience.retry.delay", metric.WithDescription("Time spent waiting between attempts."), metric.WithUnit("s"))
	keep(err)
	if err := errors.Join(all...); err != nil {
		return nil, fmt.Errorf("otelmon: creating instruments: %w", err)
	}
	e.reg, e.metrics, e.now = cfg.Registry, cfg.Metrics, time.Now
	r, err := m.RegisterCallback(e.observe,
		e.state, e.calls, e.failureRate, e.slowRate, e.nextProbe,
		e.rCalls, e.rAttempts, e.rRetries, e.rSuccesses, e.rExhausted, e.rRate, e.rDelay)
	if err != nil {
		return nil, fmt.Errorf("otelmon: registering callback: %w", err)
	}
	return r, nil
}

type instruments struct {
	reg     *breaker.Registry
	metrics *retry.Metrics
	now     func() time.Time

	state, calls                                        metric.Int64Observable
	failureRate, slowRate, nextProbe                    metric.Float64Observable
	rCalls, rAttempts, rRetries, rSuccesses, rExhausted metric.Int64Observable
	rRate, rDelay                                       metric.Float64Observable
}

var states = [...]breaker.State{breaker.Closed, breaker.Open, breaker.HalfOpen}

func (e *instruments) observe(_ context.Context, o metric.Observer) error {
	now := e.now()
	for _, name := range e.reg.Names() {
		b, ok := e.reg.Lookup(name)
		if !ok {
			continue
		}
		st := b.Stats()
		br := attribute.String("breaker", name)
		for _, s := range states {
			v := int64(0)
			if st.State == s {
				v = 1
			}
			o.ObserveInt64(e.state, v, metric.WithAttributes(br, attribute.String("state", s.String())))
		}
		for _, c := range [...]struct {
			outcome string
			n       int64
		}{
			{"success", st.SuccessfulRequests}, {"failure", st.FailedRequests}, {"slow", st.SlowRequests},
			{"rejected", st.RejectedRequests}, {"ignored", st.IgnoredRequests},
		} {
			o.ObserveInt64(e.calls, c.n, metric.WithAttributes(br, attribute.String("outcome", c.outcome)))
		}
		o.ObserveFloat64(e.failureRate, st.FailureRate, metric.WithAttributes(br))
		o.ObserveFloat64(e.slowRate, st.SlowCallRate, metric.WithAttributes(br))
		next := 0.0
		if st.State == breaker.Open && !st.OpenUntil.IsZero() {
			next = max(st.OpenUntil.Sub(now), 0).Seconds()
		}
		o.ObserveFloat64(e.nextProbe, next, metric.WithAttributes(br))
	}
	for _, op := range e.metrics.Snapshot() {
		a := metric.WithAttributes(attribute.String("operation", op.Name))
		o.ObserveInt64(e.rCalls, op.Calls, a)
		o.ObserveInt64(e.rAttempts, op.Attempts, a)
		o.ObserveInt64(e.rRetries, op.Retries, a)
		o.ObserveInt64(e.rSuccesses, op.SuccessesAfterRetry, a)
		o.ObserveInt64(e.rExhausted, op.Exhausted, a)
		o.ObserveFloat64(e.rRate, op.RetrySuccessRate, a)
		o.ObserveFloat64(e.rDelay, op.TotalDelay.Seconds(), a)
	}
	return nil
}
