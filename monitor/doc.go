// Package monitor shows the circuit breakers of a [breaker.Registry] and the retrying
// operations of a [retry.Metrics] at a glance: as a [Snapshot] value, as JSON over HTTP
// ([NewHandler]), and as structured log events ([LogStateChanges], [LogRetries],
// [LogExhausted]). It imports the standard library only, besides this module's breaker and
// retry packages; the Prometheus collector lives in monitor/prom and the MCP tools in
// monitor/mcptools.
//
//	mon := monitor.New(reg, metrics)          // nil, nil: the default registry and metrics
//	stop := monitor.LogStateChanges(reg, slog.Default())
//	defer stop()
//	h, err := monitor.NewHandler(mon, monitor.HandlerOptions{ResetToken: os.Getenv("RESET_TOKEN")})
//	if err != nil {
//		return err
//	}
//	mux.Handle("/status/", http.StripPrefix("/status", h))
//
// # JSON
//
// The field names below are stable: they are only ever added to, never renamed. Every list
// is sorted by name; every duration is a float number of seconds in a field whose name ends in
// _seconds; every time is RFC 3339 in UTC, or absent when it never happened.
//
//	{
//	  "generated_at": "2026-01-02T15:04:05.123Z",
//	  "breakers": [{
//	    "name": "database-pool",
//	    "state": "open",                  // closed, open or half_open
//	    "total_requests": 12,             // lifetime counts ...
//	    "successful_requests": 4,
//	    "failed_requests": 5,
//	    "rejected_requests": 3,           // refused while open, fn not called
//	    "ignored_requests": 0,            // errors the classifier called not the dependency's fault
//	    "slow_requests": 0,
//	    "consecutive_failures": 5,
//	    "consecutive_successes": 0,
//	    "failure_rate": 0.5556,           // the breaker's own rate (its window, else lifetime)
//	    "slow_call_rate": 0,
//	    "window_calls": 9,
//	    "half_open_in_flight": 0,         // probe calls running now
//	    "last_state_change": "2026-01-02T15:04:00Z",
//	    "open_until": "2026-01-02T15:05:00Z",   // only while open (absent when forced open)
//	    "next_probe_in_seconds": 55.0     // 0 unless open
//	  }],
//	  "retries": [{
//	    "name": "db-query",
//	    "calls": 10, "attempts": 14, "retries": 4,
//	    "successes_after_retry": 3, "exhausted": 1,
//	    "retry_success_rate": 0.75,       // successes_after_retry / calls that retried
//	    "total_delay_seconds": 1.2, "average_delay_seconds": 0.3
//	  }]
//	}
package monitor
