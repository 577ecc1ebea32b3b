package dbpool_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/dbpool"
	"github.com/resilience-go/resilience/retry"
)

func TestPostgresStatements(t *testing.T) {
	p := openPostgres(t, dbpool.Config{})
	if p.Driver() != dbpool.Postgres {
		t.Fatalf("Driver() = %s, want %s", p.Driver(), dbpool.Postgres)
	}
	ctx := context.Background()
	tbl := createTable(t, p, "stmts", "id int primary key, name text not null")

	res, err := p.Exec(ctx, "INSERT INTO "+tbl+" VALUES ($1, $2), ($3, $4)", 1, "one", 2, "two")
	if err != nil {
		t.Fatalf("Exec(insert) = %v", err)
	}
	if n, _ := res.RowsAffected(); n != 2 {
		t.Errorf("RowsAffected() = %d, want 2", n)
	}

	var name string
	if err := p.QueryRow(ctx, "SELECT name FROM "+tbl+" WHERE id = $1", 2).Scan(&name); err != nil || name != "two" {
		t.Errorf("QueryRow(id 2).Scan = %q, %v; want \"two\", nil", name, err)
	}
	err = p.QueryRow(ctx, "SELECT name FROM "+tbl+" WHERE id = $1", 3).Scan(&name)
	if !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("QueryRow(id 3).Scan = %v, want sql.ErrNoRows", err)
	}

	rows, err := p.Query(ctx, "SELECT id, name FROM "+tbl+" ORDER BY id")
	if err != nil {
		t.Fatalf("Query = %v", err)
	}
	var got []string
	for rows.Next() {
		var id int
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		got = append(got, name)
	}
	if err := rows.Close(); err != nil || rows.Err() != nil {
		t.Fatalf("rows: %v %v", err, rows.Err())
	}
	if strings.Join(got, ",") != "one,two" {
		t.Errorf("Query rows = %v, want [one two]", got)
	}

	// A pinned connection keeps its session.
	c, err := p.Conn(ctx)
	if err != nil {
		t.Fatalf("Conn = %v", err)
	}
	if _, err := c.Exec(ctx, "SET application_name = 'dbpool-conn-test'"); err != nil {
		t.Fatal(err)
	}
	var app string
	if err := c.QueryRow(ctx, "SHOW application_name").Scan(&app); err != nil || app != "dbpool-conn-test" {
		t.Errorf("Conn QueryRow(SHOW application_name) = %q, %v; want dbpool-conn-test", app, err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	st := p.Stats()
	if st.Breaker.State != breaker.Closed || st.Breaker.FailedRequests != 0 {
		t.Errorf("breaker stats = %+v, want closed without failures", st.Breaker)
	}
	if st.Breaker.IgnoredRequests != 1 {
		t.Errorf("IgnoredRequests = %d, want 1 (the ErrNoRows)", st.Breaker.IgnoredRequests)
	}
}

func TestPostgresInTx(t *testing.T) {
	p := openPostgres(t, dbpool.Config{})
	ctx := context.Background()
	tbl := createTable(t, p, "tx", "id int primary key")

	if err := p.InTx(ctx, func(ctx context.Context, tx *dbpool.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO "+tbl+" VALUES (1)")
		return err
	}); err != nil {
		t.Fatalf("InTx(commit) = %v", err)
	}

	errOwn := errors.New("insufficient funds")
	err := p.InTx(ctx, func(ctx context.Context, tx *dbpool.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO "+tbl+" VALUES (2)"); err != nil {
			return err
		}
		return errOwn
	})
	if err != errOwn {
		t.Errorf("InTx(fn fails) = %v, want fn's own error unchanged", err)
	}

	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("InTx(fn panics) recovered %v, want boom", r)
			}
		}()
		_ = p.InTx(ctx, func(ctx context.Context, tx *dbpool.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO "+tbl+" VALUES (3)"); err != nil {
				return err
			}
			panic("boom")
		})
	}()

	var ids []int
	rows, err := p.Query(ctx, "SELECT id FROM "+tbl+" ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) != 1 || ids[0] != 1 {
		t.Errorf("rows after commit, error and panic = %v, want [1]", ids)
	}
	if st := p.Breaker().Stats(); st.FailedRequests != 0 || st.State != breaker.Closed {
		t.Errorf("breaker after fn's own error and panic = %+v, want no failures", st)
	}
}

// TestInTxRetriesSerializationFailure provokes a real 40001: the transaction reads a row at
// REPEATABLE READ, another session updates it, and the transaction's own update then cannot be
// serialized. InTx runs fn again, which succeeds; the breaker counts no failure.
func TestInTxRetriesSerializationFailure(t *testing.T) {
	var retries atomic.Int32
	rc := fastRetry(3)
	rc.OnRetry = func(int, error, time.Duration) { retries.Add(1) }
	p := openPostgres(t, dbpool.Config{Retry: rc, MaxOpenConns: 4})
	ctx := context.Background()
	tbl := createTable(t, p, "ser", "id int primary key, v int not null")
	if _, err := p.Exec(ctx, "INSERT INTO "+tbl+" VALUES (1, 0)"); err != nil {
		t.Fatal(err)
	}

	var attempts int
	err := p.InTxOptions(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead}, func(ctx context.Context, tx *dbpool.Tx) error {
		attempts++
		var v int
		if err := tx.QueryRow(ctx, "SELECT v FROM "+tbl+" WHERE id = 1").Scan(&v); err != nil {
			return err
		}
		if attempts == 1 { // a concurrent writer commits after our snapshot
			if _, err := p.Exec(ctx, "UPDATE "+tbl+" SET v = v + 1 WHERE id = 1"); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, "UPDATE "+tbl+" SET v = $1 WHERE id = 1", v+10)
		return err
	})
	if err != nil {
		t.Fatalf("InTx = %v", err)
	}
	if attempts != 2 || retries.Load() != 1 {
		t.Errorf("attempts = %d, retries = %d; want 2 and 1", attempts, retries.Load())
	}
	var v int
	if err := p.QueryRow(ctx, "SELECT v FROM "+tbl+" WHERE id = 1").Scan(&v); err != nil || v != 11 {
		t.Errorf("v = %d, %v; want 11 (the concurrent +1, then the retried +10)", v, err)
	}
	if st := p.Breaker().Stats(); st.FailedRequests != 0 {
		t.Errorf("FailedRequests = %d, want 0: a serialization failure is not an outage", st.FailedRequests)
	}
}

// TestCallerErrorsAreNeutral sends real bad statements: none is retried and none counts
// against the breaker, however many there are.
func TestCallerErrorsAreNeutral(t *testing.T) {
	var retries atomic.Int32
	rc := fastRetry(3)
	rc.OnRetry = func(int, error, time.Duration) { retries.Add(1) }
	p := openPostgres(t, dbpool.Config{
		Retry:   rc,
		Breaker: breaker.Config{FailureThreshold: 1, RecoveryTimeout: time.Hour},
	})
	ctx := context.Background()
	tbl := createTable(t, p, "caller", "id int primary key, n int check (n >= 0)")
	if _, err := p.Exec(ctx, "INSERT INTO "+tbl+" VALUES (1, 1)"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		query    string
		wantCode string
	}{
		{"unique violation", "INSERT INTO " + tbl + " VALUES (1, 1)", pgerrcode.UniqueViolation},
		{"check violation", "INSERT INTO " + tbl + " VALUES (2, -1)", pgerrcode.CheckViolation},
		{"syntax error", "INSERT INTO " + tbl + " VALUE (3, 1)", pgerrcode.SyntaxError},
		{"undefined table", "SELECT * FROM " + tbl + "_missing", pgerrcode.UndefinedTable},
		{"division by zero", "SELECT 1/0", pgerrcode.DivisionByZero},
		{"invalid input", "SELECT 'x'::int", pgerrcode.InvalidTextRepresentation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Exec(ctx, tt.query)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != tt.wantCode {
				t.Fatalf("Exec(%s) = %v, want SQLSTATE %s", tt.query, err, tt.wantCode)
			}
		})
	}
	st := p.Breaker().Stats()
	if st.State != breaker.Closed || st.FailedRequests != 0 || st.IgnoredRequests != int64(len(tests)) {
		t.Errorf("breaker = %s, failed %d, ignored %d; want closed, 0, %d", st.State, st.FailedRequests, st.IgnoredRequests, len(tests))
	}
	if retries.Load() != 0 {
		t.Errorf("retries = %d, want 0", retries.Load())
	}
}

func TestOpenUnreachableServer(t *testing.T) {
	var attempts atomic.Int32
	rc := fastRetry(3)
	rc.OnRetry = func(int, error, time.Duration) { attempts.Add(1) }
	// Port 1 on the loopback refuses at once.
	const u = "postgres://app:hunter2secret@127.0.0.1:1/app?sslmode=disable&connect_timeout=2"
	ctx := context.Background()
	_, err := dbpool.Open(ctx, u, dbpool.Config{Registry: breaker.NewRegistry(), Retry: rc})
	if err == nil {
		t.Fatal("Open(port 1) = nil error")
	}
	msg := err.Error()
	for _, want := range []string{"127.0.0.1:1", "does not answer", "postgres://app:xxxxx@127.0.0.1:1/app"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Open(port 1) = %q, want it to contain %q", msg, want)
		}
	}
	if strings.Contains(msg, "hunter2secret") {
		t.Errorf("Open(port 1) = %q shows the password", msg)
	}
	if attempts.Load() != 2 {
		t.Errorf("retries = %d, want 2 (connection refused is safe to retry)", attempts.Load())
	}
}

func TestOpenRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		give dbpool.Config
		want string
	}{
		{"negative MaxOpenConns", dbpool.Config{MaxOpenConns: -1}, "MaxOpenConns -1"},
		{"negative MaxIdleConns", dbpool.Config{MaxIdleConns: -2}, "MaxIdleConns -2"},
		{"negative ConnMaxLifetime", dbpool.Config{ConnMaxLifetime: -time.Second}, "ConnMaxLifetime -1s"},
		{"negative ConnMaxIdleTime", dbpool.Config{ConnMaxIdleTime: -time.Second}, "ConnMaxIdleTime -1s"},
		{"bad retry", dbpool.Config{Retry: &retry.Config{MaxAttempts: -1}}, "MaxAttempts -1"},
		{"bad breaker", dbpool.Config{Registry: breaker.NewRegistry(), Breaker: breaker.Config{FailureThreshold: -1}}, "FailureThreshold"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dbpool.Open(context.Background(), "sqlite:"+t.TempDir()+"/x.db", tt.give)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open(%s) = %v, want an error containing %q", tt.name, err, tt.want)
			}
		})
	}
}
