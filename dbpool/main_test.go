package dbpool_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/dbpool"
	"github.com/resilience-go/resilience/retry"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const defaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// postgresURL returns the URL of the test server: DATABASE_URL, else the local default. It
// skips the test when the server does not answer, and fails it when CI=true.
func postgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		u = defaultPostgresURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p, err := dbpool.Open(ctx, u, dbpool.Config{
		Registry: breaker.NewRegistry(),
		Retry:    &retry.Config{MaxAttempts: 1},
	})
	if err != nil {
		msg := "PostgreSQL is not reachable (start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start, or set DATABASE_URL): " + err.Error()
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	p.Close()
	return u
}

// fastRetry is a retry schedule for tests: the real schedule's shape, in milliseconds.
func fastRetry(attempts int) *retry.Config {
	return &retry.Config{MaxAttempts: attempts, InitialDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, BackoffFactor: 2}
}

// uniqueName returns a fresh SQL identifier for a test's table or schema.
func uniqueName(prefix string) string {
	var b [6]byte
	rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}

// openPostgres opens a pool on the test server with its own breaker registry.
func openPostgres(t testing.TB, cfg dbpool.Config) *dbpool.Pool {
	t.Helper()
	u := postgresURL(t)
	return openURL(t, u, cfg)
}

func openURL(t testing.TB, u string, cfg dbpool.Config) *dbpool.Pool {
	t.Helper()
	if cfg.Registry == nil {
		cfg.Registry = breaker.NewRegistry()
	}
	if cfg.Retry == nil {
		cfg.Retry = fastRetry(3)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := dbpool.Open(ctx, u, cfg)
	if err != nil {
		t.Fatalf("Open(%s) = %v", u, err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// createTable makes a table of a fresh name, dropped when the test ends.
func createTable(t testing.TB, p *dbpool.Pool, prefix, columns string) string {
	t.Helper()
	name := uniqueName(prefix)
	ctx := context.Background()
	if _, err := p.Exec(ctx, "CREATE TABLE "+name+" ("+columns+")"); err != nil {
		t.Fatalf("create table %s: %v", name, err)
	}
	t.Cleanup(func() {
		if _, err := p.Exec(context.Background(), "DROP TABLE IF EXISTS "+name); err != nil {
			t.Errorf("drop table %s: %v", name, err)
		}
	})
	return name
}
