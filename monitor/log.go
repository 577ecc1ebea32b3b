package monitor

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/retry"
)

// Messages and attribute keys of the records this package logs, for filtering and tests.
const (
	MsgStateChange    = "circuit breaker state change"
	MsgRetry          = "retrying"
	MsgRetryExhausted = "retry exhausted"
)

// LogStateChanges logs every state change of every breaker of reg, present and future,
// until stop is called. A change to open is logged at Warn, others at Info, with the
// attributes breaker, from, to, reason and at:
//
//	level=WARN msg="circuit breaker state change" breaker=database-pool from=closed to=open reason="5 consecutive failures" at=...
//
// If reg is nil, [breaker.Default] is used; if logger is nil, slog.Default().
func LogStateChanges(reg *breaker.Registry, logger *slog.Logger) (stop func()) {
	if reg == nil {
		reg = breaker.Default()
	}
	return reg.OnStateChange(stateChangeLogger(logger))
}

func stateChangeLogger(logger *slog.Logger) func(breaker.StateChange) {
	return func(sc breaker.StateChange) {
		l := logger
		if l == nil {
			l = slog.Default()
		}
		level := slog.LevelInfo
		if sc.To == breaker.Open {
			level = slog.LevelWarn
		}
		l.LogAttrs(context.Background(), level, MsgStateChange,
			slog.String("breaker", sc.Name),
			slog.String("from", sc.From.String()),
			slog.String("to", sc.To.String()),
			slog.String("reason", sc.Reason),
			slog.Time("at", sc.At),
		)
	}
}

// LogRetries returns cfg with an OnRetry hook that logs each retry at Info, with the
// attributes operation (cfg.Name), attempt (1-based number of the attempt that failed),
// delay (the wait about to start) and error; an OnRetry already in cfg is still called,
// after the record is written. If logger is nil, slog.Default() is used at each retry.
func LogRetries(cfg retry.Config, logger *slog.Logger) retry.Config {
	prev := cfg.OnRetry
	name := cfg.Name
	cfg.OnRetry = func(attempt int, err error, delay time.Duration) {
		l := logger
		if l == nil {
			l = slog.Default()
		}
		l.LogAttrs(context.Background(), slog.LevelInfo, MsgRetry,
			slog.String("operation", name),
			slog.Int("attempt", attempt),
			slog.Duration("delay", delay),
			slog.Any("error", err),
		)
		if prev != nil {
			prev(attempt, err, delay)
		}
	}
	return cfg
}

// LogExhausted logs err at Warn when it is a [*retry.Error] (a call that retrying could not
// save) and returns err unchanged, so it wraps a call in place:
//
//	err := monitor.LogExhausted(ctx, logger, retry.Do(ctx, cfg, fn))
//
// The record has the attributes operation, attempts, last_error and, when retrying stopped
// early (a context, a budget or MaxElapsed), cause. Other errors, and nil, are not logged.
// If logger is nil, slog.Default() is used.
func LogExhausted(ctx context.Context, logger *slog.Logger, err error) error {
	var re *retry.Error
	if !errors.As(err, &re) {
		return err
	}
	if logger == nil {
		logger = slog.Default()
	}
	attrs := []slog.Attr{
		slog.String("operation", re.Name),
		slog.Int("attempts", re.Attempts),
		slog.Any("last_error", re.Last),
	}
	if re.Cause != nil {
		attrs = append(attrs, slog.Any("cause", re.Cause))
	}
	logger.LogAttrs(ctx, slog.LevelWarn, MsgRetryExhausted, attrs...)
	return err
}
