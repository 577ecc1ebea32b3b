package prom_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/monitor/prom"
	"github.com/resilience-go/resilience/retry"
)

func ExampleNewCollector() {
	reg := breaker.NewRegistry()
	c, err := prom.NewCollector(prom.Config{Registry: reg, Metrics: retry.NewMetrics()})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	promReg := prometheus.NewRegistry() // the application's own registry, not the global one
	if err := promReg.Register(c); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("registering twice:", promReg.Register(c) != nil)

	db, _ := reg.Get("database-pool", breaker.Config{FailureThreshold: 1})
	_ = db.Call(context.Background(), func(context.Context) error { return errors.New("connection refused") })

	srv := httptest.NewServer(promhttp.HandlerFor(promReg, promhttp.HandlerOpts{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "resilience_circuitbreaker_state") {
			fmt.Println(sc.Text())
		}
	}
	// Output:
	// registering twice: true
	// resilience_circuitbreaker_state{name="database-pool",state="closed"} 0
	// resilience_circuitbreaker_state{name="database-pool",state="half_open"} 0
	// resilience_circuitbreaker_state{name="database-pool",state="open"} 1
}

func ExampleCollector_Do() {
	metrics := retry.NewMetrics()
	c, _ := prom.NewCollector(prom.Config{Registry: breaker.NewRegistry(), Metrics: metrics})
	defer c.Close()

	cfg := retry.Config{Name: "db-query", MaxAttempts: 3, InitialDelay: 1, Metrics: metrics}
	n := 0
	err := c.Do(context.Background(), cfg, func(context.Context) error {
		if n++; n < 3 {
			return transient{}
		}
		return nil
	})
	fmt.Println("err:", err, "attempts:", n)
	// Output:
	// err: <nil> attempts: 3
}
