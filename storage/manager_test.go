package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/retry"
	"github.com/resilience-go/resilience/storage"
	"github.com/resilience-go/resilience/storage/storagetest"
)

// flakyStore injects faults in front of a real Dir.
type flakyStore struct {
	storage.Store
	mu         sync.Mutex
	failPut    int  // the next failPut Puts fail with a 503...
	halfRead   bool // ...after consuming half of the reader
	lostPut    int  // the next lostPut Puts succeed, then report a 503
	failGet    int
	corruptGet int // the next corruptGet Gets return a flipped bit
	lostDelete int // the next lostDelete Deletes succeed, then report a 503
	calls      int
}

func unavailable(op, key string) error {
	return &storage.Error{Op: op, Key: key, StatusCode: 503, Err: errors.New("injected outage")}
}

func (f *flakyStore) take(n *int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if *n > 0 {
		*n--
		return true
	}
	return false
}

func (f *flakyStore) Put(ctx context.Context, key string, r io.Reader, opts storage.PutOptions) (storage.ObjectInfo, error) {
	if f.take(&f.failPut) {
		if f.halfRead {
			io.CopyN(io.Discard, r, 10)
		}
		return storage.ObjectInfo{}, unavailable("put", key)
	}
	info, err := f.Store.Put(ctx, key, r, opts)
	if err == nil && f.take(&f.lostPut) {
		return storage.ObjectInfo{}, unavailable("put", key)
	}
	return info, err
}

func (f *flakyStore) Get(ctx context.Context, key string) (io.ReadCloser, storage.ObjectInfo, error) {
	if f.take(&f.failGet) {
		return nil, storage.ObjectInfo{}, unavailable("get", key)
	}
	rc, info, err := f.Store.Get(ctx, key)
	if err != nil || !f.take(&f.corruptGet) {
		return rc, info, err
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	b[0] ^= 1
	return io.NopCloser(bytes.NewReader(b)), info, nil
}

func (f *flakyStore) Delete(ctx context.Context, key string) error {
	err := f.Store.Delete(ctx, key)
	if err == nil && f.take(&f.lostDelete) {
		return unavailable("delete", key)
	}
	return err
}

func TestManagerReopensSourceEachAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &flakyStore{Store: newDir(t), failPut: 2, halfRead: true}
		m := storagetest.NewManager(t, st)
		data := []byte(strings.Repeat("0123456789", 100))
		opens := 0
		src := func() (io.ReadCloser, error) {
			opens++
			return io.NopCloser(bytes.NewReader(data)), nil
		}
		if _, err := m.Put(context.Background(), "k", src); err != nil {
			t.Fatalf("Put error = %v", err)
		}
		if opens != 4 {
			t.Errorf("source opened %d times, want 4 (checksum + 3 attempts)", opens)
		}
		got, _, err := m.Get(context.Background(), "k")
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("Get = %d bytes, %v, want the full content despite half-read attempts", len(got), err)
		}
	})
}

func TestManagerDefaultRetryIsConservative(t *testing.T) {
	tests := []struct {
		name     string
		opts     []storage.Option
		wantWait time.Duration // the two waits after two failures, without jitter
	}{
		{name: "default", wantWait: 1*time.Second + 2*time.Second},
		{name: "Patient", opts: []storage.Option{storage.WithRetry(retry.Patient)}, wantWait: 2*time.Second + 5*time.Second},
		{name: "custom", opts: []storage.Option{storage.WithRetry(retry.Config{MaxAttempts: 3, InitialDelay: time.Minute, MaxDelay: time.Hour, BackoffFactor: 3, Jitter: retry.NoJitter})}, wantWait: 4 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				st := &flakyStore{Store: newDir(t), failPut: 2}
				opts := append([]storage.Option{storage.WithBreakerRegistry(breaker.NewRegistry())}, tt.opts...)
				m, err := storage.NewManager(st, opts...)
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				if _, err := m.Put(context.Background(), "k", storage.BytesSource([]byte("x"))); err != nil {
					t.Fatalf("Put error = %v", err)
				}
				// Presets carry ±10% jitter.
				if d := time.Since(start); d < tt.wantWait*9/10 || d > tt.wantWait*11/10 {
					t.Errorf("Put waited %v, want %v ±10%%", d, tt.wantWait)
				}
			})
		})
	}
}

func TestManagerExhaustedRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &flakyStore{Store: newDir(t), failPut: 100}
		m := storagetest.NewManager(t, st)
		_, err := m.Put(context.Background(), "k", storage.BytesSource([]byte("x")))
		var re *retry.Error
		if !errors.As(err, &re) || re.Attempts != 3 || !storage.IsTransient(re.Last) {
			t.Fatalf("Put error = %v, want a *retry.Error after 3 transient failures", err)
		}
		var se *storage.Error
		if !errors.As(err, &se) || se.StatusCode != 503 {
			t.Errorf("Put error = %v, want the last *storage.Error reachable", err)
		}
		if _, err := m.Stat(context.Background(), "k"); !errors.Is(err, storage.ErrNotExist) {
			t.Errorf("Stat after failed uploads error = %v, want ErrNotExist", err)
		}
	})
}

func TestManagerLostPutAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &flakyStore{Store: newDir(t), lostPut: 1}
		m := storagetest.NewManager(t, st)
		info, err := m.Put(context.Background(), "k", storage.BytesSource([]byte("mine")))
		if err != nil {
			t.Fatalf("Put with a lost answer error = %v, want success (the object is ours)", err)
		}
		if got, _, _ := m.Get(context.Background(), "k"); string(got) != "mine" || info.Size != 4 {
			t.Errorf("object = %q (%+v), want mine", got, info)
		}
	})
}

func TestManagerLostDeleteAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &flakyStore{Store: newDir(t), lostDelete: 1}
		m := storagetest.NewManager(t, st)
		ctx := context.Background()
		if _, err := m.Put(ctx, "k", storage.BytesSource([]byte("x"))); err != nil {
			t.Fatal(err)
		}
		if err := m.Delete(ctx, "k"); err != nil {
			t.Errorf("Delete with a lost answer error = %v, want success", err)
		}
	})
}

func TestManagerCorruptDownloadRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &flakyStore{Store: newDir(t)}
		m := storagetest.NewManager(t, st)
		ctx := context.Background()
		if _, err := m.Put(ctx, "k", storage.BytesSource([]byte("clean bytes"))); err != nil {
			t.Fatal(err)
		}
		if info, _ := m.Stat(ctx, "k"); !info.HasCRC32C {
			t.Skip("file system without user extended attributes: Dir objects carry no checksum")
		}
		st.corruptGet = 1
		got, _, err := m.Get(ctx, "k")
		if err != nil || string(got) != "clean bytes" {
			t.Errorf("Get = %q, %v, want the clean bytes after a retry", got, err)
		}
		st.corruptGet = 3
		_, _, err = m.Get(ctx, "k")
		var ce *storage.ChecksumError
		if !errors.As(err, &ce) || !errors.Is(err, storage.ErrChecksum) || !ce.Download {
			t.Errorf("Get of always-corrupt bytes error = %v, want a download *ChecksumError", err)
		}
	})
}

func TestManagerBreaker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		dir := newDir(t)
		st := &flakyStore{Store: dir}
		reg := breaker.NewRegistry()
		m, err := storage.NewManager(st, storage.WithBreakerRegistry(reg), storage.WithRetry(storagetest.FastRetry),
			storage.WithBreaker(breaker.Config{FailureThreshold: 3, RecoveryTimeout: time.Minute, SuccessThreshold: 1}))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := m.Breaker().Name(), "storage"; got != want {
			t.Errorf("breaker name of a store without String() = %q, want %q", got, want)
		}
		if b, ok := reg.Lookup(m.Breaker().Name()); !ok || b != m.Breaker() {
			t.Error("breaker not in the given registry")
		}
		// Answers are not failures: missing objects, invalid keys, preconditions.
		for range 10 {
			m.Stat(ctx, "missing")
			m.Get(ctx, "../escape")
		}
		m.Put(ctx, "p", storage.BytesSource([]byte("1")), storage.IfNotExist())
		m.Put(ctx, "p", storage.BytesSource([]byte("2")), storage.IfNotExist())
		if s := m.Breaker().Stats(); s.State != breaker.Closed || s.FailedRequests != 0 {
			t.Fatalf("breaker = %v with %d failures after answers, want closed with 0", s.State, s.FailedRequests)
		}
		st.failGet = 3
		if _, _, err := m.Get(ctx, "p"); err == nil {
			t.Fatal("Get with 3 injected failures succeeded")
		}
		if got := m.Breaker().State(); got != breaker.Open {
			t.Fatalf("breaker after 3 failures = %v, want open", got)
		}
		calls := st.calls
		_, _, err = m.Get(ctx, "p")
		if !errors.Is(err, breaker.ErrOpen) || st.calls != calls {
			t.Errorf("Get while open = %v with %d store calls, want ErrOpen and none", err, st.calls-calls)
		}
		time.Sleep(time.Minute + time.Millisecond) // just past the recovery timer
		if got, _, err := m.Get(ctx, "p"); err != nil || string(got) != "1" {
			t.Errorf("Get after recovery = %q, %v, want 1", got, err)
		}
		if got := m.Breaker().State(); got != breaker.Closed {
			t.Errorf("breaker after a successful probe = %v, want closed", got)
		}
	})
}

func TestManagerSharesBreakerPerBackend(t *testing.T) {
	reg := breaker.NewRegistry()
	d := newDir(t)
	a, err := storage.NewManager(d, storage.WithBreakerRegistry(reg))
	if err != nil {
		t.Fatal(err)
	}
	b, err := storage.NewManager(d, storage.WithBreakerRegistry(reg), storage.WithRetry(retry.Patient))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := a.Breaker().Name(), "storage:"+d.String(); got != want {
		t.Errorf("breaker name = %q, want %q", got, want)
	}
	if a.Breaker() != b.Breaker() {
		t.Error("two Managers of one store got two breakers, want one per backend")
	}
	c, err := storage.NewManager(d, storage.WithBreakerRegistry(reg), storage.WithBreaker(breaker.Config{Name: "gcs-upload"}))
	if err != nil || c.Breaker().Name() != "gcs-upload" {
		t.Errorf("NewManager(WithBreaker(Name: gcs-upload)) = %v, want that breaker name", err)
	}
}

func TestNewManagerErrors(t *testing.T) {
	if _, err := storage.NewManager(nil); err == nil {
		t.Error("NewManager(nil) succeeded, want an error")
	}
	_, err := storage.NewManager(newDir(t), storage.WithBreakerRegistry(breaker.NewRegistry()),
		storage.WithBreaker(breaker.Config{FailureThreshold: -1}))
	if err == nil || !strings.Contains(err.Error(), "FailureThreshold") {
		t.Errorf("NewManager(FailureThreshold: -1) error = %v, want one naming the field", err)
	}
	t.Setenv(breaker.EnvFailureThreshold, "many")
	_, err = storage.NewManager(newDir(t), storage.WithBreakerRegistry(breaker.NewRegistry()))
	if err == nil || !strings.Contains(err.Error(), breaker.EnvFailureThreshold) {
		t.Errorf("NewManager with %s=many error = %v, want one naming the variable", breaker.EnvFailureThreshold, err)
	}
}

func TestManagerCancelled(t *testing.T) {
	m := storagetest.NewManager(t, newDir(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := m.Put(ctx, "k", storage.BytesSource([]byte("x")))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context error = %v, want context.Canceled", err)
	}
	if s := m.Breaker().Stats(); s.FailedRequests != 0 {
		t.Errorf("breaker failures after a cancellation = %d, want 0", s.FailedRequests)
	}
}
