package gcs_test

import (
	"bytes"
	"context"
	"errors"
	"hash/crc32"
	"net/http"
	"strings"
	"testing"

	"github.com/fsouza/fake-gcs-server/fakestorage"

	"github.com/resilience-go/resilience/storage"
	"github.com/resilience-go/resilience/storage/gcs"
	"github.com/resilience-go/resilience/storage/storagetest"
)

func TestConformance(t *testing.T) {
	srv := newServer(t)
	client := newClient(t, srv, nil)
	t.Cleanup(func() { client.Close() })
	storagetest.Run(t, func(t *testing.T) storage.Store {
		b, err := gcs.New(client, newBucket(srv), "some/prefix")
		if err != nil {
			t.Fatal(err)
		}
		return b
	})
}

func TestPrefixIsolation(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	client := newClient(t, srv, nil)
	defer client.Close()
	name := newBucket(srv)
	a, _ := gcs.New(client, name, "a")
	b, _ := gcs.New(client, name, "b/")
	if _, err := a.Put(ctx, "k", bytes.NewReader([]byte("in a")), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Stat(ctx, "k"); !errors.Is(err, storage.ErrNotExist) {
		t.Errorf("b.Stat(k) error = %v, want ErrNotExist", err)
	}
	obj, err := srv.GetObject(name, "a/k")
	if err != nil || string(obj.Content) != "in a" {
		t.Errorf("server object a/k = %q, %v, want %q", obj.Content, err, "in a")
	}
	if got, want := a.String(), "gs://"+name+"/a/"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestNewErrors(t *testing.T) {
	srv := newServer(t)
	client := newClient(t, srv, nil)
	defer client.Close()
	tests := []struct{ bucket, prefix string }{
		{"", ""}, {"UPPER", ""}, {"ok-bucket", "../x"}, {"ok-bucket", "a//b"}, {"b", ""}, {"ok-bucket/x", ""},
	}
	for _, tt := range tests {
		if _, err := gcs.New(client, tt.bucket, tt.prefix); err == nil {
			t.Errorf("New(%q, %q) succeeded, want an error", tt.bucket, tt.prefix)
		}
	}
	if _, err := gcs.New(nil, "ok-bucket", ""); err == nil {
		t.Error("New(nil client) succeeded, want an error")
	}
}

// TestEmulatorHost opens gs:// URLs through storage.Open with STORAGE_EMULATOR_HOST pointing
// at the fake server: no credentials, no endpoint option.
func TestEmulatorHost(t *testing.T) {
	srv := newServer(t)
	name := newBucket(srv)
	t.Setenv("STORAGE_EMULATOR_HOST", strings.TrimPrefix(srv.URL(), "http://"))
	ctx := context.Background()
	for _, open := range []func() (storage.StoreCloser, error){
		func() (storage.StoreCloser, error) { return storage.Open(ctx, "gs://"+name+"/via-open") },
		func() (storage.StoreCloser, error) { return gcs.Open(ctx, "gs://"+name+"/via-open") },
	} {
		st, err := open()
		if err != nil {
			t.Fatalf("Open error = %v", err)
		}
		m := storagetest.NewManager(t, st)
		if _, err := m.Put(ctx, "x.json", storage.BytesSource([]byte(`{}`))); err != nil {
			t.Errorf("Put error = %v", err)
		}
		if got, _, err := m.Get(ctx, "x.json"); err != nil || string(got) != `{}` {
			t.Errorf("Get = %q, %v", got, err)
		}
		if err := st.Close(); err != nil {
			t.Errorf("Close error = %v", err)
		}
	}
	if _, err := srv.GetObject(name, "via-open/x.json"); err != nil {
		t.Errorf("server has no via-open/x.json: %v", err)
	}
	if _, err := gcs.Open(ctx, "file:///tmp"); err == nil {
		t.Error("gcs.Open(file URL) succeeded, want an error")
	}
}

// TestClassification: what an HTTP status from the service means to the Manager and breaker.
func TestClassification(t *testing.T) {
	srv := newServer(t)
	f := &faults{next: http.DefaultTransport}
	client := newClient(t, srv, f)
	defer client.Close()
	b, _ := gcs.New(client, newBucket(srv), "")
	ctx := context.Background()
	tests := []struct {
		give          int
		wantTransient bool
		wantNotExist  bool
	}{
		{give: 400}, {give: 401}, {give: 403},
		{give: 404, wantNotExist: true},
		{give: 408, wantTransient: true},
		{give: 409},
		{give: 412},
		{give: 429, wantTransient: true},
		{give: 500, wantTransient: true},
		{give: 502, wantTransient: true},
		{give: 503, wantTransient: true},
		{give: 504, wantTransient: true},
	}
	for _, tt := range tests {
		f.set(func(f *faults) { f.burst, f.status = 1, tt.give })
		_, err := b.Stat(ctx, "k")
		var se *storage.Error
		if !errors.As(err, &se) || se.StatusCode != tt.give {
			t.Errorf("status %d: Stat error = %v, want a *storage.Error with that status", tt.give, err)
		}
		if got := storage.IsTransient(err); got != tt.wantTransient {
			t.Errorf("status %d: IsTransient = %v, want %v", tt.give, got, tt.wantTransient)
		}
		if got := errors.Is(err, storage.ErrNotExist); got != tt.wantNotExist {
			t.Errorf("status %d: errors.Is(ErrNotExist) = %v, want %v", tt.give, got, tt.wantNotExist)
		}
	}
	f.set(func(f *faults) { f.outage, f.refuse = true, true })
	_, err := b.Stat(ctx, "k")
	if !storage.IsTransient(err) {
		t.Errorf("refused connection: IsTransient(%v) = false, want true", err)
	}
	f.set(func(f *faults) { f.outage, f.refuse = false, false })
	if _, err := b.Stat(ctx, "k"); !errors.Is(err, storage.ErrNotExist) || storage.IsTransient(err) {
		t.Errorf("missing object: Stat error = %v, want ErrNotExist, not transient", err)
	}
}

// TestClientRetriesOff: one request per operation, whatever it returns: the only retries
// are the Manager's.
func TestClientRetriesOff(t *testing.T) {
	srv := newServer(t)
	f := &faults{next: http.DefaultTransport}
	client := newClient(t, srv, f)
	defer client.Close()
	b, _ := gcs.New(client, newBucket(srv), "")
	ctx := context.Background()
	ops := map[string]func() error{
		"put": func() error {
			_, err := b.Put(ctx, "k", bytes.NewReader([]byte("x")), storage.PutOptions{})
			return err
		},
		"get":    func() error { _, _, err := b.Get(ctx, "k"); return err },
		"stat":   func() error { _, err := b.Stat(ctx, "k"); return err },
		"delete": func() error { return b.Delete(ctx, "k") },
		"list":   func() error { _, err := b.List(ctx, ""); return err },
	}
	for name, op := range ops {
		f.set(func(f *faults) { f.burst, f.status, f.requests = 5, 503, 0 })
		err := op()
		if !storage.IsTransient(err) {
			t.Errorf("%s: error = %v, want a transient one", name, err)
		}
		if n, _ := f.counts(); n != 1 {
			t.Errorf("%s: %d requests for one call, want 1 (client retries must be off)", name, n)
		}
	}
}

// TestCorruptDownloadDetected: bytes changed on the way are a ChecksumError, retried.
func TestCorruptDownloadDetected(t *testing.T) {
	srv := newServer(t)
	name := newBucket(srv)
	data := []byte("the stored audio bytes")
	srv.CreateObject(fakestorage.Object{
		ObjectAttrs: fakestorage.ObjectAttrs{BucketName: name, Name: "k"},
		Content:     data,
	})
	flips := 1
	f := &faults{next: flipTransport{http.DefaultTransport, &flips}}
	client := newClient(t, srv, f)
	defer client.Close()
	b, _ := gcs.New(client, name, "")
	m := storagetest.NewManager(t, b)
	got, info, err := m.Get(context.Background(), "k")
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Get = %q, %v, want the stored bytes after a retry", got, err)
	}
	if info.CRC32C != crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)) {
		t.Errorf("CRC32C = %08x, want the data's", info.CRC32C)
	}
	if flips != 0 {
		t.Errorf("flips left = %d, want the corruption to have happened", flips)
	}
}
