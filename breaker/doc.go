// Package breaker is a circuit breaker: it stops calling a dependency that keeps failing, so
// that an outage fails fast instead of tying up goroutines, connections and the dependency's
// recovery.
//
// A breaker starts closed and lets calls through. After FailureThreshold consecutive failures
// (or, optionally, a failure or slow-call rate over a sliding window) it opens and rejects
// calls with ErrOpen without running them. After RecoveryTimeout it turns half-open and admits
// a few probe calls; SuccessThreshold consecutive successes close it, any failure opens it
// again.
//
//	b, err := breaker.Get("payments-api", breaker.Config{FailureThreshold: 3})
//	if err != nil {
//		return err
//	}
//	err = b.Call(ctx, func(ctx context.Context) error {
//		return client.Charge(ctx, order)
//	})
//	if errors.Is(err, breaker.ErrOpen) {
//		// the dependency is down: fail fast, serve a fallback, or try later
//	}
//
// Zero Config fields take their defaults from the environment (CIRCUIT_BREAKER_FAILURE_THRESHOLD,
// CIRCUIT_BREAKER_RECOVERY_TIMEOUT, CIRCUIT_BREAKER_SUCCESS_THRESHOLD, CIRCUIT_BREAKER_TIMEOUT),
// else 5, 60s, 3 and 30s. The package imports the standard library only.
//
// A call through a closed breaker with Timeout: NoTimeout costs a few nanoseconds and no
// allocation: it takes no lock and reads no clock.
package breaker
