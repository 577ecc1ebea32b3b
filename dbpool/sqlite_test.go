package dbpool_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"modernc.org/sqlite"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/dbpool"
)

// TestSQLiteConcurrentWriters has writers race on one counter row and on inserts, through
// transactions and single statements: no write is lost.
func TestSQLiteConcurrentWriters(t *testing.T) {
	p := openURL(t, "sqlite:"+filepath.Join(t.TempDir(), "tasks.db"), dbpool.Config{})
	if p.Driver() != dbpool.SQLite {
		t.Fatalf("Driver() = %s, want sqlite", p.Driver())
	}
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
		"INSERT INTO counter VALUES (1, 0)",
		"CREATE TABLE events (worker INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (worker, seq))",
	} {
		if _, err := p.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var mode string
	if err := p.QueryRow(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}

	const writers, each = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				err := p.InTx(ctx, func(ctx context.Context, tx *dbpool.Tx) error {
					var n int
					if err := tx.QueryRow(ctx, "SELECT n FROM counter WHERE id = 1").Scan(&n); err != nil {
						return err
					}
					_, err := tx.Exec(ctx, "UPDATE counter SET n = ? WHERE id = 1", n+1)
					return err
				})
				if err == nil {
					_, err = p.Exec(ctx, "INSERT INTO events VALUES (?, ?)", w, i)
				}
				if err != nil {
					errs <- fmt.Errorf("writer %d, write %d: %w", w, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var n, events int
	if err := p.QueryRow(ctx, "SELECT n, (SELECT count(*) FROM events) FROM counter").Scan(&n, &events); err != nil {
		t.Fatal(err)
	}
	if n != writers*each || events != writers*each {
		t.Errorf("counter = %d, events = %d; want %d each: writes were lost", n, events, writers*each)
	}
	if st := p.Breaker().Stats(); st.FailedRequests != 0 {
		t.Errorf("breaker failures = %d, want 0", st.FailedRequests)
	}
}

// TestSQLiteBusyIsRetried holds the write lock on one connection while another writes with
// no busy timeout: SQLite answers BUSY, which the pool retries (the statement did not run)
// and does not count against the breaker.
func TestSQLiteBusyIsRetried(t *testing.T) {
	var retries atomic.Int32
	var holder *dbpool.Conn
	var lastErr error
	rc := fastRetry(5)
	rc.OnRetry = func(_ int, err error, _ time.Duration) {
		lastErr = err
		if retries.Add(1) == 1 {
			if _, err := holder.Exec(context.Background(), "COMMIT"); err != nil {
				t.Errorf("release the write lock: %v", err)
			}
		}
	}
	p := openURL(t, "sqlite:"+filepath.Join(t.TempDir(), "busy.db")+"?_busy_timeout=0", dbpool.Config{Retry: rc})
	ctx := context.Background()
	if _, err := p.Exec(ctx, "CREATE TABLE t (v INTEGER)"); err != nil {
		t.Fatal(err)
	}
	var err error
	if holder, err = p.Conn(ctx); err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.Exec(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}

	if _, err := p.Exec(ctx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatalf("Exec while another connection holds the write lock = %v, want success after a retry", err)
	}
	var liteErr *sqlite.Error
	if retries.Load() != 1 || !errors.As(lastErr, &liteErr) || liteErr.Code()&0xff != 5 {
		t.Errorf("retries = %d after %v, want 1 after SQLITE_BUSY", retries.Load(), lastErr)
	}
	if st := p.Breaker().Stats(); st.FailedRequests != 0 {
		t.Errorf("breaker failures = %d, want 0: BUSY is contention, not an outage", st.FailedRequests)
	}
}

func TestSQLiteOpenMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such-dir", "tasks.db")
	_, err := dbpool.Open(context.Background(), "sqlite:"+path, dbpool.Config{Registry: breaker.NewRegistry(), Retry: fastRetry(1)})
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Open(%s) = %v, want an error naming the file", path, err)
	}
}

func TestSQLiteInMemory(t *testing.T) {
	p := openURL(t, "sqlite::memory:", dbpool.Config{})
	ctx := context.Background()
	if _, err := p.Exec(ctx, "CREATE TABLE t (v TEXT)"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Exec(ctx, "INSERT INTO t VALUES ('kept')"); err != nil {
		t.Fatal(err)
	}
	var v string
	if err := p.QueryRow(ctx, "SELECT v FROM t").Scan(&v); err != nil || v != "kept" {
		t.Errorf("QueryRow = %q, %v; want kept (one connection holds the in-memory database)", v, err)
	}
}
