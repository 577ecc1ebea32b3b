package dbpool

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/retry"
)

// guard runs calls through a breaker and, when rc is set, retries.
type guard struct {
	br *breaker.Breaker
	rc *retry.Config // nil: no retries (a pinned connection cannot be swapped for a fresh one)
}

// run runs fn with retries outside and the breaker inside: each attempt is one call of the
// breaker, and an open breaker ends the retries at once.
func (g guard) run(ctx context.Context, fn func(context.Context) error) error {
	if g.rc == nil {
		return g.br.Call(ctx, fn)
	}
	return retry.Do(ctx, *g.rc, func(ctx context.Context) error { return g.br.Call(ctx, fn) })
}

// runOpen is run for calls whose result outlives them (rows): the breaker admits the call and
// judges the error it returns, but gives it no deadline of its own.
func (g guard) runOpen(ctx context.Context, fn func(context.Context) error) error {
	attempt := func(ctx context.Context) error {
		done, err := g.br.Allow()
		if err != nil {
			return err
		}
		err = fn(ctx)
		done(err)
		return err
	}
	if g.rc == nil {
		return attempt(ctx)
	}
	rc := *g.rc
	rc.AttemptTimeout = 0 // an attempt's context would close the rows it returns
	return retry.Do(ctx, rc, attempt)
}

// querier is what statements run on: a *sql.DB or a *sql.Conn.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func execOn(ctx context.Context, g guard, q querier, query string, args []any) (sql.Result, error) {
	var res sql.Result
	err := g.run(ctx, func(ctx context.Context) error {
		r, err := q.ExecContext(ctx, query, args...)
		res = r
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("dbpool: exec: %w", err)
	}
	return res, nil
}

func queryOn(ctx context.Context, g guard, q querier, query string, args []any) (*sql.Rows, error) {
	var rows *sql.Rows
	err := g.runOpen(ctx, func(ctx context.Context) error {
		r, err := q.QueryContext(ctx, query, args...)
		rows = r
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("dbpool: query: %w", err)
	}
	return rows, nil
}

// Exec runs a statement that returns no rows, through the breaker. It is retried only when
// it did not reach the server or the server rolled it back whole (see the package
// documentation); a statement whose connection was lost while it ran is not retried.
func (p *Pool) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return execOn(ctx, p.stmt, p.db, query, args)
}

// Query runs a statement that returns rows, through the breaker and the same retries as
// [Pool.Exec]. The breaker judges the call by the error of the query itself (PostgreSQL sends
// the first row with it); errors met while iterating come from rows.Err. The breaker's Timeout
// does not bound Query, whose rows outlive the call: bound it with ctx. Close the rows.
func (p *Pool) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return queryOn(ctx, p.stmt, p.db, query, args)
}

// QueryRow prepares a query that returns at most one row. It runs, through the breaker and
// the same retries as [Pool.Exec], when [Row.Scan] is called.
func (p *Pool) QueryRow(ctx context.Context, query string, args ...any) *Row {
	return &Row{ctx: ctx, g: p.stmt, q: p.db, query: query, args: args}
}

// Row is a query of at most one row, run by [Row.Scan].
type Row struct {
	// ctx is kept from QueryRow to Scan, as database/sql's Row keeps its query's context.
	ctx   context.Context
	g     guard
	q     querier
	query string
	args  []any
}

// Scan runs the query and copies the first row's columns into dest, as database/sql's
// Row.Scan does. Without rows it returns an error matching sql.ErrNoRows, which does not count
// against the breaker.
func (r *Row) Scan(dest ...any) error {
	err := r.g.run(r.ctx, func(ctx context.Context) error {
		return r.q.QueryRowContext(ctx, r.query, r.args...).Scan(dest...)
	})
	if err != nil {
		return fmt.Errorf("dbpool: query row: %w", err)
	}
	return nil
}
