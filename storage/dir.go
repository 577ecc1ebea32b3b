package storage

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Dir is a [Store] in a local directory, the embedded default. Keys map to files under the
// root (key "a/b.json" is the file root/a/b.json); nothing outside the root is ever read or
// written, even through symbolic links planted inside it (the directory is opened as an
// [os.Root]).
//
// Writes are atomic and durable: the content goes to a temporary file in the destination
// directory, which is synced, renamed over the key and followed by a sync of the directory,
// so a reader sees the old object or the new one, never a part, and a crash leaves at most a
// temporary file (named with the reserved prefix ".storage-tmp-", which no key can use).
//
// Each object's CRC32C is kept in an extended attribute where the file system supports them
// (Linux: ext4, xfs, btrfs, tmpfs), so downloads are verified as they are from Cloud
// Storage. The generation of an object is its modification time in nanoseconds, which Dir
// makes strictly increasing; conditional writes (PutOptions.IfNotExist and
// IfGenerationMatch) are atomic within the process, and IfNotExist across processes too.
type Dir struct {
	root    *os.Root
	path    string
	mu      sync.Mutex // serializes the precondition check and the rename of a Put
	lastGen atomic.Int64
}

var _ Store = (*Dir)(nil)

// NewDir opens the directory at path as a Store, creating it (and its parents) if it does not
// exist. Close releases it.
func NewDir(path string) (*Dir, error) {
	if path == "" {
		return nil, errors.New("storage: directory path is empty")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("storage: directory %q: %w", path, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("storage: directory %q: %w", path, err)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("storage: directory %q: %w", path, err)
	}
	return &Dir{root: root, path: abs}, nil
}

// Path returns the absolute path of the root directory.
func (d *Dir) Path() string { return d.path }

// String returns the directory's URL, file:///path.
func (d *Dir) String() string { return (&URL{Scheme: "file", Path: d.path}).String() }

// Close releases the directory.
func (d *Dir) Close() error { return d.root.Close() }

// nextGen returns a generation greater than every one this Dir gave before.
func (d *Dir) nextGen() int64 {
	for {
		last := d.lastGen.Load()
		g := max(time.Now().UnixNano(), last+1)
		if d.lastGen.CompareAndSwap(last, g) {
			return g
		}
	}
}

// Put stores r under key atomically; see [Dir] for the guarantees.
func (d *Dir) Put(ctx context.Context, key string, r io.Reader, opts PutOptions) (info ObjectInfo, err error) {
	if err := ValidateKey(key); err != nil {
		return ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return ObjectInfo{}, err
	}
	name := filepath.FromSlash(key)
	dir := filepath.Dir(name)
	if err := d.mkdirs(key); err != nil {
		return ObjectInfo{}, err
	}
	tmp := filepath.Join(dir, tempPrefix+rand.Text())
	f, err := d.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return ObjectInfo{}, d.fail("put", key, err)
	}
	defer func() {
		if f != nil {
			f.Close()
		}
		if err != nil {
			d.root.Remove(tmp)
		}
	}()

	h := crc32.New(castagnoli)
	n, err := copyBuf(io.MultiWriter(f, h), ctxReader{ctx, r})
	if err != nil {
		return ObjectInfo{}, d.fail("put", key, err)
	}
	sum := h.Sum32()
	if opts.HasCRC32C && sum != opts.CRC32C {
		return ObjectInfo{}, &ChecksumError{Key: key, What: "crc32c", Want: uint64(opts.CRC32C), Got: uint64(sum)}
	}
	gen := d.nextGen()
	mtime := time.Unix(0, gen)
	if err := d.root.Chtimes(tmp, mtime, mtime); err != nil {
		return ObjectInfo{}, d.fail("put", key, err)
	}
	if err := setSum(f, sum, n, gen); err != nil {
		return ObjectInfo{}, d.fail("put", key, err)
	}
	if err := f.Sync(); err != nil {
		return ObjectInfo{}, d.fail("put", key, err)
	}
	err = f.Close()
	f = nil
	if err != nil {
		return ObjectInfo{}, d.fail("put", key, err)
	}
	if err := d.commit(key, name, tmp, opts); err != nil {
		return ObjectInfo{}, err
	}
	if err := d.syncDir(dir); err != nil {
		return ObjectInfo{}, d.fail("put", key, err)
	}
	return ObjectInfo{
		Key: key, Size: n, CRC32C: sum, HasCRC32C: true, Generation: gen,
		ContentType: opts.ContentType, Updated: mtime,
	}, nil
}

// commit moves the finished temporary file to name if the preconditions hold.
func (d *Dir) commit(key, name, tmp string, opts PutOptions) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	fi, err := d.root.Lstat(name)
	switch {
	case err == nil && fi.IsDir():
		return &Error{Op: "put", Key: key, Err: errors.New("the key is a prefix of other objects in this directory store")}
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return d.fail("put", key, err)
	case err == nil && opts.IfNotExist:
		return fmt.Errorf("storage: put %q: object exists: %w", key, ErrPrecondition)
	case opts.IfGenerationMatch != 0 && (err != nil || fi.ModTime().UnixNano() != opts.IfGenerationMatch):
		return fmt.Errorf("storage: put %q: object is not at generation %d: %w", key, opts.IfGenerationMatch, ErrPrecondition)
	}
	if opts.IfNotExist {
		// A link fails if name exists, even when another process created it a moment ago.
		if err := d.root.Link(tmp, name); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("storage: put %q: object exists: %w", key, ErrPrecondition)
			}
			return d.fail("put", key, err)
		}
		return d.fail("put", key, d.root.Remove(tmp))
	}
	return d.fail("put", key, d.root.Rename(tmp, name))
}

// mkdirs creates the directories of key's prefix, syncing each parent that gained one.
func (d *Dir) mkdirs(key string) error {
	segs := strings.Split(key, "/")
	for i := 1; i < len(segs); i++ {
		dir := filepath.FromSlash(strings.Join(segs[:i], "/"))
		err := d.root.Mkdir(dir, 0o755)
		if err == nil {
			if err := d.syncDir(filepath.Dir(dir)); err != nil {
				return d.fail("put", key, err)
			}
			continue
		}
		if !errors.Is(err, fs.ErrExist) {
			return d.fail("put", key, err)
		}
		fi, err := d.root.Stat(dir)
		if err != nil {
			return d.fail("put", key, err)
		}
		if !fi.IsDir() {
			return &Error{Op: "put", Key: key, Err: fmt.Errorf("%q is an object, so it cannot be a prefix in this directory store", strings.Join(segs[:i], "/"))}
		}
	}
	return nil
}

func (d *Dir) syncDir(dir string) error {
	f, err := d.root.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Get opens the object under key.
func (d *Dir) Get(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error) {
	f, info, err := d.open(ctx, "get", key)
	if err != nil {
		return nil, ObjectInfo{}, err
	}
	return f, info, nil
}

// Stat returns the attributes of the object under key.
func (d *Dir) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	f, info, err := d.open(ctx, "stat", key)
	if err != nil {
		return ObjectInfo{}, err
	}
	f.Close()
	return info, nil
}

// open opens key's file, refusing anything but a regular file (a FIFO planted in the root
// is not waited on: it is opened non-blocking and rejected).
func (d *Dir) open(ctx context.Context, op, key string) (*os.File, ObjectInfo, error) {
	if err := ValidateKey(key); err != nil {
		return nil, ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, ObjectInfo{}, err
	}
	f, err := d.root.OpenFile(filepath.FromSlash(key), os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, ObjectInfo{}, d.fail(op, key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, ObjectInfo{}, d.fail(op, key, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, ObjectInfo{}, fmt.Errorf("storage: %s %q: %w", op, key, ErrNotExist)
	}
	info := ObjectInfo{Key: key, Size: fi.Size(), Generation: fi.ModTime().UnixNano(), Updated: fi.ModTime()}
	info.CRC32C, info.HasCRC32C = getSum(f, info.Size, info.Generation)
	return f, info, nil
}

// Delete removes the object under key.
func (d *Dir) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	name := filepath.FromSlash(key)
	fi, err := d.root.Lstat(name)
	if err != nil {
		return d.fail("delete", key, err)
	}
	if fi.IsDir() {
		return fmt.Errorf("storage: delete %q: %w", key, ErrNotExist)
	}
	if err := d.root.Remove(name); err != nil {
		return d.fail("delete", key, err)
	}
	return d.fail("delete", key, d.syncDir(filepath.Dir(name)))
}

// List returns the objects whose keys begin with prefix, sorted by key. Files that no key can
// name (temporary files, names that ValidateKey rejects) and anything but regular files are
// left out.
func (d *Dir) List(ctx context.Context, prefix string) ([]ObjectInfo, error) {
	start := "."
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		start = prefix[:i]
		if err := ValidateKey(start); err != nil {
			return nil, &KeyError{Key: prefix, Reason: "prefix " + err.(*KeyError).Reason}
		}
	}
	var out []ObjectInfo
	err := fs.WalkDir(d.root.FS(), start, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p == start && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.IsDir() {
			if p != "." && !strings.HasPrefix(p+"/", prefix) && !strings.HasPrefix(prefix, p+"/") {
				return fs.SkipDir
			}
			return nil
		}
		if !e.Type().IsRegular() || !strings.HasPrefix(p, prefix) || ValidateKey(p) != nil {
			return nil
		}
		f, info, err := d.open(ctx, "list", p)
		if errors.Is(err, ErrNotExist) {
			return nil // deleted meanwhile
		}
		if err != nil {
			return err
		}
		f.Close()
		out = append(out, info)
		return nil
	})
	if err != nil {
		return nil, d.fail("list", prefix, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// fail wraps a file-system error: a missing file (or a missing directory on the way) is
// ErrNotExist; anything else is an *Error, which is not retried (local failures rarely heal).
func (d *Dir) fail(op, key string, err error) error {
	var ke *KeyError
	var le *LocalError
	var ce *ChecksumError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ke), errors.As(err, &le), errors.As(err, &ce):
		return err
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return fmt.Errorf("storage: %s %q: %w", op, key, ErrNotExist)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("storage: %s %q: %w", op, key, err)
	}
	return &Error{Op: op, Key: key, Err: err}
}

// ctxReader stops a copy when its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
