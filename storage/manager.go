package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"mime"
	"os"
	"path/filepath"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/retry"
)

// Manager moves objects in and out of a [Store] with retries, a circuit breaker and checksum
// verification. The same Manager code runs over every backend. It is safe for concurrent use.
//
// Every operation is a retry loop ([retry.Do]) whose attempts each pass through the
// backend's breaker ([breaker.Breaker.Call]): the breaker sees every attempt, and once it is
// open, calls fail at once with an error matching [breaker.ErrOpen] instead of burning
// attempts. Only transient failures ([IsTransient]) are retried, and only they count against
// the breaker.
type Manager struct {
	store Store
	br    *breaker.Breaker
	cfg   map[string]retry.Config // per operation
}

type managerOptions struct {
	retry    *retry.Config
	registry *breaker.Registry
	breaker  breaker.Config
}

// An Option configures a [Manager].
type Option func(*managerOptions)

// WithRetry sets the retry behaviour of every operation. The default is retry.Conservative;
// retry.Patient suits large files. If cfg.RetryIf is nil, the Manager sets it to
// [IsTransient]; each operation's metrics go by cfg.Name (default "storage") followed by
// ".put", ".get", ".stat", ".delete" or ".list".
func WithRetry(cfg retry.Config) Option {
	return func(o *managerOptions) { o.retry = &cfg }
}

// WithBreakerRegistry sets the registry the backend's breaker lives in. If not set,
// breaker.Default(). Managers of one backend (same breaker name) in one registry share one
// breaker.
func WithBreakerRegistry(r *breaker.Registry) Option {
	return func(o *managerOptions) { o.registry = r }
}

// WithBreaker configures the backend's breaker; the zero Config takes the CIRCUIT_BREAKER_*
// environment defaults. If cfg.Name is empty, the breaker is named "storage:" followed by the
// store's URL (when the store is a fmt.Stringer, as Dir and gcs.Bucket are), else
// "storage". If cfg.IsFailure is nil, only transient failures count (a missing object, a
// failed precondition or a local error does not).
//
// The breaker's Timeout bounds each attempt, including the transfer of the whole object: raise
// it (or use breaker.NoTimeout) for large files.
func WithBreaker(cfg breaker.Config) Option {
	return func(o *managerOptions) { o.breaker = cfg }
}

// Operation names, as used in retry metrics.
var operations = []string{"put", "get", "stat", "delete", "list"}

// NewManager returns a Manager over store. It fails if the breaker's configuration (or its
// environment defaults) is invalid.
func NewManager(store Store, opts ...Option) (*Manager, error) {
	if store == nil {
		return nil, errors.New("storage: NewManager: store is nil")
	}
	var o managerOptions
	for _, opt := range opts {
		opt(&o)
	}
	rc := retry.Conservative
	if o.retry != nil {
		rc = *o.retry
	}
	if rc.RetryIf == nil {
		rc.RetryIf = IsTransient
	}
	base := rc.Name
	if base == "" {
		base = "storage"
	}
	m := &Manager{store: store, cfg: make(map[string]retry.Config, len(operations))}
	for _, op := range operations {
		c := rc
		c.Name = base + "." + op
		m.cfg[op] = c
	}
	bc := o.breaker
	if bc.Name == "" {
		bc.Name = "storage"
		if s, ok := store.(fmt.Stringer); ok {
			bc.Name = "storage:" + s.String()
		}
	}
	if bc.IsFailure == nil {
		bc.IsFailure = isBackendFailure
	}
	reg := o.registry
	if reg == nil {
		reg = breaker.Default()
	}
	br, err := reg.Get(bc.Name, bc)
	if err != nil {
		return nil, fmt.Errorf("storage: breaker %q: %w", bc.Name, err)
	}
	m.br = br
	return m, nil
}

// Store returns the Manager's store.
func (m *Manager) Store() Store { return m.store }

// Breaker returns the backend's breaker.
func (m *Manager) Breaker() *breaker.Breaker { return m.br }

// do runs fn with retries, each attempt through the breaker.
func (m *Manager) do(ctx context.Context, op string, fn func(context.Context) error) error {
	return retry.Do(ctx, m.cfg[op], func(ctx context.Context) error { return m.br.Call(ctx, fn) })
}

// A PutOption adjusts one [Manager.Put] or [Manager.UploadFile].
type PutOption func(*putOptions)

type putOptions struct {
	contentType string
	ifNotExist  bool
	path        string // the local file, for errors
}

// ContentType stores ct as the object's content type. UploadFile guesses it from the file's
// extension when not given.
func ContentType(ct string) PutOption { return func(o *putOptions) { o.contentType = ct } }

// IfNotExist makes the upload fail with [ErrPrecondition] when a different object already
// exists under the key. (The same bytes already stored count as success: a task retried
// after a crash does not fail on its own earlier upload.)
func IfNotExist() PutOption { return func(o *putOptions) { o.ifNotExist = true } }

// Put stores the content src opens under key and returns the stored object's attributes.
//
// The content is checksummed first (CRC32C), then each attempt re-opens src and uploads it
// with the checksum, which the backend verifies before storing anything. The write is
// conditioned on the key's state seen beforehand (absent, or at a given generation), so a
// retried upload never overwrites an object someone else wrote meanwhile: that ends in
// [ErrPrecondition]. If the precondition fails because an earlier attempt did store the
// object (its answer was lost), Put finds the same bytes there and succeeds. If the key
// already holds these exact bytes, nothing is uploaded.
func (m *Manager) Put(ctx context.Context, key string, src Source, opts ...PutOption) (ObjectInfo, error) {
	var po putOptions
	for _, opt := range opts {
		opt(&po)
	}
	if err := ValidateKey(key); err != nil {
		return ObjectInfo{}, err
	}
	if src == nil {
		return ObjectInfo{}, fmt.Errorf("storage: put %q: source is nil", key)
	}
	sum, size, err := checksum(src, po.path)
	if err != nil {
		return ObjectInfo{}, err
	}
	cond := PutOptions{ContentType: po.contentType, CRC32C: sum, HasCRC32C: true, IfNotExist: true}
	if !po.ifNotExist {
		cur, err := m.Stat(ctx, key)
		switch {
		case errors.Is(err, ErrNotExist):
		case err != nil:
			return ObjectInfo{}, err
		case sameContent(cur, sum, size):
			return cur, nil
		default:
			cond.IfNotExist = false
			cond.IfGenerationMatch = cur.Generation
		}
	}
	var info ObjectInfo
	err = m.do(ctx, "put", func(ctx context.Context) error {
		rc, err := src()
		if err != nil {
			return &LocalError{Op: "open", Path: po.path, Err: err}
		}
		defer rc.Close()
		in, err := m.store.Put(ctx, key, &verifyingReader{r: rc, want: sum, size: size, path: po.path}, cond)
		if err != nil {
			return err
		}
		if in.Size != size {
			return retry.Permanent(&ChecksumError{Key: key, What: "size", Want: uint64(size), Got: uint64(in.Size)})
		}
		if in.HasCRC32C && in.CRC32C != sum {
			return retry.Permanent(&ChecksumError{Key: key, What: "crc32c", Want: uint64(sum), Got: uint64(in.CRC32C)})
		}
		info = in
		return nil
	})
	if errors.Is(err, ErrPrecondition) {
		if cur, serr := m.Stat(ctx, key); serr == nil && sameContent(cur, sum, size) {
			return cur, nil
		}
	}
	if err != nil {
		return ObjectInfo{}, err
	}
	return info, nil
}

// sameContent reports whether info describes exactly these bytes.
func sameContent(info ObjectInfo, sum uint32, size int64) bool {
	return info.HasCRC32C && info.CRC32C == sum && info.Size == size
}

// checksum reads the whole content once.
func checksum(src Source, path string) (uint32, int64, error) {
	rc, err := src()
	if err != nil {
		return 0, 0, &LocalError{Op: "open", Path: path, Err: err}
	}
	defer rc.Close()
	h := crc32.New(castagnoli)
	n, err := copyBuf(h, rc)
	if err != nil {
		return 0, 0, &LocalError{Op: "read", Path: path, Err: err}
	}
	return h.Sum32(), n, nil
}

// verifyingReader passes the source through, failing the upload (before the backend commits
// it) if the bytes are not the ones checksummed beforehand.
type verifyingReader struct {
	r    io.Reader
	want uint32
	size int64
	path string
	n    int64
	crc  uint32
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.n += int64(n)
	v.crc = crc32.Update(v.crc, castagnoli, p[:n])
	switch {
	case v.n > v.size:
		return n, &LocalError{Op: "changed", Path: v.path, Err: fmt.Errorf("source grew beyond %d bytes while uploading", v.size)}
	case err == io.EOF && (v.n != v.size || v.crc != v.want):
		return n, &LocalError{Op: "changed", Path: v.path, Err: fmt.Errorf("source changed while uploading (%d bytes, crc32c %08x; checksummed %d bytes, %08x)", v.n, v.crc, v.size, v.want)}
	case err != nil && err != io.EOF:
		return n, &LocalError{Op: "read", Path: v.path, Err: err}
	}
	return n, err
}

// UploadFile stores the file at localPath under key; see [Manager.Put]. The content type is
// guessed from the file's extension unless given.
func (m *Manager) UploadFile(ctx context.Context, localPath, key string, opts ...PutOption) (ObjectInfo, error) {
	fi, err := os.Stat(localPath)
	if err != nil {
		return ObjectInfo{}, &LocalError{Op: "open", Path: localPath, Err: err}
	}
	if !fi.Mode().IsRegular() {
		return ObjectInfo{}, &LocalError{Op: "open", Path: localPath, Err: errors.New("not a regular file")}
	}
	all := make([]PutOption, 0, len(opts)+2)
	all = append(all, ContentType(mime.TypeByExtension(filepath.Ext(localPath))))
	all = append(all, opts...)
	all = append(all, func(o *putOptions) { o.path = localPath })
	return m.Put(ctx, key, FileSource(localPath), all...)
}

// Get returns the whole content of the object under key, verified against the backend's
// checksum (when it has one) and size. Use DownloadFile for objects too large for memory.
func (m *Manager) Get(ctx context.Context, key string) ([]byte, ObjectInfo, error) {
	if err := ValidateKey(key); err != nil {
		return nil, ObjectInfo{}, err
	}
	var (
		data []byte
		info ObjectInfo
	)
	err := m.do(ctx, "get", func(ctx context.Context) error {
		rc, in, err := m.store.Get(ctx, key)
		if err != nil {
			return err
		}
		defer rc.Close()
		var buf bytes.Buffer
		if in.Size > 0 && in.Size < 64<<20 {
			buf.Grow(int(in.Size))
		}
		h := crc32.New(castagnoli)
		n, err := copyBuf(io.MultiWriter(&buf, h), rc)
		if err != nil {
			return fmt.Errorf("storage: get %q: %w", key, err)
		}
		if err := verify(key, in, n, h.Sum32()); err != nil {
			return err
		}
		data, info = buf.Bytes(), in
		return nil
	})
	return data, info, err
}

// verify checks downloaded bytes against what the backend said it sent (a Size of -1 is
// unknown).
func verify(key string, in ObjectInfo, n int64, sum uint32) error {
	if in.Size >= 0 && n != in.Size {
		return &ChecksumError{Key: key, What: "size", Want: uint64(in.Size), Got: uint64(n), Download: true}
	}
	if in.HasCRC32C && sum != in.CRC32C {
		return &ChecksumError{Key: key, What: "crc32c", Want: uint64(in.CRC32C), Got: uint64(sum), Download: true}
	}
	return nil
}

// DownloadFile writes the object under key to localPath. The bytes go to a temporary file
// beside localPath, are verified (checksum and size), synced and renamed over localPath: a
// failed or partial download never replaces a good file, and leaves no temporary file behind.
func (m *Manager) DownloadFile(ctx context.Context, key, localPath string) (ObjectInfo, error) {
	if err := ValidateKey(key); err != nil {
		return ObjectInfo{}, err
	}
	if fi, err := os.Stat(localPath); err == nil && !fi.Mode().IsRegular() {
		return ObjectInfo{}, &LocalError{Op: "write", Path: localPath, Err: errors.New("exists and is not a regular file")}
	}
	dir := filepath.Dir(localPath)
	f, err := os.CreateTemp(dir, "."+filepath.Base(localPath)+".part-*")
	if err != nil {
		return ObjectInfo{}, &LocalError{Op: "write", Path: localPath, Err: err}
	}
	tmp := f.Name()
	done := false
	defer func() {
		if f != nil {
			f.Close()
		}
		if !done {
			os.Remove(tmp)
		}
	}()
	var info ObjectInfo
	err = m.do(ctx, "get", func(ctx context.Context) error {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return &LocalError{Op: "write", Path: tmp, Err: err}
		}
		if err := f.Truncate(0); err != nil {
			return &LocalError{Op: "write", Path: tmp, Err: err}
		}
		rc, in, err := m.store.Get(ctx, key)
		if err != nil {
			return err
		}
		defer rc.Close()
		h := crc32.New(castagnoli)
		n, err := copyBuf(io.MultiWriter(localWriter{f, tmp}, h), rc)
		if err != nil {
			return fmt.Errorf("storage: get %q: %w", key, err)
		}
		if err := verify(key, in, n, h.Sum32()); err != nil {
			return err
		}
		info = in
		return nil
	})
	if err != nil {
		return ObjectInfo{}, err
	}
	if err := f.Chmod(0o644); err != nil {
		return ObjectInfo{}, &LocalError{Op: "write", Path: tmp, Err: err}
	}
	if err := f.Sync(); err != nil {
		return ObjectInfo{}, &LocalError{Op: "write", Path: tmp, Err: err}
	}
	err = f.Close()
	f = nil
	if err != nil {
		return ObjectInfo{}, &LocalError{Op: "write", Path: tmp, Err: err}
	}
	if err := os.Rename(tmp, localPath); err != nil {
		return ObjectInfo{}, &LocalError{Op: "write", Path: localPath, Err: err}
	}
	done = true
	if err := syncDir(dir); err != nil {
		return ObjectInfo{}, &LocalError{Op: "write", Path: localPath, Err: err}
	}
	return info, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// localWriter marks write failures as local, so the backend is not blamed for a full disk.
type localWriter struct {
	f    *os.File
	path string
}

func (w localWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		return n, &LocalError{Op: "write", Path: w.path, Err: err}
	}
	return n, nil
}

// Stat returns the attributes of the object under key.
func (m *Manager) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	if err := ValidateKey(key); err != nil {
		return ObjectInfo{}, err
	}
	var info ObjectInfo
	err := m.do(ctx, "stat", func(ctx context.Context) (err error) {
		info, err = m.store.Stat(ctx, key)
		return err
	})
	return info, err
}

// Delete removes the object under key. A missing object is [ErrNotExist], unless an earlier
// attempt of this call failed without an answer: it may have deleted the object, so a missing
// object then counts as success.
func (m *Manager) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	attempts := 0
	return m.do(ctx, "delete", func(ctx context.Context) error {
		attempts++
		err := m.store.Delete(ctx, key)
		if attempts > 1 && errors.Is(err, ErrNotExist) {
			return nil
		}
		return err
	})
}

// List returns the objects whose keys begin with prefix, sorted by key.
func (m *Manager) List(ctx context.Context, prefix string) ([]ObjectInfo, error) {
	var out []ObjectInfo
	err := m.do(ctx, "list", func(ctx context.Context) (err error) {
		out, err = m.store.List(ctx, prefix)
		return err
	})
	return out, err
}
