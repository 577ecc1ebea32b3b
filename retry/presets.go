package retry

import "time"

// Presets: the specification's configurations, every field set explicitly, all with
// [Proportional] jitter of ±10%. Copy one and change a field to adapt it:
//
//	cfg := retry.Conservative
//	cfg.Name = "orders.load"
//
// Which to choose (the specification's "Choosing the Right Configuration"):
//
//	database queries              Conservative (or Database for short, frequent queries)
//	object storage (GCS)          Conservative (or GCS)
//	user-facing APIs              Aggressive
//	large uploads and downloads   Patient
//	background tasks              Patient
//	critical operations           Conservative
//	outbound HTTP calls           HTTP
var (
	// Database is for database connection acquisition and short queries: 3 attempts,
	// 100ms growing by 2.0 up to 5s. It retries what [IsRetryable] accepts; add the
	// driver's transient errors through RetryOn or RetryIf.
	Database = Config{
		MaxAttempts:   3,
		InitialDelay:  100 * time.Millisecond,
		MaxDelay:      5 * time.Second,
		BackoffFactor: 2.0,
		Jitter:        Proportional,
		JitterFactor:  0.1,
	}

	// GCS is for object-storage API calls (uploads, downloads, listings): 3 attempts,
	// 200ms growing by 2.0 up to 10s.
	GCS = Config{
		MaxAttempts:   3,
		InitialDelay:  200 * time.Millisecond,
		MaxDelay:      10 * time.Second,
		BackoffFactor: 2.0,
		Jitter:        Proportional,
		JitterFactor:  0.1,
	}

	// HTTP is for outbound HTTP calls, retried more often and more gently: 5 attempts,
	// 500ms growing by 1.5 up to 30s.
	HTTP = Config{
		MaxAttempts:   5,
		InitialDelay:  500 * time.Millisecond,
		MaxDelay:      30 * time.Second,
		BackoffFactor: 1.5,
		Jitter:        Proportional,
		JitterFactor:  0.1,
	}

	// Conservative balances reliability with reasonable latency and suits most production
	// work: database operations, critical API calls, most cloud-storage operations.
	// 3 attempts, 1s growing by 2.0 up to 16s.
	Conservative = Config{
		MaxAttempts:   3,
		InitialDelay:  1 * time.Second,
		MaxDelay:      16 * time.Second,
		BackoffFactor: 2.0,
		Jitter:        Proportional,
		JitterFactor:  0.1,
	}

	// Aggressive favours speed over exhaustive retrying: fast-recovering services,
	// time-sensitive operations, user-facing requests. 5 attempts, 500ms growing by 1.5 up
	// to 8s.
	Aggressive = Config{
		MaxAttempts:   5,
		InitialDelay:  500 * time.Millisecond,
		MaxDelay:      8 * time.Second,
		BackoffFactor: 1.5,
		Jitter:        Proportional,
		JitterFactor:  0.1,
	}

	// Patient is for work that can wait for a slow recovery without overwhelming the
	// service: large uploads and downloads, background processing, operations with high
	// variability. 4 attempts, 2s growing by 2.5 up to 60s.
	Patient = Config{
		MaxAttempts:   4,
		InitialDelay:  2 * time.Second,
		MaxDelay:      60 * time.Second,
		BackoffFactor: 2.5,
		Jitter:        Proportional,
		JitterFactor:  0.1,
	}
)
