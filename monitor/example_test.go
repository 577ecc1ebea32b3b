package monitor_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/monitor"
	"github.com/resilience-go/resilience/retry"
)

func ExampleMonitor_Snapshot() {
	reg := breaker.NewRegistry()
	db, _ := reg.Get("database-pool", breaker.Config{FailureThreshold: 1})
	_ = db.Call(context.Background(), func(context.Context) error { return errors.New("connection refused") })

	mon := monitor.New(reg, retry.NewMetrics())
	for _, b := range mon.Snapshot().Breakers {
		fmt.Printf("%s: %s (failed %d of %d, failure rate %.0f%%)\n", b.Name, b.State, b.FailedRequests, b.TotalRequests, b.FailureRate*100)
	}
	// Output:
	// database-pool: open (failed 1 of 1, failure rate 100%)
}

func ExampleNewHandler() {
	reg := breaker.NewRegistry()
	b, _ := reg.Get("gcs-upload", breaker.Config{})
	b.ForceOpen()

	h, err := monitor.NewHandler(monitor.New(reg, retry.NewMetrics()), monitor.HandlerOptions{
		ResetToken: "example-token-0123456789", // in production: from a secret store
		Logger:     slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/status/", http.StripPrefix("/status", h))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, _ := http.Get(srv.URL + "/status/breakers/gcs-upload")
	var st monitor.BreakerStatus
	_ = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	fmt.Println("state:", st.State)

	resp, _ = http.Post(srv.URL+"/status/breakers/gcs-upload/reset", "", nil) // no token
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(resp.StatusCode, " ", string(body))

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/status/breakers/gcs-upload/reset", nil)
	req.Header.Set("Authorization", "Bearer example-token-0123456789")
	resp, _ = http.DefaultClient.Do(req)
	_ = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, "state:", st.State)
	// Output:
	// state: open
	// 401 {"error":"missing bearer token (send Authorization: Bearer <token>)"}
	// 200 state: closed
}

// withoutTimes drops the record's time and the change's time, for stable output.
func withoutTimes(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey || a.Key == "at" {
		return slog.Attr{}
	}
	return a
}

func ExampleLogStateChanges() {
	reg := breaker.NewRegistry()
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: withoutTimes}))
	stop := monitor.LogStateChanges(reg, logger)
	defer stop()

	b, _ := reg.Get("database-pool", breaker.Config{FailureThreshold: 1})
	_ = b.Call(context.Background(), func(context.Context) error { return errors.New("connection refused") })
	b.Reset()
	// Output:
	// level=WARN msg="circuit breaker state change" breaker=database-pool from=closed to=open reason="1 consecutive failures"
	// level=INFO msg="circuit breaker state change" breaker=database-pool from=open to=closed reason=reset
}

func ExampleLogExhausted() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: withoutTimes}))
	ctx := context.Background()
	cfg := retry.Config{Name: "db-query", MaxAttempts: 2, InitialDelay: 1, Jitter: retry.NoJitter, Metrics: retry.NewMetrics()}
	cfg = monitor.LogRetries(cfg, logger)

	err := monitor.LogExhausted(ctx, logger, retry.Do(ctx, cfg, func(context.Context) error {
		return transient{}
	}))
	fmt.Println(err)
	// Output:
	// level=INFO msg=retrying operation=db-query attempt=1 delay=1ns error="connection reset (test)"
	// level=WARN msg="retry exhausted" operation=db-query attempts=2 last_error="connection reset (test)"
	// retry "db-query": gave up after 2 attempts: connection reset (test)
}
