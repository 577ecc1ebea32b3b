package dbpool_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/resilience-go/resilience/dbpool"
)

func TestSmoke(t *testing.T) {
	for _, u := range []string{postgresURL(t), "sqlite:" + filepath.Join(t.TempDir(), "x.db")} {
		p := openURL(t, u, dbpool.Config{})
		tbl := createTable(t, p, "smoke", "id integer primary key, v text")
		ctx := context.Background()
		if _, err := p.Exec(ctx, "INSERT INTO "+tbl+" VALUES (1, 'a')"); err != nil {
			t.Fatal(err)
		}
		var v string
		if err := p.QueryRow(ctx, "SELECT v FROM "+tbl+" WHERE id = 1").Scan(&v); err != nil || v != "a" {
			t.Fatal(v, err)
		}
		_, err := p.Exec(ctx, "INSERT INTO "+tbl+" VALUES (1, 'a')")
		t.Logf("%s: %v; %s", p, err, p.Breaker().Stats().State)
	}
}
