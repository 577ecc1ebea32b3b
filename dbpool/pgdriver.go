package dbpool

import (
	"context"
	"database/sql/driver"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgConnector opens pgx's database/sql connections wrapped in [pgConn].
type pgConnector struct{ inner driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := dc.(*stdlib.Conn)
	if !ok {
		return dc, nil
	}
	return &pgConn{Conn: sc}, nil
}

func (c pgConnector) Driver() driver.Driver { return c.inner.Driver() }

// pgConn corrects one answer of pgx's database/sql driver (v5.12). When the connection dies
// while pgx reads the answer to a statement without arguments (simple protocol), pgx reports
// "conn closed" as safe to retry, and its driver turns that into driver.ErrBadConn, on which
// database/sql silently runs the statement again on another connection: an INSERT that had
// committed is written twice. pgConn checks before the statement whether the connection is
// usable; if it was, and the driver still says ErrBadConn afterwards, the statement was sent,
// and the error becomes [errLostMidStatement], which nothing retries.
//
// The other methods (BeginTx, Ping, ResetSession, Prepare, ...) are pgx's own.
type pgConn struct {
	*stdlib.Conn
}

// errLostMidStatement is the connection dying while a statement was on its way or running:
// it may have run. It matches pgconn.ErrConnClosed and is not safe to retry.
var errLostMidStatement = &lostError{}

type lostError struct{}

func (*lostError) Error() string {
	return "connection closed while the statement was sent or ran (it may have run)"
}
func (*lostError) Unwrap() error { return pgconn.ErrConnClosed }

// usable returns driver.ErrBadConn or the context's error when the statement cannot be sent.
func (c *pgConn) usable(ctx context.Context) error {
	if c.Conn.Conn().IsClosed() {
		return driver.ErrBadConn // truly unsent: database/sql may use another connection
	}
	return ctx.Err()
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.usable(ctx); err != nil {
		return nil, err
	}
	res, err := c.Conn.ExecContext(ctx, query, args)
	if errors.Is(err, driver.ErrBadConn) {
		return nil, errLostMidStatement
	}
	return res, err
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.usable(ctx); err != nil {
		return nil, err
	}
	rows, err := c.Conn.QueryContext(ctx, query, args)
	if errors.Is(err, driver.ErrBadConn) {
		return nil, errLostMidStatement
	}
	return rows, err
}
