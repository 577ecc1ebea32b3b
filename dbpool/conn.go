package dbpool

import (
	"context"
	"database/sql"
	"fmt"
)

// Conn is one connection taken from the pool, for work that needs the same session
// (advisory locks, temporary tables, SET). Its statements run through the breaker but are not
// retried: a retry would need another connection. Close it to return it to the pool.
type Conn struct {
	c *sql.Conn
	g guard
}

// Conn takes a connection from the pool (opening one if needed), through the breaker and
// the retries: acquiring a connection sends no statement, so a failure is safe to retry.
func (p *Pool) Conn(ctx context.Context) (*Conn, error) {
	var c *sql.Conn
	err := p.stmt.run(ctx, func(ctx context.Context) error {
		var err error
		c, err = p.db.Conn(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("dbpool: acquire connection: %w", err)
	}
	return &Conn{c: c, g: p.conn}, nil
}

// Exec runs a statement that returns no rows on the connection, through the breaker.
func (c *Conn) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return execOn(ctx, c.g, c.c, query, args)
}

// Query runs a statement that returns rows on the connection, through the breaker.
func (c *Conn) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return queryOn(ctx, c.g, c.c, query, args)
}

// QueryRow prepares a query of at most one row on the connection; [Row.Scan] runs it.
func (c *Conn) QueryRow(ctx context.Context, query string, args ...any) *Row {
	return &Row{ctx: ctx, g: c.g, q: c.c, query: query, args: args}
}

// Close returns the connection to the pool.
func (c *Conn) Close() error { return c.c.Close() }
