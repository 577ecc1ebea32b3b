package dbpool_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/dbpool"
)

// Open the embedded SQLite default, write in a transaction and read back.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "dbpool-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	pool, err := dbpool.Open(ctx, "sqlite:"+filepath.Join(dir, "tasks.db"), dbpool.Config{
		Breaker:  breaker.Config{Name: "tasks-db"},
		Registry: breaker.NewRegistry(),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()

	if _, err := pool.Exec(ctx, `CREATE TABLE tasks (id INTEGER PRIMARY KEY, file TEXT NOT NULL)`); err != nil {
		fmt.Println(err)
		return
	}
	err = pool.InTx(ctx, func(ctx context.Context, tx *dbpool.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO tasks (file) VALUES (?), (?)`, "a.wav", "b.mp3")
		return err
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM tasks`).Scan(&n); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(pool.Driver(), n, "tasks; breaker", pool.Breaker().Name(), pool.Breaker().State())
	// Output: sqlite 2 tasks; breaker tasks-db closed
}

// Errors about a database URL never show its password.
func Example_redactedURL() {
	_, err := dbpool.Open(context.Background(), "mysql://app:s3cret@db/app", dbpool.Config{})
	fmt.Println(err)
	// Output: dbpool: invalid database URL: unsupported scheme "mysql" in "mysql://app:xxxxx@db/app" (want postgres, postgresql or sqlite)
}

// While the breaker is open, calls fail at once with breaker.ErrOpen.
func ExamplePool_Exec_breakerOpen() {
	dir, _ := os.MkdirTemp("", "dbpool-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	pool, err := dbpool.Open(ctx, filepath.Join(dir, "x.db"), dbpool.Config{Registry: breaker.NewRegistry()})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()

	pool.Breaker().ForceOpen() // as an outage would
	_, err = pool.Exec(ctx, `SELECT 1`)
	fmt.Println(errors.Is(err, breaker.ErrOpen))
	// Output: true
}
