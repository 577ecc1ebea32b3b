// Package prom exports circuit breakers and retries to Prometheus.
//
// A [Collector] reads a [breaker.Registry] and a [retry.Metrics] at every scrape, and
// counts state transitions and retry delays as they happen. Register it on your own
// registry; nothing here touches the global one:
//
//	c, err := prom.NewCollector(prom.Config{Registry: reg, Metrics: metrics})
//	if err != nil {
//		return err
//	}
//	defer c.Close()
//	if err := promReg.Register(c); err != nil { // a second Register returns an error, never panics
//		return err
//	}
//	cfg = c.InstrumentRetry(retry.Database)     // observe each retry's delay
//	err = c.Do(ctx, cfg, query)                 // ... and the attempts each call took
//
// # Metrics
//
// Circuit breakers (label name is the breaker's name):
//
//	resilience_circuitbreaker_state{name,state}           gauge   1 for the current state, 0 for the two others; state is closed, open or half_open
//	resilience_circuitbreaker_calls_total{name,outcome}   counter lifetime calls by outcome: success, failure, slow, rejected, ignored
//	resilience_circuitbreaker_failure_rate{name}          gauge   0..1, the breaker's failure rate (its window, else lifetime)
//	resilience_circuitbreaker_slow_call_rate{name}        gauge   0..1
//	resilience_circuitbreaker_consecutive_failures{name}  gauge
//	resilience_circuitbreaker_next_probe_seconds{name}    gauge   seconds until an open breaker admits a probe; 0 unless open
//	resilience_circuitbreaker_transitions_total{name,from,to} counter state changes seen since the Collector was made
//
// A slow call is also counted as a success or a failure: slow is not a share of the total.
//
// Retries (label name is the retry Config's Name):
//
//	resilience_retry_calls_total{name}                  counter calls that ended
//	resilience_retry_attempts_total{name}               counter attempts, first attempts included
//	resilience_retry_retries_total{name}                counter attempts that were retries
//	resilience_retry_successes_after_retry_total{name}  counter calls that succeeded after at least one retry
//	resilience_retry_exhausted_total{name}              counter calls that failed after their last allowed attempt
//	resilience_retry_success_rate{name}                 gauge   0..1, successes after retry / calls that retried
//	resilience_retry_delay_seconds_total{name}          counter time spent waiting between attempts
//	resilience_retry_delay_seconds{name}                histogram each wait, for configs passed through InstrumentRetry or Do
//	resilience_retry_call_attempts{name}                histogram attempts per call, for calls made through Do or DoValue
//
// The counters come from the breakers' and the Metrics' own lifetime totals, read at
// scrape time, so they count calls made before the Collector existed too.
package prom
