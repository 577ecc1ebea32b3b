package dbpool

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/resilience-go/resilience/breaker"
)

// class is what an error means for the breaker and for retrying.
type class uint8

const (
	classNone        class = iota // no error
	classCaller                   // the caller's fault (bad SQL, constraint, bad data, no rows): neutral, not retried
	classCanceled                 // the caller gave up: neutral, not retried
	classConflict                 // the server rolled the work back whole (40001, 40P01, 55P03, BUSY, LOCKED): neutral, retried
	classUnavailable              // failed before the statement reached the server: failure, retried
	classLost                     // the connection died while the statement ran (it may have run): failure, retried only before COMMIT
	classRejected                 // the breaker is open: not retried here
	classFault                    // another failure of the database (timeouts, auth, disk full, internal): failure, not retried
	classUnknown                  // an error of no type the pool knows: failure (except from a transaction function), not retried
)

func (c class) String() string {
	switch c {
	case classNone:
		return "none"
	case classCaller:
		return "caller"
	case classCanceled:
		return "canceled"
	case classConflict:
		return "conflict"
	case classUnavailable:
		return "unavailable"
	case classLost:
		return "lost"
	case classRejected:
		return "rejected"
	case classFault:
		return "fault"
	default:
		return "unknown"
	}
}

// failure reports whether the class counts against the breaker.
func (c class) failure() bool {
	return c == classUnavailable || c == classLost || c == classFault || c == classUnknown
}

// classify sorts err by type and SQLSTATE, never by its text.
func classify(err error) class {
	if err == nil {
		return classNone
	}
	if errors.Is(err, breaker.ErrOpen) {
		return classRejected
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		var connErr *pgconn.ConnectError
		return classifySQLState(pgErr.Code, errors.As(err, &connErr))
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		return classifySQLite(liteErr.Code())
	}
	switch {
	case errors.Is(err, context.Canceled):
		return classCanceled
	case errors.Is(err, pgconn.ErrConnClosed):
		// pgx calls this safe to retry, but it also reports a connection that died while it
		// read the answer to a statement already sent this way (v5.12): it may have run.
		return classLost
	case errors.Is(err, sql.ErrNoRows), errors.Is(err, sql.ErrTxDone), errors.Is(err, sql.ErrConnDone):
		return classCaller
	case errors.Is(err, driver.ErrBadConn), pgconn.SafeToRetry(err):
		// database/sql and pgx say the statement was not sent.
		return classUnavailable
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return classUnavailable // no statement was sent on a connection that never opened
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return classUnavailable
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return classUnavailable
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded), pgconn.Timeout(err):
		return classFault // slow: the statement may have run
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, pgconn.ErrConnClosed),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed):
		return classLost
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return classLost
	}
	return classUnknown
}

// classifySQLState sorts a PostgreSQL error code. atConnect says the error came while a
// connection was being opened, before any statement.
func classifySQLState(code string, atConnect bool) class {
	switch code {
	case pgerrcode.SerializationFailure, pgerrcode.DeadlockDetected, pgerrcode.LockNotAvailable:
		return classConflict
	case pgerrcode.QueryCanceled:
		// statement_timeout or a pg_cancel_backend: the server is slow or the work was stopped.
		return classFault
	case pgerrcode.AdminShutdown, pgerrcode.CrashShutdown:
		// The backend was terminated (pg_terminate_backend, a restart). At connect time
		// nothing was sent; otherwise the statement may have committed just before.
		if atConnect {
			return classUnavailable
		}
		return classLost
	case pgerrcode.CannotConnectNow, pgerrcode.TooManyConnections:
		return classUnavailable // refused at the door: nothing was run
	}
	if len(code) < 2 {
		return classFault
	}
	switch code[:2] {
	case "22", // data exception
		"23", // integrity constraint violation
		"42", // syntax error or access rule violation
		"21", // cardinality violation
		"44", // with check option violation
		"0A", // feature not supported
		"25", // invalid transaction state
		"2B", "2D", "2F", "34", "3B", "P0", "39", "38", "0L", "0P", "20":
		return classCaller
	case "08": // connection exception
		if atConnect {
			return classUnavailable
		}
		return classLost
	case "28", "3D", "3F": // authentication, unknown database or schema: configuration faults
		return classFault
	}
	return classFault
}

// classifySQLite sorts a SQLite result code (extended codes carry the primary code in the low byte).
func classifySQLite(code int) class {
	switch code & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return classConflict
	case sqlite3.SQLITE_CONSTRAINT, sqlite3.SQLITE_MISMATCH, sqlite3.SQLITE_RANGE, sqlite3.SQLITE_TOOBIG,
		sqlite3.SQLITE_ERROR, sqlite3.SQLITE_AUTH:
		return classCaller
	case sqlite3.SQLITE_INTERRUPT:
		return classCanceled
	}
	return classFault
}

// safeForStatement reports whether a failed autocommit statement may be sent again: it did
// not reach the server, or the server rolled it back whole.
func safeForStatement(c class) bool {
	return c == classUnavailable || c == classConflict
}
