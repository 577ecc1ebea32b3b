// Command flaky drives a circuit breaker and retries against a local HTTP server that goes
// down for a while and comes back, printing every state change and a summary.
//
//	go run ./examples/flaky
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/retry"
)

// statusError is an HTTP error status; 5xx declares itself retryable.
type statusError int

func (e statusError) Error() string   { return fmt.Sprintf("HTTP %d", int(e)) }
func (e statusError) Retryable() bool { return e >= 500 }

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "flaky:", err)
		os.Exit(1)
	}
}

func run() error {
	start := time.Now()
	since := func() string { return fmt.Sprintf("%5.2fs", time.Since(start).Seconds()) }

	// The dependency: healthy, then down from 0.5s to 2.0s, then healthy again.
	var served atomic.Int64
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		if t := time.Since(start); t > 500*time.Millisecond && t < 2*time.Second {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok")
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String()

	b, err := breaker.New(breaker.Config{
		Name:             "flaky-http",
		FailureThreshold: 3,
		RecoveryTimeout:  400 * time.Millisecond,
		SuccessThreshold: 2,
		Timeout:          time.Second,
		OnStateChange: func(ev breaker.StateChange) {
			fmt.Printf("%s  breaker %s: %s -> %s (%s)\n", since(), ev.Name, ev.From, ev.To, ev.Reason)
		},
	})
	if err != nil {
		return err
	}
	metrics := retry.NewMetrics()
	policy := retry.Config{Name: "fetch", MaxAttempts: 3, InitialDelay: 20 * time.Millisecond, MaxDelay: 100 * time.Millisecond, Metrics: metrics}

	get := func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return retry.Permanent(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		if resp.StatusCode >= 400 {
			return statusError(resp.StatusCode)
		}
		return nil
	}

	var ok, failed, rejected int
	for time.Since(start) < 3*time.Second {
		err := retry.Do(context.Background(), policy, func(ctx context.Context) error {
			return b.Call(ctx, get)
		})
		switch {
		case err == nil:
			ok++
		case errors.Is(err, breaker.ErrOpen):
			rejected++
		default:
			failed++
		}
		time.Sleep(50 * time.Millisecond)
	}

	s := b.Stats()
	fmt.Printf("\nrequests: %d succeeded, %d failed, %d failed fast (breaker open); the server saw %d\n", ok, failed, rejected, served.Load())
	fmt.Printf("breaker %s: %s, %d calls, %d successful, %d failed, %d rejected\n",
		b.Name(), s.State, s.TotalRequests, s.SuccessfulRequests, s.FailedRequests, s.RejectedRequests)
	for _, m := range metrics.Snapshot() {
		fmt.Printf("retry %s: %d calls, %d attempts, %d retries, %d saved by a retry, %d exhausted, average delay %s\n",
			m.Name, m.Calls, m.Attempts, m.Retries, m.SuccessesAfterRetry, m.Exhausted, m.AverageDelay.Round(time.Millisecond))
	}
	return nil
}
