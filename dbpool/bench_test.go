package dbpool_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the bare "pgx" driver

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/dbpool"
)

// BenchmarkOverhead compares the pool with the bare *sql.DB (pgx's driver) on the same
// server: the difference per query is what the breaker, the retry wrapper and the driver
// guard cost.
func BenchmarkOverhead(b *testing.B) {
	u := postgresURL(b)
	p := openURL(b, u, dbpool.Config{MaxOpenConns: 4})
	noDeadline := openURL(b, u, dbpool.Config{MaxOpenConns: 4, Breaker: breaker.Config{Name: "bench.nodeadline", Timeout: breaker.NoTimeout}})
	bare, err := sql.Open("pgx", u)
	if err != nil {
		b.Fatal(err)
	}
	defer bare.Close()
	bare.SetMaxOpenConns(4)
	bare.SetMaxIdleConns(4)
	ctx := context.Background()

	b.Run("QueryRow/sql.DB", func(b *testing.B) {
		b.ReportAllocs()
		var n int
		for b.Loop() {
			if err := bare.QueryRowContext(ctx, "SELECT $1::int", 1).Scan(&n); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The pool's breaker bounds each call with a deadline (Timeout, 30s by default), and a
	// context with a deadline costs pgx a watcher per query; this is the bare DB paying the same.
	b.Run("QueryRow/sql.DB+deadline", func(b *testing.B) {
		b.ReportAllocs()
		var n int
		for b.Loop() {
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			err := bare.QueryRowContext(ctx, "SELECT $1::int", 1).Scan(&n)
			cancel()
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("QueryRow/Pool", func(b *testing.B) {
		b.ReportAllocs()
		var n int
		for b.Loop() {
			if err := p.QueryRow(ctx, "SELECT $1::int", 1).Scan(&n); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("QueryRow/Pool+NoTimeout", func(b *testing.B) {
		b.ReportAllocs()
		var n int
		for b.Loop() {
			if err := noDeadline.QueryRow(ctx, "SELECT $1::int", 1).Scan(&n); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Exec/sql.DB", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := bare.ExecContext(ctx, "SELECT 1"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Exec/Pool", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Exec(ctx, "SELECT 1"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("QueryRowParallel/sql.DB", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			var n int
			for pb.Next() {
				if err := bare.QueryRowContext(ctx, "SELECT $1::int", 1).Scan(&n); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("QueryRowParallel/sql.DB+deadline", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			var n int
			for pb.Next() {
				ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				err := bare.QueryRowContext(ctx, "SELECT $1::int", 1).Scan(&n)
				cancel()
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("QueryRowParallel/Pool", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			var n int
			for pb.Next() {
				if err := p.QueryRow(ctx, "SELECT $1::int", 1).Scan(&n); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
