package dbpool_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/dbpool"
)

// TestTerminatedBackends kills the pool's server processes with pg_terminate_backend, three
// times while workers write: statements and transactions in flight lose their connection,
// and still every key is written exactly once.
func TestTerminatedBackends(t *testing.T) {
	base := postgresURL(t)
	app := uniqueName("dbpool_term")
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()

	p := openURL(t, u.String(), dbpool.Config{
		Breaker: breaker.Config{Name: "terminate", FailureThreshold: 3, RecoveryTimeout: 20 * time.Millisecond, SuccessThreshold: 1},
		Retry:   fastRetry(4),
	})
	admin := openPostgres(t, dbpool.Config{})
	tbl := createTable(t, p, "term", "key text not null, worker int not null")

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const workers, keys = 4, 30
	var w workload
	wait := w.run(ctx, p, tbl, workers, keys)

	killed := 0
	for range 3 {
		w.waitProgress(t, ctx, 25)
		var n int
		if err := admin.QueryRow(ctx, "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1) k", app).Scan(&n); err != nil {
			t.Fatalf("terminate backends: %v", err)
		}
		killed += n
	}
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, p, tbl, workers, keys)
	if killed == 0 {
		t.Error("no backend was terminated")
	}
	st := p.Breaker().Stats()
	t.Logf("backends terminated: %d; breaker failures %d, rejected %d; workers' failed calls %d, fast-failed %d",
		killed, st.FailedRequests, st.RejectedRequests, w.failed.Load(), w.rejected.Load())
}
