package storagetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/retry"
	"github.com/resilience-go/resilience/storage"
)

// FastRetry retries quickly and without jitter, for tests.
var FastRetry = retry.Config{
	Name:          "storagetest",
	MaxAttempts:   3,
	InitialDelay:  time.Millisecond,
	MaxDelay:      time.Millisecond,
	BackoffFactor: 1,
	Jitter:        retry.NoJitter,
}

// Run runs the suite. newStore returns an empty store for one subtest (it may register
// cleanups on t).
func Run(t *testing.T, newStore func(t *testing.T) storage.Store) {
	t.Run("Store", func(t *testing.T) { RunStore(t, newStore) })
	t.Run("Manager", func(t *testing.T) { RunManager(t, newStore) })
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

func crc(b []byte) uint32 { return crc32.Checksum(b, crcTable) }

func put(t *testing.T, st storage.Store, key string, data []byte, opts storage.PutOptions) storage.ObjectInfo {
	t.Helper()
	info, err := st.Put(context.Background(), key, bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("Put(%q) error = %v", key, err)
	}
	return info
}

func get(t *testing.T, st storage.Store, key string) ([]byte, storage.ObjectInfo) {
	t.Helper()
	rc, info, err := st.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q) error = %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("Get(%q) read error = %v", key, err)
	}
	return b, info
}

func wantNotExist(t *testing.T, st storage.Store, key string) {
	t.Helper()
	if _, err := st.Stat(context.Background(), key); !errors.Is(err, storage.ErrNotExist) {
		t.Fatalf("Stat(%q) error = %v, want ErrNotExist", key, err)
	}
}

// errAfter fails after yielding n bytes of data.
type errAfter struct {
	data []byte
	n    int
}

var errSource = errors.New("storagetest: source failed")

func (e *errAfter) Read(p []byte) (int, error) {
	if e.n == 0 {
		return 0, errSource
	}
	k := copy(p, e.data[:min(e.n, len(e.data))])
	e.data, e.n = e.data[k:], e.n-k
	return k, nil
}

// RunStore checks the Store contract.
func RunStore(t *testing.T, newStore func(t *testing.T) storage.Store) {
	ctx := context.Background()
	t.Run("PutGet", func(t *testing.T) {
		st := newStore(t)
		tests := []struct {
			give string
			data []byte
		}{
			{give: "empty", data: nil},
			{give: "small.txt", data: []byte("hello, world\n")},
			{give: "deep/er/key.bin", data: bytes.Repeat([]byte{0, 1, 2, 0xff}, 100_000)},
			{give: "unicode/Grüße ünd spaces.json", data: []byte(`{"ok":true}`)},
		}
		for _, tt := range tests {
			info := put(t, st, tt.give, tt.data, storage.PutOptions{ContentType: "application/octet-stream"})
			if info.Key != tt.give || info.Size != int64(len(tt.data)) || info.Generation == 0 {
				t.Errorf("Put(%q) = %+v, want key, size %d and a generation", tt.give, info, len(tt.data))
			}
			if info.HasCRC32C && info.CRC32C != crc(tt.data) {
				t.Errorf("Put(%q) CRC32C = %08x, want %08x", tt.give, info.CRC32C, crc(tt.data))
			}
			got, ginfo := get(t, st, tt.give)
			if !bytes.Equal(got, tt.data) {
				t.Errorf("Get(%q) = %d bytes, want the %d put", tt.give, len(got), len(tt.data))
			}
			if ginfo.Size != info.Size || ginfo.Generation != info.Generation {
				t.Errorf("Get(%q) info = %+v, want size and generation of %+v", tt.give, ginfo, info)
			}
			if ginfo.HasCRC32C && ginfo.CRC32C != crc(tt.data) {
				t.Errorf("Get(%q) CRC32C = %08x, want %08x", tt.give, ginfo.CRC32C, crc(tt.data))
			}
			sinfo, err := st.Stat(ctx, tt.give)
			if err != nil || sinfo.Size != info.Size || sinfo.Generation != info.Generation {
				t.Errorf("Stat(%q) = %+v, %v, want %+v", tt.give, sinfo, err, info)
			}
		}
	})

	t.Run("Missing", func(t *testing.T) {
		st := newStore(t)
		put(t, st, "dir/there", []byte("x"), storage.PutOptions{})
		for _, key := range []string{"nothing", "dir/nothing", "dir", "dir/there/below"} {
			if _, err := st.Stat(ctx, key); !errors.Is(err, storage.ErrNotExist) {
				t.Errorf("Stat(%q) error = %v, want ErrNotExist", key, err)
			}
			if _, _, err := st.Get(ctx, key); !errors.Is(err, storage.ErrNotExist) {
				t.Errorf("Get(%q) error = %v, want ErrNotExist", key, err)
			}
			if err := st.Delete(ctx, key); !errors.Is(err, storage.ErrNotExist) {
				t.Errorf("Delete(%q) error = %v, want ErrNotExist", key, err)
			}
			if storage.IsTransient(func() error { _, err := st.Stat(ctx, key); return err }()) {
				t.Errorf("IsTransient(Stat(%q) error) = true, want false", key)
			}
		}
	})

	t.Run("Overwrite", func(t *testing.T) {
		st := newStore(t)
		first := put(t, st, "k", []byte("one"), storage.PutOptions{})
		second := put(t, st, "k", []byte("two!"), storage.PutOptions{})
		if second.Generation == first.Generation {
			t.Errorf("generation after overwrite = %d, want a new one", second.Generation)
		}
		if got, _ := get(t, st, "k"); string(got) != "two!" {
			t.Errorf("Get after overwrite = %q, want %q", got, "two!")
		}
	})

	t.Run("Preconditions", func(t *testing.T) {
		st := newStore(t)
		put(t, st, "new", []byte("v1"), storage.PutOptions{IfNotExist: true})
		_, err := st.Put(ctx, "new", bytes.NewReader([]byte("v2")), storage.PutOptions{IfNotExist: true})
		if !errors.Is(err, storage.ErrPrecondition) || storage.IsTransient(err) {
			t.Errorf("Put(IfNotExist) over an object error = %v, want ErrPrecondition, not transient", err)
		}
		cur := put(t, st, "gen", []byte("v1"), storage.PutOptions{})
		next := put(t, st, "gen", []byte("v2"), storage.PutOptions{IfGenerationMatch: cur.Generation})
		_, err = st.Put(ctx, "gen", bytes.NewReader([]byte("v3")), storage.PutOptions{IfGenerationMatch: cur.Generation})
		if !errors.Is(err, storage.ErrPrecondition) {
			t.Errorf("Put(IfGenerationMatch: stale) error = %v, want ErrPrecondition", err)
		}
		_, err = st.Put(ctx, "absent", bytes.NewReader([]byte("v")), storage.PutOptions{IfGenerationMatch: next.Generation})
		if !errors.Is(err, storage.ErrPrecondition) {
			t.Errorf("Put(IfGenerationMatch) of a missing key error = %v, want ErrPrecondition", err)
		}
		if got, _ := get(t, st, "new"); string(got) != "v1" {
			t.Errorf("Get(new) = %q, want v1 (a failed precondition must not write)", got)
		}
		if got, _ := get(t, st, "gen"); string(got) != "v2" {
			t.Errorf("Get(gen) = %q, want v2", got)
		}
		wantNotExist(t, st, "absent")
	})

	t.Run("ChecksumRejected", func(t *testing.T) {
		st := newStore(t)
		data := []byte("the real content")
		_, err := st.Put(ctx, "bad", bytes.NewReader(data), storage.PutOptions{CRC32C: crc(data) ^ 1, HasCRC32C: true})
		if err == nil {
			t.Fatal("Put with a wrong CRC32C succeeded, want an error")
		}
		wantNotExist(t, st, "bad")
		put(t, st, "good", data, storage.PutOptions{CRC32C: crc(data), HasCRC32C: true})
	})

	t.Run("FailedSourceStoresNothing", func(t *testing.T) {
		st := newStore(t)
		_, err := st.Put(ctx, "half", &errAfter{data: bytes.Repeat([]byte("x"), 1000), n: 500}, storage.PutOptions{})
		if !errors.Is(err, errSource) {
			t.Errorf("Put from a failing reader error = %v, want the reader's error", err)
		}
		wantNotExist(t, st, "half")
		put(t, st, "kept", []byte("old"), storage.PutOptions{})
		if _, err := st.Put(ctx, "kept", &errAfter{data: []byte("new content"), n: 3}, storage.PutOptions{}); err == nil {
			t.Error("Put from a failing reader succeeded")
		}
		if got, _ := get(t, st, "kept"); string(got) != "old" {
			t.Errorf("Get(kept) = %q after a failed overwrite, want old", got)
		}
	})

	t.Run("CancelledStoresNothing", func(t *testing.T) {
		st := newStore(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := st.Put(cctx, "c", bytes.NewReader([]byte("data")), storage.PutOptions{}); err == nil {
			t.Error("Put with a cancelled context succeeded")
		}
		wantNotExist(t, st, "c")
	})

	t.Run("List", func(t *testing.T) {
		st := newStore(t)
		keys := []string{"b", "a/2", "a/1", "ab", "a/b/3", "a.txt"}
		for _, k := range keys {
			put(t, st, k, []byte(k), storage.PutOptions{})
		}
		tests := []struct {
			give string
			want []string
		}{
			{give: "", want: []string{"a.txt", "a/1", "a/2", "a/b/3", "ab", "b"}},
			{give: "a/", want: []string{"a/1", "a/2", "a/b/3"}},
			{give: "a", want: []string{"a.txt", "a/1", "a/2", "a/b/3", "ab"}},
			{give: "a/b", want: []string{"a/b/3"}},
			{give: "a/b/3", want: []string{"a/b/3"}},
			{give: "zz", want: nil},
			{give: "zz/yy/", want: nil},
		}
		for _, tt := range tests {
			infos, err := st.List(ctx, tt.give)
			if err != nil {
				t.Errorf("List(%q) error = %v", tt.give, err)
				continue
			}
			var got []string
			for _, in := range infos {
				got = append(got, in.Key)
				if in.Size != int64(len(in.Key)) || (in.HasCRC32C && in.CRC32C != crc([]byte(in.Key))) {
					t.Errorf("List(%q) entry %+v: wrong size or checksum", tt.give, in)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("List(%q) = %q, want %q", tt.give, got, tt.want)
			}
		}
	})

	t.Run("Delete", func(t *testing.T) {
		st := newStore(t)
		put(t, st, "x/y", []byte("1"), storage.PutOptions{})
		if err := st.Delete(ctx, "x/y"); err != nil {
			t.Fatalf("Delete error = %v", err)
		}
		wantNotExist(t, st, "x/y")
		put(t, st, "x/y", []byte("again"), storage.PutOptions{IfNotExist: true})
	})

	t.Run("InvalidKeys", func(t *testing.T) {
		st := newStore(t)
		for _, key := range []string{"", "/abs", "../up", "a/../../b", "a//b", "a/", `a\b`, "nul\x00", "./a"} {
			if _, err := st.Put(ctx, key, bytes.NewReader(nil), storage.PutOptions{}); !errors.Is(err, storage.ErrInvalidKey) {
				t.Errorf("Put(%q) error = %v, want ErrInvalidKey", key, err)
			}
			if _, _, err := st.Get(ctx, key); !errors.Is(err, storage.ErrInvalidKey) {
				t.Errorf("Get(%q) error = %v, want ErrInvalidKey", key, err)
			}
			if _, err := st.Stat(ctx, key); !errors.Is(err, storage.ErrInvalidKey) {
				t.Errorf("Stat(%q) error = %v, want ErrInvalidKey", key, err)
			}
			if err := st.Delete(ctx, key); !errors.Is(err, storage.ErrInvalidKey) {
				t.Errorf("Delete(%q) error = %v, want ErrInvalidKey", key, err)
			}
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		st := newStore(t)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				for j := range 5 {
					key := fmt.Sprintf("c/%d", j)
					data := bytes.Repeat([]byte{byte(i)}, 1000+i)
					if _, err := st.Put(ctx, key, bytes.NewReader(data), storage.PutOptions{CRC32C: crc(data), HasCRC32C: true}); err != nil {
						t.Errorf("Put(%q) error = %v", key, err)
					}
				}
			})
		}
		wg.Wait()
		for j := range 5 {
			got, info := get(t, st, fmt.Sprintf("c/%d", j))
			if len(got) < 1000 || !bytes.Equal(got, bytes.Repeat(got[:1], len(got))) || int(info.Size) != len(got) {
				t.Errorf("c/%d holds a mix of writes (%d bytes)", j, len(got))
			}
		}
	})
}

// NewManager returns a Manager over st with its own breaker registry and FastRetry.
func NewManager(t *testing.T, st storage.Store, opts ...storage.Option) *storage.Manager {
	t.Helper()
	all := append([]storage.Option{storage.WithBreakerRegistry(breaker.NewRegistry()), storage.WithRetry(FastRetry)}, opts...)
	m, err := storage.NewManager(st, all...)
	if err != nil {
		t.Fatalf("NewManager error = %v", err)
	}
	return m
}

// dirEntries lists a local directory's names.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// RunManager checks the Manager over the Store.
func RunManager(t *testing.T, newStore func(t *testing.T) storage.Store) {
	ctx := context.Background()
	t.Run("UploadDownloadFile", func(t *testing.T) {
		m := NewManager(t, newStore(t))
		dir := t.TempDir()
		src := filepath.Join(dir, "song.wav")
		data := bytes.Repeat([]byte("RIFF....WAVEfmt "), 50_000)
		if err := os.WriteFile(src, data, 0o644); err != nil {
			t.Fatal(err)
		}
		info, err := m.UploadFile(ctx, src, "audio/song.wav")
		if err != nil {
			t.Fatalf("UploadFile error = %v", err)
		}
		if info.Size != int64(len(data)) || (info.HasCRC32C && info.CRC32C != crc(data)) {
			t.Errorf("UploadFile = %+v, want size %d crc %08x", info, len(data), crc(data))
		}
		dst := filepath.Join(dir, "out", "copy.wav")
		if err := os.Mkdir(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if _, err := m.DownloadFile(ctx, "audio/song.wav", dst); err != nil {
			t.Fatalf("DownloadFile error = %v", err)
		}
		got, err := os.ReadFile(dst)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("downloaded file: %d bytes, %v, want the %d uploaded", len(got), err, len(data))
		}
		if names := dirEntries(t, filepath.Dir(dst)); !slices.Equal(names, []string{"copy.wav"}) {
			t.Errorf("download directory holds %q, want only copy.wav", names)
		}
	})

	t.Run("DownloadMissingKeepsFile", func(t *testing.T) {
		m := NewManager(t, newStore(t))
		dir := t.TempDir()
		dst := filepath.Join(dir, "precious")
		if err := os.WriteFile(dst, []byte("good"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := m.DownloadFile(ctx, "missing", dst)
		if !errors.Is(err, storage.ErrNotExist) {
			t.Fatalf("DownloadFile(missing) error = %v, want ErrNotExist", err)
		}
		if got, _ := os.ReadFile(dst); string(got) != "good" {
			t.Errorf("local file after a failed download = %q, want it untouched", got)
		}
		if names := dirEntries(t, dir); !slices.Equal(names, []string{"precious"}) {
			t.Errorf("directory after a failed download holds %q, want no temporary file", names)
		}
		if s := m.Breaker().Stats(); s.FailedRequests != 0 {
			t.Errorf("breaker failures after a missing object = %d, want 0", s.FailedRequests)
		}
	})

	t.Run("PutGet", func(t *testing.T) {
		m := NewManager(t, newStore(t))
		info, err := m.Put(ctx, "a/b", storage.BytesSource([]byte("payload")), storage.ContentType("text/plain"))
		if err != nil {
			t.Fatalf("Put error = %v", err)
		}
		got, ginfo, err := m.Get(ctx, "a/b")
		if err != nil || string(got) != "payload" || ginfo.Generation != info.Generation {
			t.Fatalf("Get = %q, %+v, %v, want payload at generation %d", got, ginfo, err, info.Generation)
		}
		again, err := m.Put(ctx, "a/b", storage.BytesSource([]byte("payload")))
		if err != nil || again.Generation != info.Generation {
			t.Errorf("Put of identical content = %+v, %v, want the stored object unchanged (generation %d)", again, err, info.Generation)
		}
		next, err := m.Put(ctx, "a/b", storage.BytesSource([]byte("payload 2")))
		if err != nil || next.Generation == info.Generation {
			t.Errorf("Put of new content = %+v, %v, want a new generation", next, err)
		}
		list, err := m.List(ctx, "a/")
		if err != nil || len(list) != 1 || list[0].Key != "a/b" {
			t.Errorf("List(a/) = %+v, %v, want [a/b]", list, err)
		}
		if err := m.Delete(ctx, "a/b"); err != nil {
			t.Errorf("Delete error = %v", err)
		}
		if _, _, err := m.Get(ctx, "a/b"); !errors.Is(err, storage.ErrNotExist) {
			t.Errorf("Get after Delete error = %v, want ErrNotExist", err)
		}
		if err := m.Delete(ctx, "a/b"); !errors.Is(err, storage.ErrNotExist) {
			t.Errorf("Delete of a missing key error = %v, want ErrNotExist", err)
		}
	})

	t.Run("IfNotExist", func(t *testing.T) {
		m := NewManager(t, newStore(t))
		if _, err := m.Put(ctx, "once", storage.BytesSource([]byte("v1")), storage.IfNotExist()); err != nil {
			t.Fatalf("first Put(IfNotExist) error = %v", err)
		}
		if _, err := m.Put(ctx, "once", storage.BytesSource([]byte("v1")), storage.IfNotExist()); err != nil {
			t.Errorf("Put(IfNotExist) of identical content error = %v, want success", err)
		}
		_, err := m.Put(ctx, "once", storage.BytesSource([]byte("v2")), storage.IfNotExist())
		if !errors.Is(err, storage.ErrPrecondition) {
			t.Errorf("Put(IfNotExist) of other content error = %v, want ErrPrecondition", err)
		}
		if got, _, _ := m.Get(ctx, "once"); string(got) != "v1" {
			t.Errorf("object = %q, want v1", got)
		}
	})

	t.Run("SourceChanged", func(t *testing.T) {
		m := NewManager(t, newStore(t))
		var mu sync.Mutex
		opens := 0
		src := func() (io.ReadCloser, error) {
			mu.Lock()
			defer mu.Unlock()
			opens++
			return io.NopCloser(bytes.NewReader([]byte(fmt.Sprintf("version %d", opens)))), nil
		}
		_, err := m.Put(ctx, "moving", src)
		var le *storage.LocalError
		if !errors.As(err, &le) || storage.IsTransient(err) {
			t.Fatalf("Put of a changing source error = %v, want a *LocalError, not transient", err)
		}
		if opens != 2 {
			t.Errorf("source opened %d times, want 2 (checksum, one attempt: not retried)", opens)
		}
		if _, err := m.Stat(ctx, "moving"); !errors.Is(err, storage.ErrNotExist) {
			t.Errorf("Stat after a changed source error = %v, want ErrNotExist", err)
		}
		if s := m.Breaker().Stats(); s.FailedRequests != 0 {
			t.Errorf("breaker failures after a local error = %d, want 0", s.FailedRequests)
		}
	})

	t.Run("MissingSourceFile", func(t *testing.T) {
		m := NewManager(t, newStore(t))
		_, err := m.UploadFile(ctx, filepath.Join(t.TempDir(), "nope.wav"), "k")
		var le *storage.LocalError
		if !errors.As(err, &le) || !errors.Is(err, os.ErrNotExist) {
			t.Errorf("UploadFile of a missing file error = %v, want a *LocalError matching os.ErrNotExist", err)
		}
	})
}
