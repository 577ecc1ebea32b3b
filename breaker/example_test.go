package breaker_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/resilience-go/resilience/breaker"
)

var errUnavailable = errors.New("service unavailable")

func ExampleNew() {
	b, err := breaker.New(breaker.Config{
		Name:             "payments",
		FailureThreshold: 3,
		RecoveryTimeout:  30 * time.Second,
		SuccessThreshold: 2,
		Timeout:          10 * time.Second,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 4 {
		err := b.Call(context.Background(), func(ctx context.Context) error { return errUnavailable })
		fmt.Printf("%-6s %v\n", b.State(), err)
	}
	// Output:
	// closed service unavailable
	// closed service unavailable
	// open   service unavailable
	// open   breaker "payments": open, will try again in 30s
}

func ExampleNew_invalid() {
	_, err := breaker.New(breaker.Config{FailureThreshold: -1})
	fmt.Println(err)
	os.Setenv("CIRCUIT_BREAKER_RECOVERY_TIMEOUT", "soon")
	defer os.Unsetenv("CIRCUIT_BREAKER_RECOVERY_TIMEOUT")
	_, err = breaker.New(breaker.Config{})
	fmt.Println(err)
	// Output:
	// breaker: Config.FailureThreshold = -1: must be from 1 to 1073741824
	// breaker: CIRCUIT_BREAKER_RECOVERY_TIMEOUT="soon": want a positive number of seconds (like 30 or 0.5) or a duration (like 1m30s)
}

func ExampleBreaker_Call() {
	b, _ := breaker.New(breaker.Config{Name: "inventory", FailureThreshold: 1})
	call := func() error {
		return b.Call(context.Background(), func(ctx context.Context) error {
			return errUnavailable // the dependency is down
		})
	}
	_ = call()
	err := call()
	if errors.Is(err, breaker.ErrOpen) {
		var open *breaker.OpenError
		errors.As(err, &open)
		fmt.Printf("rejected by %s, retry in about %s\n", open.Name, open.RetryAfter().Round(time.Minute))
	}
	// Output: rejected by inventory, retry in about 1m0s
}

func ExampleExecute() {
	b, _ := breaker.New(breaker.Config{Name: "prices"})
	price, err := breaker.Execute(context.Background(), b, func(ctx context.Context) (float64, error) {
		return 9.99, nil
	})
	fmt.Println(price, err)
	// Output: 9.99 <nil>
}

func ExampleBreaker_Allow() {
	b, _ := breaker.New(breaker.Config{Name: "stream", FailureThreshold: 2})
	for _, streamErr := range []error{nil, errUnavailable, errUnavailable, nil} {
		done, err := b.Allow()
		if err != nil {
			fmt.Println("not started:", err)
			continue
		}
		// ... start the stream; report how it ended later, from any goroutine:
		done(streamErr)
	}
	// Output: not started: breaker "stream": open, will try again in 1m0s
}

func ExampleGet() {
	// Get creates the breaker on first use and returns the same one afterwards, so every part
	// of a program that talks to "database-pool" shares one breaker.
	b, err := breaker.Get("database-pool", breaker.Config{FailureThreshold: 5, RecoveryTimeout: time.Minute})
	if err != nil {
		fmt.Println(err)
		return
	}
	same, _ := breaker.Get("database-pool", breaker.Config{})
	fmt.Println(b == same, b.State())
	// Output: true closed
}

func ExampleAll() {
	_, _ = breaker.Get("gcs-upload", breaker.Config{})
	b := breaker.All()["gcs-upload"]
	s := b.Stats()
	fmt.Printf("%s: %s, %d requests, %d failed, %d consecutive failures\n",
		b.Name(), s.State, s.TotalRequests, s.FailedRequests, s.ConsecutiveFailures)
	// Output: gcs-upload: closed, 0 requests, 0 failed, 0 consecutive failures
}

func ExampleReset() {
	b, _ := breaker.Get("reset-example", breaker.Config{FailureThreshold: 1})
	_ = b.Call(context.Background(), func(context.Context) error { return errUnavailable })
	fmt.Println(b.State())
	if err := breaker.Reset("reset-example"); err != nil {
		fmt.Println(err)
	}
	fmt.Println(b.State())
	fmt.Println(breaker.Reset("no-such-breaker"))
	// Output:
	// open
	// closed
	// breaker: no such breaker: "no-such-breaker"
}

func ExampleNewRegistry() {
	// A registry of your own keeps a component's breakers apart (and tests independent);
	// WithDefaults sets the defaults for every breaker it creates.
	reg := breaker.NewRegistry(breaker.WithDefaults(breaker.Config{FailureThreshold: 2, Timeout: 5 * time.Second}))
	remove := reg.OnStateChange(func(ev breaker.StateChange) {
		fmt.Printf("%s: %s -> %s (%s)\n", ev.Name, ev.From, ev.To, ev.Reason)
	})
	defer remove()
	db, _ := reg.Get("db", breaker.Config{})
	for range 2 {
		_ = db.Call(context.Background(), func(context.Context) error { return errUnavailable })
	}
	_ = reg.Reset("db")
	fmt.Println(reg.Names())
	// Output:
	// db: closed -> open (2 consecutive failures)
	// db: open -> closed (reset)
	// [db]
}

func ExampleConfig_failureRate() {
	// Trip on a failure rate as well as on consecutive failures: 50% of the last 10 calls,
	// judged once 4 calls are in the window.
	b, _ := breaker.New(breaker.Config{
		Name:                 "search",
		FailureThreshold:     100,
		FailureRateThreshold: 0.5,
		WindowSize:           10,
		MinimumCalls:         4,
		OnStateChange: func(ev breaker.StateChange) {
			fmt.Printf("%s -> %s: %s\n", ev.From, ev.To, ev.Reason)
		},
	})
	for _, fail := range []bool{false, true, false, true} {
		_ = b.Call(context.Background(), func(context.Context) error {
			if fail {
				return errUnavailable
			}
			return nil
		})
	}
	// Output: closed -> open: failure rate 50.0% >= 50.0% over 4 calls
}

func ExampleConfig_slowCalls() {
	// A dependency that answers slowly is as bad as one that fails: count calls over 50ms as
	// slow, and open when 60% of the window is slow.
	b, _ := breaker.New(breaker.Config{
		Name:                  "recommendations",
		SlowCallDuration:      50 * time.Millisecond,
		SlowCallRateThreshold: 0.6,
		WindowSize:            20,
	})
	fmt.Println(b.Config().MinimumCalls)
	// Output: 10
}

func ExampleConfig_isFailure() {
	// Only server-side errors count against the dependency; a "not found" is a normal answer.
	errNotFound := errors.New("not found")
	b, _ := breaker.New(breaker.Config{
		Name:             "users",
		FailureThreshold: 1,
		IsFailure:        func(err error) bool { return !errors.Is(err, errNotFound) },
	})
	_ = b.Call(context.Background(), func(context.Context) error { return errNotFound })
	s := b.Stats()
	fmt.Println(s.State, s.FailedRequests, s.IgnoredRequests)
	// Output: closed 0 1
}

func ExampleBreaker_ForceOpen() {
	b, _ := breaker.New(breaker.Config{Name: "legacy-api"})
	b.ForceOpen() // maintenance window: stop calling it
	fmt.Println(b.Call(context.Background(), func(context.Context) error { return nil }))
	b.Reset()
	fmt.Println(b.Call(context.Background(), func(context.Context) error { return nil }))
	// Output:
	// breaker "legacy-api": open (forced open until reset)
	// <nil>
}

func ExampleConfig_disabled() {
	// A disabled breaker admits every call but keeps counting: watch a new breaker's stats in
	// production before letting it reject anything.
	b, _ := breaker.New(breaker.Config{Name: "shadow", FailureThreshold: 1, Disabled: true})
	for range 3 {
		_ = b.Call(context.Background(), func(context.Context) error { return errUnavailable })
	}
	s := b.Stats()
	fmt.Println(s.State, s.FailedRequests, s.ConsecutiveFailures)
	// Output: closed 3 3
}

func ExampleConfig_growingRecovery() {
	// Each failed recovery doubles the open time, up to 10 minutes.
	b, _ := breaker.New(breaker.Config{
		Name:               "flaky-partner",
		RecoveryTimeout:    30 * time.Second,
		MaxRecoveryTimeout: 10 * time.Minute,
	})
	fmt.Println(b.Config().RecoveryBackoff)
	// Output: 2
}
