package dbpool

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/resilience-go/resilience/retry"
)

// ErrCommitUnknown is matched (errors.Is) by the error of a transaction whose connection was
// lost, or whose deadline passed, while COMMIT was under way: it may or may not have committed.
// It is never retried. Check an idempotency key before doing the work again.
var ErrCommitUnknown = errors.New("dbpool: commit outcome unknown")

// Tx is a transaction run by [Pool.InTx]. Its statements are not retried one by one: InTx
// re-runs the whole function when that is safe. Do not keep a Tx after the function returns.
type Tx struct {
	tx *sql.Tx
}

// Exec runs a statement that returns no rows in the transaction.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, query, args...)
}

// Query runs a statement that returns rows in the transaction. Close the rows before the
// transaction function returns.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, query, args...)
}

// QueryRow runs a statement that returns at most one row in the transaction.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, query, args...)
}

// InTx runs fn in a transaction: BEGIN, fn, COMMIT, all as one call of the breaker. When fn
// returns an error (or panics) the transaction is rolled back and the error returned (or the
// panic re-raised). The whole transaction is run again, with the pool's retry schedule, when
// the server rolled it back whole (serialization failure 40001, deadlock 40P01, lock not
// available 55P03, SQLite BUSY or LOCKED), when it could not reach the server, or when the
// connection was lost before COMMIT was sent. So fn may run more than once: it must not
// have effects outside the transaction that cannot be repeated. A connection lost during
// COMMIT is not retried; the error matches [ErrCommitUnknown].
//
// Errors that fn returns itself (not the database's) do not count against the breaker.
func (p *Pool) InTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	return p.InTxOptions(ctx, nil, fn)
}

// InTxOptions is [Pool.InTx] with transaction options (isolation level, read-only).
func (p *Pool) InTxOptions(ctx context.Context, opts *sql.TxOptions, fn func(ctx context.Context, tx *Tx) error) error {
	err := retry.Do(ctx, p.txRetry, func(ctx context.Context) error {
		return p.br.Call(ctx, func(ctx context.Context) error { return p.runTx(ctx, opts, fn) })
	})
	if err == nil {
		return nil
	}
	var pe *panicError
	if errors.As(err, &pe) {
		panic(pe.val)
	}
	var te *txError
	if errors.As(err, &te) && te == err && te.phase == phaseBody {
		return te.err // fn's own error, as it returned it
	}
	return fmt.Errorf("dbpool: transaction: %w", err)
}

type txPhase uint8

const (
	phaseBegin txPhase = iota
	phaseBody
	phaseCommit
)

// txError is an error of one attempt of a transaction, with the phase it came from.
type txError struct {
	phase   txPhase
	err     error
	unknown bool // COMMIT may have committed
}

func (e *txError) Error() string {
	switch e.phase {
	case phaseBegin:
		return "begin: " + e.err.Error()
	case phaseCommit:
		if e.unknown {
			return "commit (outcome unknown): " + e.err.Error()
		}
		return "commit: " + e.err.Error()
	}
	return e.err.Error()
}

func (e *txError) Unwrap() error { return e.err }

func (e *txError) Is(target error) bool { return target == ErrCommitUnknown && e.unknown }

// panicError carries a panic of the transaction function past the breaker and the retries,
// which must neither count nor retry it; InTx re-raises it.
type panicError struct{ val any }

func (e *panicError) Error() string { return fmt.Sprintf("transaction function panicked: %v", e.val) }

// runTx is one attempt of a transaction.
func (p *Pool) runTx(ctx context.Context, opts *sql.TxOptions, fn func(context.Context, *Tx) error) (err error) {
	tx, err := p.db.BeginTx(ctx, opts)
	if err != nil {
		return &txError{phase: phaseBegin, err: err}
	}
	defer func() {
		if v := recover(); v != nil {
			_ = tx.Rollback()
			err = &panicError{val: v}
		}
	}()
	if err := fn(ctx, &Tx{tx: tx}); err != nil {
		// The server rolls back on its own when the connection is gone; the error of
		// Rollback adds nothing to fn's.
		_ = tx.Rollback()
		return &txError{phase: phaseBody, err: err}
	}
	if err := tx.Commit(); err != nil {
		c := classify(err)
		unknown := c == classLost || errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err)
		return &txError{phase: phaseCommit, err: err, unknown: unknown}
	}
	return nil
}

// safeForTx reports whether a failed attempt of a transaction may be run again.
func safeForTx(err error) bool {
	var te *txError
	if !errors.As(err, &te) {
		return safeForStatement(classify(err))
	}
	c := classify(te.err)
	switch te.phase {
	case phaseBegin, phaseBody:
		// Nothing was committed: a transaction dies with its connection.
		return c == classUnavailable || c == classConflict || c == classLost
	default:
		return !te.unknown && (c == classUnavailable || c == classConflict)
	}
}
