// Command demo serves the monitoring of a few breakers and retrying operations, as the
// README shows it: JSON status at /status/, Prometheus metrics at /metrics and MCP at /mcp,
// on 127.0.0.1:8080. Structured logs go to standard error.
//
//	go run ./monitor/internal/demo [-addr 127.0.0.1:8080]
//
// With RESILIENCE_RESET_TOKEN set, POST /status/breakers/{name}/reset (with that bearer
// token) and the MCP tool reset_circuit_breaker are allowed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/monitor"
	"github.com/resilience-go/resilience/monitor/mcptools"
	"github.com/resilience-go/resilience/monitor/prom"
	"github.com/resilience-go/resilience/retry"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// transient is a failure worth retrying.
type transient struct{}

func (transient) Error() string   { return "connection reset by peer" }
func (transient) Retryable() bool { return true }

func run() error {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on (loopback only: the status has no authentication)")
	flag.Parse()
	token := os.Getenv("RESILIENCE_RESET_TOKEN")

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	reg := breaker.NewRegistry()
	metrics := retry.NewMetrics()
	stop := monitor.LogStateChanges(reg, logger)
	defer stop()

	collector, err := prom.NewCollector(prom.Config{Registry: reg, Metrics: metrics})
	if err != nil {
		return err
	}
	defer collector.Close()
	promReg := prometheus.NewRegistry()
	if err := promReg.Register(collector); err != nil {
		return err
	}

	if err := traffic(reg, metrics, collector, logger); err != nil {
		return err
	}

	mon := monitor.New(reg, metrics)
	status, err := monitor.NewHandler(mon, monitor.HandlerOptions{ResetToken: token, Logger: logger})
	if err != nil {
		return err
	}
	mcpServer := mcptools.NewServer(&mcp.Implementation{Name: "resilience-demo", Version: "0.1.0"}, mon, mcptools.Options{AllowReset: token != "", Logger: logger})
	mcpHandler, err := mcptools.Handler(mcpServer, token)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/status/", http.StripPrefix("/status", status))
	mux.Handle("/metrics", promhttp.HandlerFor(promReg, promhttp.HandlerOpts{}))
	mux.Handle("/mcp", mcpHandler)

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
		defer c()
		_ = srv.Shutdown(sctx)
	}()
	logger.Info("serving", "status", "http://"+*addr+"/status/", "metrics", "http://"+*addr+"/metrics", "mcp", "http://"+*addr+"/mcp")
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// traffic makes some calls: database-pool trips open, gcs-upload sees one failure in
// five, db-query retries.
func traffic(reg *breaker.Registry, metrics *retry.Metrics, c *prom.Collector, logger *slog.Logger) error {
	ctx := context.Background()
	db, err := reg.Get("database-pool", breaker.Config{FailureThreshold: 3, RecoveryTimeout: 60 * time.Second})
	if err != nil {
		return err
	}
	gcs, err := reg.Get("gcs-upload", breaker.Config{FailureThreshold: 5, RecoveryTimeout: 30 * time.Second})
	if err != nil {
		return err
	}
	for i := range 5 {
		_ = gcs.Call(ctx, func(context.Context) error {
			if i == 2 {
				return transient{}
			}
			return nil
		})
	}

	cfg := monitor.LogRetries(retry.Config{Name: "db-query", MaxAttempts: 3, InitialDelay: 50 * time.Millisecond, MaxDelay: time.Second, Metrics: metrics}, logger)
	n := 0
	flaky := func(ctx context.Context) error { // fails once, then works
		return db.Call(ctx, func(context.Context) error {
			if n++; n == 1 {
				return transient{}
			}
			return nil
		})
	}
	_ = monitor.LogExhausted(ctx, logger, c.Do(ctx, cfg, flaky))
	down := func(ctx context.Context) error { // the database goes away
		return db.Call(ctx, func(context.Context) error { return transient{} })
	}
	_ = monitor.LogExhausted(ctx, logger, c.Do(ctx, cfg, down))
	_ = monitor.LogExhausted(ctx, logger, c.Do(ctx, cfg, down)) // the breaker opens; ErrOpen is not retried
	return nil
}
