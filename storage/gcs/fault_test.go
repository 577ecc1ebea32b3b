package gcs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fsouza/fake-gcs-server/fakestorage"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/retry"
	"github.com/resilience-go/resilience/storage"
	"github.com/resilience-go/resilience/storage/gcs"
)

// The fault tests run in a synctest bubble: retry waits, breaker recovery timeouts, slow
// responses and per-call timeouts all run on the fake clock, so minutes of outage take
// milliseconds and nothing sleeps in real time. The fake server runs outside the bubble on a
// real listener; the client, its transport and the fault injector run inside.

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// faultRig is a Manager over a Bucket whose requests pass through a fault injector.
type faultRig struct {
	srv     *fakestorage.Server
	bucket  string
	f       *faults
	m       *storage.Manager
	mu      sync.Mutex
	changes []string
}

// newFaultRig must be called inside the bubble; close it before the bubble ends.
func newFaultRig(t *testing.T, srv *fakestorage.Server, bc breaker.Config) (*faultRig, func()) {
	t.Helper()
	r := &faultRig{srv: srv, bucket: newBucket(srv), f: &faults{next: &http.Transport{DisableKeepAlives: true}}}
	client := newClient(t, srv, r.f)
	b, err := gcs.New(client, r.bucket, "out")
	if err != nil {
		t.Fatal(err)
	}
	reg := breaker.NewRegistry()
	reg.OnStateChange(func(c breaker.StateChange) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.changes = append(r.changes, c.To.String())
	})
	r.m, err = storage.NewManager(b,
		storage.WithBreakerRegistry(reg),
		storage.WithBreaker(bc),
		storage.WithRetry(retry.Config{
			MaxAttempts: 3, InitialDelay: time.Second, MaxDelay: 4 * time.Second,
			BackoffFactor: 2, Jitter: retry.NoJitter,
		}))
	if err != nil {
		t.Fatal(err)
	}
	return r, func() { client.Close() }
}

func (r *faultRig) stateChanges() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.changes)
}

// verify checks every object on the server side: present, exact bytes, server CRC32C.
func (r *faultRig) verify(t *testing.T, want map[string][]byte) {
	t.Helper()
	for key, data := range want {
		obj, err := r.srv.GetObject(r.bucket, "out/"+key)
		if err != nil {
			t.Errorf("object %q lost: %v", key, err)
			continue
		}
		if !bytes.Equal(obj.Content, data) {
			t.Errorf("object %q corrupted: %d bytes, want %d", key, len(obj.Content), len(data))
		}
		if got := crc32.Checksum(obj.Content, crcTable); obj.Crc32c == "" || got != crc32.Checksum(data, crcTable) {
			t.Errorf("object %q: CRC32C %08x (server %q), want %08x", key, got, obj.Crc32c, crc32.Checksum(data, crcTable))
		}
	}
	objs, _, err := r.srv.ListObjectsWithOptions(r.bucket, fakestorage.ListOptions{Prefix: "out/"})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != len(want) {
		t.Errorf("server holds %d objects, want %d", len(objs), len(want))
	}
}

func content(i int) []byte {
	return bytes.Repeat([]byte(fmt.Sprintf("waveform %03d|", i)), 2000+i*37)
}

// TestFaultOutage: a full outage opens the breaker, calls are then rejected without reaching
// the service, and every upload queued meanwhile finishes after recovery, none lost or
// corrupted.
func TestFaultOutage(t *testing.T) {
	srv := newServer(t)
	synctest.Test(t, func(t *testing.T) {
		r, closeRig := newFaultRig(t, srv, breaker.Config{
			Name: "gcs-upload", FailureThreshold: 3, RecoveryTimeout: 30 * time.Second,
			SuccessThreshold: 2, Timeout: 10 * time.Second,
		})
		defer closeRig()
		ctx := context.Background()
		want := map[string][]byte{}
		if _, err := r.m.Put(ctx, "before", storage.BytesSource(content(0))); err != nil {
			t.Fatalf("Put before the outage error = %v", err)
		}
		want["before"] = content(0)

		r.f.set(func(f *faults) { f.outage = true })
		_, err := r.m.Put(ctx, "during", storage.BytesSource(content(1)))
		var re *retry.Error
		if !errors.As(err, &re) || !storage.IsTransient(re.Last) {
			t.Fatalf("Put during the outage error = %v, want a *retry.Error after transient failures", err)
		}
		if got := r.m.Breaker().State(); got != breaker.Open {
			t.Fatalf("breaker state after %d failed attempts = %v, want open", re.Attempts, got)
		}
		before, _ := r.f.counts()
		_, err = r.m.Put(ctx, "during", storage.BytesSource(content(1)))
		if !errors.Is(err, breaker.ErrOpen) {
			t.Fatalf("Put while open error = %v, want breaker.ErrOpen", err)
		}
		if after, _ := r.f.counts(); after != before {
			t.Errorf("requests while open = %d, want 0 (the breaker must reject)", after-before)
		}

		// Workers keep uploading through the outage the way a task queue does: back off
		// while the breaker is open, try again when it says. The outage ends after 3 minutes.
		outageStart := time.Now()
		go func() {
			time.Sleep(3 * time.Minute)
			r.f.set(func(f *faults) { f.outage = false })
		}()
		var wg sync.WaitGroup
		var mu sync.Mutex
		for w := range 3 {
			wg.Go(func() {
				for i := w * 4; i < w*4+4; i++ {
					key := fmt.Sprintf("queued/%02d.json", i)
					data := content(i)
					for {
						_, err := r.m.Put(ctx, key, storage.BytesSource(data))
						if err == nil {
							break
						}
						var oe *breaker.OpenError
						switch {
						case errors.As(err, &oe):
							time.Sleep(oe.RetryAfter() + time.Millisecond)
						case storage.IsTransient(err) || errors.As(err, new(*retry.Error)):
							time.Sleep(5 * time.Second)
						default:
							t.Errorf("Put(%q) error = %v, want only transient ones", key, err)
							return
						}
					}
					mu.Lock()
					want[key] = data
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if d := time.Since(outageStart); d < 3*time.Minute || d > 5*time.Minute {
			t.Errorf("uploads finished %v after the outage began, want soon after it ended (3m)", d)
		}
		if got := r.m.Breaker().State(); got != breaker.Closed {
			t.Errorf("breaker state after recovery = %v, want closed", got)
		}
		changes := r.stateChanges()
		if len(changes) < 3 || changes[0] != "open" || changes[len(changes)-1] != "closed" || !slices.Contains(changes, "half_open") {
			t.Errorf("state changes = %q, want open ... half_open ... closed", changes)
		}
		if s := r.m.Breaker().Stats(); s.RejectedRequests == 0 {
			t.Errorf("rejected requests = 0, want the breaker to have shed load")
		}
		r.verify(t, want)
	})
}

// TestFault503Burst: a short burst of 503s is absorbed by the retries; the breaker stays
// closed (threshold not reached) and the object is stored once.
func TestFault503Burst(t *testing.T) {
	srv := newServer(t)
	synctest.Test(t, func(t *testing.T) {
		r, closeRig := newFaultRig(t, srv, breaker.Config{FailureThreshold: 5, Timeout: 10 * time.Second})
		defer closeRig()
		ctx := context.Background()
		start := time.Now()
		r.f.set(func(f *faults) { f.burst = 2 })
		info, err := r.m.Put(ctx, "burst.dat", storage.BytesSource(content(7)))
		if err != nil {
			t.Fatalf("Put through a burst of 2 error = %v", err)
		}
		if d := time.Since(start); d != 3*time.Second {
			t.Errorf("Put took %v of backoff, want 1s+2s", d)
		}
		if s := r.m.Breaker().Stats(); s.State != breaker.Closed || s.FailedRequests != 2 {
			t.Errorf("breaker = %v with %d failures, want closed with 2", s.State, s.FailedRequests)
		}
		if info.CRC32C != crc32.Checksum(content(7), crcTable) {
			t.Errorf("CRC32C = %08x, want the content's", info.CRC32C)
		}
		r.f.set(func(f *faults) { f.burst = 2 })
		got, _, err := r.m.Get(ctx, "burst.dat")
		if err != nil || !bytes.Equal(got, content(7)) {
			t.Errorf("Get through a burst = %d bytes, %v", len(got), err)
		}
		r.verify(t, map[string][]byte{"burst.dat": content(7)})
	})
}

// TestFaultSlow: responses slower than the breaker's timeout fail and open the breaker;
// after recovery, uploads succeed.
func TestFaultSlow(t *testing.T) {
	srv := newServer(t)
	synctest.Test(t, func(t *testing.T) {
		r, closeRig := newFaultRig(t, srv, breaker.Config{
			FailureThreshold: 3, RecoveryTimeout: 20 * time.Second, SuccessThreshold: 1, Timeout: 5 * time.Second,
		})
		defer closeRig()
		ctx := context.Background()
		r.f.set(func(f *faults) { f.delay = 2 * time.Second })
		if _, err := r.m.Put(ctx, "slow-ok", storage.BytesSource(content(1))); err != nil {
			t.Fatalf("Put with 2s responses (timeout 5s) error = %v", err)
		}
		r.f.set(func(f *faults) { f.delay = time.Minute })
		start := time.Now()
		_, err := r.m.Put(ctx, "too-slow", storage.BytesSource(content(2)))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Put with 1m responses error = %v, want DeadlineExceeded", err)
		}
		if d := time.Since(start); d != 3*5*time.Second+3*time.Second {
			t.Errorf("Put gave up after %v, want 3 timeouts of 5s + 3s of backoff", d)
		}
		if got := r.m.Breaker().State(); got != breaker.Open {
			t.Errorf("breaker after 3 timeouts = %v, want open", got)
		}
		r.f.set(func(f *faults) { f.delay = 0 })
		time.Sleep(21 * time.Second)
		if _, err := r.m.Put(ctx, "too-slow", storage.BytesSource(content(2))); err != nil {
			t.Fatalf("Put after recovery error = %v", err)
		}
		if got := r.m.Breaker().State(); got != breaker.Closed {
			t.Errorf("breaker after recovery = %v, want closed", got)
		}
		r.verify(t, map[string][]byte{"slow-ok": content(1), "too-slow": content(2)})
	})
}

// TestFaultLostResponse: the upload reaches the service but its answer is lost; the retry's
// precondition fails on the object the first attempt stored, which Put recognizes as its own.
func TestFaultLostResponse(t *testing.T) {
	srv := newServer(t)
	synctest.Test(t, func(t *testing.T) {
		r, closeRig := newFaultRig(t, srv, breaker.Config{Timeout: 10 * time.Second})
		defer closeRig()
		r.f.set(func(f *faults) { f.lose = 1 })
		info, err := r.m.Put(context.Background(), "once.json", storage.BytesSource(content(3)))
		if err != nil {
			t.Fatalf("Put with a lost response error = %v, want success", err)
		}
		obj, err := srv.GetObject(r.bucket, "out/once.json")
		if err != nil || obj.Generation != info.Generation {
			t.Errorf("server generation = %d (%v), want the first attempt's %d", obj.Generation, err, info.Generation)
		}
		r.verify(t, map[string][]byte{"once.json": content(3)})
	})
}

// TestFaultRetryNeverOverwritesNewer: between a lost answer and the retry, another writer
// replaces the object; the retry must not overwrite it.
func TestFaultRetryNeverOverwritesNewer(t *testing.T) {
	srv := newServer(t)
	synctest.Test(t, func(t *testing.T) {
		r, closeRig := newFaultRig(t, srv, breaker.Config{Timeout: 10 * time.Second})
		defer closeRig()
		newer := []byte("written by another worker")
		posts := 0
		r.f.set(func(f *faults) {
			f.lose = 1
			f.onReq = func(req *http.Request) {
				if req.Method != http.MethodPost {
					return
				}
				if posts++; posts == 2 {
					srv.CreateObject(fakestorage.Object{
						ObjectAttrs: fakestorage.ObjectAttrs{BucketName: r.bucket, Name: "out/contested"},
						Content:     newer,
					})
				}
			}
		})
		_, err := r.m.Put(context.Background(), "contested", storage.BytesSource(content(4)))
		if !errors.Is(err, storage.ErrPrecondition) {
			t.Fatalf("Put racing a newer write error = %v, want ErrPrecondition", err)
		}
		r.verify(t, map[string][]byte{"contested": newer})
		if s := r.m.Breaker().Stats(); s.FailedRequests != 1 {
			t.Errorf("breaker failures = %d, want 1 (the lost answer; a precondition is not a failure)", s.FailedRequests)
		}
	})
}

// TestFaultDownloadKeepsGoodFile: a download that fails (outage, then a corrupted body) never
// replaces the local file; one that succeeds does.
func TestFaultDownloadKeepsGoodFile(t *testing.T) {
	srv := newServer(t)
	dir := t.TempDir()
	dst := filepath.Join(dir, "local.json")
	if err := os.WriteFile(dst, []byte("good old file"), 0o644); err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		r, closeRig := newFaultRig(t, srv, breaker.Config{FailureThreshold: 10, Timeout: 10 * time.Second})
		defer closeRig()
		ctx := context.Background()
		if _, err := r.m.Put(ctx, "remote.json", storage.BytesSource(content(5))); err != nil {
			t.Fatal(err)
		}
		r.f.set(func(f *faults) { f.outage = true })
		if _, err := r.m.DownloadFile(ctx, "remote.json", dst); err == nil {
			t.Fatal("DownloadFile during an outage succeeded")
		}
		if got, _ := os.ReadFile(dst); string(got) != "good old file" {
			t.Errorf("local file after a failed download = %q, want it untouched", got)
		}
		r.f.set(func(f *faults) { f.outage = false })
		if _, err := r.m.DownloadFile(ctx, "remote.json", dst); err != nil {
			t.Fatalf("DownloadFile after recovery error = %v", err)
		}
		if got, _ := os.ReadFile(dst); !bytes.Equal(got, content(5)) {
			t.Errorf("local file = %d bytes, want the object's %d", len(got), len(content(5)))
		}
	})
	es, _ := os.ReadDir(dir)
	if len(es) != 1 {
		t.Errorf("download directory holds %d entries, want 1 (no temporary files)", len(es))
	}
}
