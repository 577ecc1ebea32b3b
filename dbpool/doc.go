// Package dbpool is the service's database pool: one type over database/sql for PostgreSQL
// (production, through pgx) and SQLite (the embedded default, pure Go), with a circuit
// breaker and safe retries around every connection acquisition, statement and transaction.
//
//	pool, err := dbpool.Open(ctx, "postgres://app@db.internal:5432/app", dbpool.Config{})
//	if err != nil {
//		return err // names the host and port; never the password
//	}
//	defer pool.Close()
//
//	err = pool.InTx(ctx, func(ctx context.Context, tx *dbpool.Tx) error {
//		_, err := tx.Exec(ctx, `UPDATE accounts SET balance = balance - $1 WHERE id = $2`, 10, id)
//		return err
//	})
//
// # What is retried
//
// Only what cannot have run twice. A statement is retried when it failed before it reached
// the server (connection refused, a dial timeout, a pooled connection found closed before use)
// or when the server rolled it back whole (serialization failure 40001, deadlock 40P01, lock
// not available 55P03; SQLite's BUSY and LOCKED). A statement whose connection was lost while it
// ran is never retried: it may have committed. [Pool.InTx] re-runs the whole transaction on the
// same errors and also when the connection was lost before COMMIT was sent (an uncommitted
// transaction dies with its connection); when the connection is lost during COMMIT the outcome
// is unknown, and the error matches [ErrCommitUnknown] so the caller can check its idempotency
// key. Errors are classified by type and SQLSTATE, never by message.
//
// # What opens the breaker
//
// Outages: unreachable servers, lost connections, timeouts, authentication failures, server
// faults. A bad query is not an outage: constraint violations (class 23), syntax and access
// errors (42), data errors (22), serialization conflicts and [database/sql.ErrNoRows] are
// neutral. While the breaker is open every call fails at once with an error matching
// breaker.ErrOpen that says when the pool will try the server again.
package dbpool
