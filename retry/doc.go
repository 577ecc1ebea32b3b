// Package retry calls a function again when it fails with an error that is likely
// transient, waiting longer after each failure (exponential backoff with jitter), within
// limits on attempts, time and a shared retry budget.
//
//	err := retry.Do(ctx, retry.Database, func(ctx context.Context) error {
//		return pool.Ping(ctx)
//	})
//
//	user, err := retry.DoValue(ctx, retry.HTTP, func(ctx context.Context) (User, error) {
//		return client.GetUser(ctx, id)
//	})
//
// A zero [Config] takes the specification's defaults: 3 attempts, 100ms initial delay
// growing by 2.0 up to 30s, with ±10% jitter. The presets [Database], [GCS], [HTTP],
// [Conservative], [Aggressive] and [Patient] carry the specification's numbers.
//
// Only errors that are likely transient are retried ([IsRetryable]): network errors,
// timeouts, refused or reset connections, unexpected EOF, and errors that declare
// Retryable() or Temporary(). Config.RetryOn adds errors.Is targets; Config.RetryIf
// replaces the decision; [Permanent] marks an error that must not be retried. The caller's
// cancellation or deadline, and an open circuit breaker (breaker.ErrOpen), stop the retries.
//
// When retrying does not save the call, the error is an [*Error]: it says how many attempts
// were made, and errors.Is reaches both the last failure and, when something cut the
// retries short, the cause (the context's cancellation, [ErrBudgetExhausted],
// [ErrMaxElapsed]).
//
// Each call with a Config.Name is counted in [Metrics] (per name: attempts, retries,
// successes after a retry, exhausted calls, delays), which package monitor exports.
package retry
