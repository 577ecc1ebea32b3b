package dbpool_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/dbpool"
)

// faultProxy is an in-process toxiproxy between the pool and the test server.
type faultProxy struct {
	t     testing.TB
	proxy *toxiproxy.Proxy
	url   string // the server's URL pointed at the proxy
}

// newFaultProxy starts a proxy in front of the server of pgURL, stopped when the test ends.
func newFaultProxy(t testing.TB, pgURL string) *faultProxy {
	t.Helper()
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatal(err)
	}
	upstream := u.Host
	if u.Port() == "" {
		upstream = net.JoinHostPort(u.Hostname(), "5432")
	}
	server := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	proxy := toxiproxy.NewProxy(server, "postgres", "127.0.0.1:0", upstream)
	if err := proxy.Start(); err != nil {
		t.Fatalf("start fault proxy: %v", err)
	}
	t.Cleanup(proxy.Stop)
	u.Host = proxy.Listen
	return &faultProxy{t: t, proxy: proxy, url: u.String()}
}

// cut ends the outage's every connection and refuses new ones: the database is gone.
func (f *faultProxy) cut() { f.proxy.Stop() }

// restore lets connections through again.
func (f *faultProxy) restore() {
	f.t.Helper()
	if err := f.proxy.Start(); err != nil {
		f.t.Fatalf("restart fault proxy: %v", err)
	}
}

// addToxic adds a toxic, given as toxiproxy's JSON, to every connection, now and later.
func (f *faultProxy) addToxic(js string) {
	f.t.Helper()
	if _, err := f.proxy.Toxics.AddToxicJson(strings.NewReader(js)); err != nil {
		f.t.Fatalf("add toxic %s: %v", js, err)
	}
}

func (f *faultProxy) removeToxic(name string) {
	f.t.Helper()
	if err := f.proxy.Toxics.RemoveToxic(context.Background(), name); err != nil {
		f.t.Fatalf("remove toxic %s: %v", name, err)
	}
}

// stateWatch records a breaker's state changes and lets a test wait for one.
type stateWatch struct {
	mu      sync.Mutex
	changes []breaker.StateChange
	notify  chan struct{}
}

func watchStates(reg *breaker.Registry) (*stateWatch, func()) {
	w := &stateWatch{notify: make(chan struct{}, 1)}
	remove := reg.OnStateChange(func(c breaker.StateChange) {
		w.mu.Lock()
		w.changes = append(w.changes, c)
		w.mu.Unlock()
		select {
		case w.notify <- struct{}{}:
		default:
		}
	})
	return w, remove
}

// count returns how many changes into state to have happened.
func (w *stateWatch) count(to breaker.State) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, c := range w.changes {
		if c.To == to {
			n++
		}
	}
	return n
}

// waitFor waits until at least n changes into state to have happened.
func (w *stateWatch) waitFor(t testing.TB, ctx context.Context, to breaker.State, n int) {
	t.Helper()
	for w.count(to) < n {
		select {
		case <-w.notify:
		case <-ctx.Done():
			t.Fatalf("waiting for %d changes to %s: %v (changes so far: %v)", n, to, ctx.Err(), w.summary())
		}
	}
}

func (w *stateWatch) summary() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var b strings.Builder
	for _, c := range w.changes {
		fmt.Fprintf(&b, "%s->%s (%s); ", c.From, c.To, c.Reason)
	}
	return b.String()
}

// insertOnce writes key exactly once, however often it is called: the idempotency key is
// checked in the same transaction as the insert. The table has no unique constraint, so a
// write that happened twice would show as two rows.
func insertOnce(ctx context.Context, p *dbpool.Pool, tbl, key string, worker int) error {
	return p.InTx(ctx, func(ctx context.Context, tx *dbpool.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+tbl+" WHERE key = $1", key).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		_, err := tx.Exec(ctx, "INSERT INTO "+tbl+" (key, worker) VALUES ($1, $2)", key, worker)
		return err
	})
}

// workload is workers writing keys until each is written, as a task queue would: an open
// breaker makes a worker wait until the breaker will admit a call again; any other error
// makes it try the same key again (insertOnce makes that safe).
type workload struct {
	done     atomic.Int64 // keys written
	rejected atomic.Int64 // calls that failed fast with breaker.ErrOpen
	failed   atomic.Int64 // calls that failed otherwise
	progress chan struct{}
}

func (w *workload) run(ctx context.Context, p *dbpool.Pool, tbl string, workers, keys int) func() error {
	w.progress = make(chan struct{}, workers*keys)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range workers {
		wg.Go(func() {
			for k := range keys {
				key := fmt.Sprintf("w%d-k%d", i, k)
				for {
					err := insertOnce(ctx, p, tbl, key, i)
					if err == nil {
						break
					}
					if ctx.Err() != nil {
						errs <- fmt.Errorf("worker %d key %s: %w (last: %v)", i, key, ctx.Err(), err)
						return
					}
					var open *breaker.OpenError
					if errors.As(err, &open) {
						w.rejected.Add(1)
						waitOrDone(ctx, open.RetryAfter())
						continue
					}
					w.failed.Add(1)
				}
				w.done.Add(1)
				w.progress <- struct{}{}
			}
		})
	}
	return func() error {
		wg.Wait()
		close(errs)
		return errors.Join(func() []error {
			var all []error
			for err := range errs {
				all = append(all, err)
			}
			return all
		}()...)
	}
}

// waitOrDone waits d (at least a millisecond, so a half-open breaker's other probes can
// finish), or until ctx is done.
func waitOrDone(ctx context.Context, d time.Duration) {
	timer := time.NewTimer(max(d, time.Millisecond))
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
}

// waitProgress waits until n more keys have been written.
func (w *workload) waitProgress(t testing.TB, ctx context.Context, n int) {
	t.Helper()
	for range n {
		select {
		case <-w.progress:
		case <-ctx.Done():
			t.Fatalf("waiting for progress: %v", ctx.Err())
		}
	}
}

// checkExactlyOnce fails the test unless every key of the workload is in tbl exactly once.
func checkExactlyOnce(t testing.TB, p *dbpool.Pool, tbl string, workers, keys int) {
	t.Helper()
	ctx := context.Background()
	var rows, distinct int
	if err := p.QueryRow(ctx, "SELECT count(*), count(DISTINCT key) FROM "+tbl).Scan(&rows, &distinct); err != nil {
		t.Fatalf("count rows: %v", err)
	}
	if want := workers * keys; rows != want || distinct != want {
		t.Errorf("table has %d rows with %d distinct keys, want %d and %d: work was lost or written twice", rows, distinct, want, want)
	}
}

// TestOutageThroughFaultProxy cuts the database away while workers write, then brings it
// back: the breaker opens, calls fail fast while it is open, the breaker closes after the
// recovery, and every key is written exactly once.
func TestOutageThroughFaultProxy(t *testing.T) {
	fp := newFaultProxy(t, postgresURL(t))
	reg := breaker.NewRegistry()
	watch, remove := watchStates(reg)
	defer remove()
	p := openURL(t, fp.url, dbpool.Config{
		Registry: reg,
		Breaker: breaker.Config{
			Name:             "outage",
			FailureThreshold: 3,
			RecoveryTimeout:  50 * time.Millisecond,
			SuccessThreshold: 2,
			Timeout:          5 * time.Second,
		},
		Retry:        fastRetry(3),
		MaxOpenConns: 4,
	})
	tbl := createTable(t, p, "outage", "key text not null, worker int not null")

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const workers, keys = 4, 40
	var w workload
	wait := w.run(ctx, p, tbl, workers, keys)

	w.waitProgress(t, ctx, 20)
	fp.cut()
	watch.waitFor(t, ctx, breaker.Open, 1)
	// While the database is away the breaker stays open: its half-open probes fail and
	// open it again.
	watch.waitFor(t, ctx, breaker.Open, 3)
	rejectedDuringOutage := p.Breaker().Stats().RejectedRequests
	doneDuringOutage := w.done.Load()
	fp.restore()
	watch.waitFor(t, ctx, breaker.Closed, 1)

	if err := wait(); err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, p, tbl, workers, keys)

	if rejectedDuringOutage == 0 || w.rejected.Load() == 0 {
		t.Errorf("rejected calls = %d (breaker) / %d (workers), want calls failing fast while open", rejectedDuringOutage, w.rejected.Load())
	}
	if got := p.Breaker().State(); got != breaker.Closed {
		t.Errorf("breaker after recovery = %s, want closed", got)
	}
	t.Logf("keys written before the cut and during the outage: %d; workers' failed calls %d, fast-failed %d; breaker: %s",
		doneDuringOutage, w.failed.Load(), w.rejected.Load(), watch.summary())
}

// TestLostResponseIsNotRetried makes the server run an INSERT and then resets the connection
// before the answer arrives: the statement committed, so retrying it would write it twice.
// Exec must return the error without retrying.
func TestLostResponseIsNotRetried(t *testing.T) {
	fp := newFaultProxy(t, postgresURL(t))
	var retries atomic.Int32
	rc := fastRetry(3)
	rc.OnRetry = func(int, error, time.Duration) { retries.Add(1) }
	p := openURL(t, fp.url, dbpool.Config{Retry: rc, MaxOpenConns: 1})
	tbl := createTable(t, p, "lost", "key text not null")
	ctx := context.Background()

	// The downstream (server to client) reset fires on the first bytes of the answer.
	fp.addToxic(`{"name":"cut_answer","type":"reset_peer","stream":"downstream","attributes":{"timeout":0}}`)
	_, err := p.Exec(ctx, "INSERT INTO "+tbl+" VALUES ('once')")
	fp.removeToxic("cut_answer")
	if err == nil {
		t.Fatal("Exec through a reset connection = nil error")
	}
	if retries.Load() != 0 {
		t.Errorf("Exec was retried %d times after losing the answer, want 0 (error: %v)", retries.Load(), err)
	}
	// pgx's driver says driver.ErrBadConn here, on which database/sql would silently run the
	// INSERT again on another connection; the pool says the connection was lost.
	if errors.Is(err, driver.ErrBadConn) || !errors.Is(err, pgconn.ErrConnClosed) {
		t.Errorf("Exec error = %v, want one matching pgconn.ErrConnClosed and not driver.ErrBadConn", err)
	}

	var n int
	if err := p.QueryRow(ctx, "SELECT count(*) FROM "+tbl).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n > 1 {
		t.Errorf("rows = %d, want at most 1", n)
	}
	t.Logf("Exec error: %v; rows: %d", err, n)
}

// TestInTxCommitOutcomeUnknown resets the connection while COMMIT's answer is on its way:
// the transaction committed, InTx must not run it again, and says the outcome is unknown.
func TestInTxCommitOutcomeUnknown(t *testing.T) {
	fp := newFaultProxy(t, postgresURL(t))
	p := openURL(t, fp.url, dbpool.Config{MaxOpenConns: 1})
	tbl := createTable(t, p, "commit", "key text not null")
	ctx := context.Background()

	runs := 0
	err := p.InTx(ctx, func(ctx context.Context, tx *dbpool.Tx) error {
		runs++
		if _, err := tx.Exec(ctx, "INSERT INTO "+tbl+" VALUES ('once')"); err != nil {
			return err
		}
		// Everything from here on reaches the server, but its answers do not come back.
		fp.addToxic(`{"name":"cut_commit","type":"reset_peer","stream":"downstream","attributes":{"timeout":0}}`)
		return nil
	})
	fp.removeToxic("cut_commit")
	if !errors.Is(err, dbpool.ErrCommitUnknown) {
		t.Fatalf("InTx with COMMIT's answer lost = %v, want an error matching ErrCommitUnknown", err)
	}
	if runs != 1 {
		t.Errorf("fn ran %d times, want 1", runs)
	}
	var n int
	if err := p.QueryRow(ctx, "SELECT count(*) FROM "+tbl).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("rows = %d, want 1 (the commit happened, once)", n)
	}
}

// TestInTxRetriesConnectionLostBeforeCommit loses the connection in the middle of the
// transaction function: nothing was committed, so InTx runs the whole transaction again.
func TestInTxRetriesConnectionLostBeforeCommit(t *testing.T) {
	fp := newFaultProxy(t, postgresURL(t))
	p := openURL(t, fp.url, dbpool.Config{MaxOpenConns: 2})
	tbl := createTable(t, p, "midtx", "key text not null")
	ctx := context.Background()

	runs := 0
	err := p.InTx(ctx, func(ctx context.Context, tx *dbpool.Tx) error {
		runs++
		if _, err := tx.Exec(ctx, "INSERT INTO "+tbl+" VALUES ('once')"); err != nil {
			return err
		}
		if runs == 1 {
			fp.addToxic(`{"name":"cut_request","type":"reset_peer","stream":"upstream","attributes":{"timeout":0}}`)
			_, err := tx.Exec(ctx, "SELECT 1")
			fp.removeToxic("cut_request")
			if err == nil {
				t.Error("statement through a reset connection = nil error")
			}
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatalf("InTx = %v", err)
	}
	if runs != 2 {
		t.Errorf("fn ran %d times, want 2", runs)
	}
	var n int
	if err := p.QueryRow(ctx, "SELECT count(*) FROM "+tbl).Scan(&n); err != nil || n != 1 {
		t.Errorf("rows = %d, %v; want 1", n, err)
	}
}

// TestLatencyOpensBreaker slows every answer past the breaker's Timeout: the calls time out,
// count as failures and open the breaker; without the latency the breaker closes again.
func TestLatencyOpensBreaker(t *testing.T) {
	fp := newFaultProxy(t, postgresURL(t))
	reg := breaker.NewRegistry()
	watch, remove := watchStates(reg)
	defer remove()
	p := openURL(t, fp.url, dbpool.Config{
		Registry: reg,
		Breaker: breaker.Config{
			Name: "slow", FailureThreshold: 2, RecoveryTimeout: 50 * time.Millisecond,
			SuccessThreshold: 1, Timeout: 100 * time.Millisecond,
		},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	fp.addToxic(`{"name":"slow","type":"latency","stream":"downstream","attributes":{"latency":400}}`)
	// Each call runs out of the breaker's 100ms (a statement on a pooled connection, or a new
	// connection being set up); after 2 such failures the breaker opens and says when it
	// will try again.
	for timeouts := 0; ; timeouts++ {
		_, err := p.Exec(ctx, "SELECT 1")
		if errors.Is(err, breaker.ErrOpen) {
			if !strings.Contains(err.Error(), "will try again in") || timeouts < 1 {
				t.Fatalf("Exec after %d timeouts = %v, want breaker.ErrOpen saying when it will try again", timeouts, err)
			}
			break
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Exec through 400ms latency with a 100ms breaker timeout = %v, want context.DeadlineExceeded", err)
		}
		if timeouts > 3 {
			t.Fatalf("breaker still %s after %d timeouts, want open", p.Breaker().State(), timeouts)
		}
	}
	fp.removeToxic("slow")

	for p.Breaker().State() != breaker.Closed {
		var open *breaker.OpenError
		_, err := p.Exec(ctx, "SELECT 1")
		if errors.As(err, &open) {
			waitOrDone(ctx, open.RetryAfter())
		}
		if ctx.Err() != nil {
			t.Fatalf("breaker did not close: %v; %s", err, watch.summary())
		}
	}
	if watch.count(breaker.Open) < 1 || watch.count(breaker.Closed) < 1 {
		t.Errorf("state changes = %s, want open then closed", watch.summary())
	}
}
