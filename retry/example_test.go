package retry_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"syscall"
	"time"

	"github.com/resilience-go/resilience/retry"
)

// fast is a Config for examples: nanosecond waits keep them instant. Real code uses a
// preset or the defaults.
var fast = retry.Config{InitialDelay: time.Nanosecond, MaxDelay: time.Nanosecond}

func ExampleDo() {
	attempts := 0
	err := retry.Do(context.Background(), fast, func(ctx context.Context) error {
		attempts++
		if attempts < 3 {
			return fmt.Errorf("dial: %w", syscall.ECONNREFUSED) // transient: retried
		}
		return nil
	})
	fmt.Println(err, "after", attempts, "attempts")
	// Output: <nil> after 3 attempts
}

func ExampleDo_exhausted() {
	err := retry.Do(context.Background(), fast, func(ctx context.Context) error {
		return io.ErrUnexpectedEOF
	})
	var re *retry.Error
	if errors.As(err, &re) {
		fmt.Println("attempts:", re.Attempts)
	}
	fmt.Println(errors.Is(err, io.ErrUnexpectedEOF))
	fmt.Println(err)
	// Output:
	// attempts: 3
	// true
	// retry: gave up after 3 attempts: unexpected EOF
}

func ExampleDo_notRetried() {
	errNotFound := errors.New("not found")
	attempts := 0
	err := retry.Do(context.Background(), fast, func(ctx context.Context) error {
		attempts++
		return errNotFound // unknown errors are not retried
	})
	fmt.Println(err == errNotFound, attempts)
	// Output: true 1
}

func ExampleDo_cancelled() {
	ctx, cancel := context.WithCancel(context.Background())
	cfg := fast
	cfg.OnRetry = func(attempt int, err error, delay time.Duration) { cancel() } // the caller gives up
	err := retry.Do(ctx, cfg, func(ctx context.Context) error {
		return syscall.ECONNRESET
	})
	fmt.Println(errors.Is(err, context.Canceled), errors.Is(err, syscall.ECONNRESET))
	// Output: true true
}

func ExampleDoValue() {
	attempts := 0
	body, err := retry.DoValue(context.Background(), fast, func(ctx context.Context) (string, error) {
		attempts++
		if attempts == 1 {
			return "", context.DeadlineExceeded // an attempt's own deadline: retried
		}
		return "hello", nil
	})
	fmt.Println(body, err)
	// Output: hello <nil>
}

func ExampleDoValueIf() {
	statuses := []int{http.StatusServiceUnavailable, http.StatusServiceUnavailable, http.StatusOK}
	attempts := 0
	status, err := retry.DoValueIf(context.Background(), fast,
		func(ctx context.Context) (int, error) {
			attempts++
			return statuses[attempts-1], nil
		},
		func(status int) bool {
			return status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests
		},
	)
	fmt.Println(status, err, attempts)
	// Output: 200 <nil> 3
}

func ExampleWrap() {
	attempts := 0
	fetch := retry.Wrap(fast, func(ctx context.Context) (int, error) {
		attempts++
		if attempts%2 == 1 {
			return 0, syscall.ECONNRESET
		}
		return attempts, nil
	})
	v, err := fetch(context.Background())
	fmt.Println(v, err)
	// Output: 2 <nil>
}

func ExamplePermanent() {
	attempts := 0
	errBadRequest := errors.New("400 bad request")
	cfg := fast
	cfg.RetryIf = func(error) bool { return true } // retry everything...
	err := retry.Do(context.Background(), cfg, func(ctx context.Context) error {
		attempts++
		return retry.Permanent(errBadRequest) // ...except what is marked permanent
	})
	fmt.Println(err, attempts)
	// Output: 400 bad request 1
}

func ExampleConfig_Delay() {
	cfg := retry.Conservative
	cfg.Jitter = retry.NoJitter // deterministic, to print the schedule
	for n := range 3 {
		fmt.Println(cfg.Delay(n))
	}
	// Output:
	// 1s
	// 2s
	// 4s
}

func ExampleConfig_Validate() {
	err := retry.Config{MaxAttempts: -1}.Validate()
	fmt.Println(err)
	fmt.Println(errors.Is(err, retry.ErrInvalidConfig))
	// Output:
	// retry: invalid config: MaxAttempts -1 must not be negative
	// true
}

func ExampleConfig_retryOn() {
	errLocked := errors.New("row locked")
	cfg := fast
	cfg.RetryOn = []error{errLocked} // retried in addition to the defaults
	attempts := 0
	err := retry.Do(context.Background(), cfg, func(ctx context.Context) error {
		attempts++
		if attempts < 2 {
			return fmt.Errorf("update: %w", errLocked)
		}
		return nil
	})
	fmt.Println(err, attempts)
	// Output: <nil> 2
}

func ExampleIsRetryable() {
	fmt.Println(retry.IsRetryable(syscall.ECONNREFUSED))
	fmt.Println(retry.IsRetryable(io.ErrUnexpectedEOF))
	fmt.Println(retry.IsRetryable(context.Canceled))
	fmt.Println(retry.IsRetryable(errors.New("invalid input")))
	// Output:
	// true
	// true
	// false
	// false
}

func ExampleNewBudget() {
	// Retries may add at most 20% to the calls (over the last 10s), and no floor here.
	// Share one Budget per dependency.
	budget, err := retry.NewBudget(0.2, 0)
	if err != nil {
		panic(err)
	}
	cfg := fast
	cfg.Budget = budget
	for range 10 {
		_ = retry.Do(context.Background(), cfg, func(ctx context.Context) error { return nil })
	}
	fmt.Println("available after 10 calls:", budget.Available())

	// The dependency goes down: the first failing call uses the 2 retries, the next gets none.
	for range 2 {
		err = retry.Do(context.Background(), cfg, func(ctx context.Context) error { return syscall.ECONNREFUSED })
		fmt.Println(errors.Is(err, retry.ErrBudgetExhausted), err)
	}
	// Output:
	// available after 10 calls: 2
	// false retry: gave up after 3 attempts: connection refused
	// true retry: stopped after 1 attempt (retry: budget exhausted): connection refused
}

func ExampleParseRetryAfter() {
	now := time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)
	d, _ := retry.ParseRetryAfter("120", now)
	fmt.Println(d)
	d, _ = retry.ParseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now)
	fmt.Println(d)
	// Output:
	// 2m0s
	// 30s
}

func ExampleAfter() {
	var waits []time.Duration
	cfg := retry.Config{InitialDelay: time.Nanosecond, MaxDelay: time.Nanosecond, OnRetry: func(_ int, _ error, d time.Duration) { waits = append(waits, d) }}
	attempts := 0
	_ = retry.Do(context.Background(), cfg, func(ctx context.Context) error {
		attempts++
		if attempts == 1 {
			// The server said "Retry-After: 1"; the wait is capped by MaxDelay.
			d, _ := retry.ParseRetryAfter("1", time.Now())
			return retry.After(errors.New("503 Service Unavailable"), d)
		}
		return nil
	})
	fmt.Println(waits)
	// Output: [1ns]
}

func ExampleMetrics() {
	m := retry.NewMetrics()
	cfg := fast
	cfg.Name = "orders.load"
	cfg.Metrics = m
	attempts := 0
	_ = retry.Do(context.Background(), cfg, func(ctx context.Context) error {
		attempts++
		if attempts == 1 {
			return syscall.ECONNRESET
		}
		return nil
	})
	for _, s := range m.Snapshot() {
		fmt.Printf("%s: calls=%d attempts=%d retries=%d successes after retry=%d rate=%.2f\n",
			s.Name, s.Calls, s.Attempts, s.Retries, s.SuccessesAfterRetry, s.RetrySuccessRate)
	}
	// Output: orders.load: calls=1 attempts=2 retries=1 successes after retry=1 rate=1.00
}
