package storage

import (
	"bytes"
	"context"
	"io"
	"os"
	"time"
)

// Store is what a [Manager] needs from a backend. Implementations ([Dir], gcs.Bucket) are
// safe for concurrent use, take keys already checked by [ValidateKey] (and check them again),
// and report failures as errors that [IsTransient] classifies: a missing object matches
// [ErrNotExist], a failed precondition [ErrPrecondition]. A Store does not retry.
type Store interface {
	// Put stores the bytes of r under key, all or nothing: on error no object, or the
	// previous one, is visible under key. It returns the stored object's attributes.
	Put(ctx context.Context, key string, r io.Reader, opts PutOptions) (ObjectInfo, error)
	// Get opens the object for reading. The caller closes the reader.
	Get(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error)
	// Stat returns the object's attributes.
	Stat(ctx context.Context, key string) (ObjectInfo, error)
	// Delete removes the object; a missing one is ErrNotExist.
	Delete(ctx context.Context, key string) error
	// List returns the objects whose keys begin with prefix (any string, "" for all), sorted
	// by key.
	List(ctx context.Context, prefix string) ([]ObjectInfo, error)
}

// StoreCloser is a Store holding resources (a client, a directory handle) that [Open] made.
type StoreCloser interface {
	Store
	io.Closer
}

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key string
	// Size is the content's length in bytes; -1 when unknown (a gzip-encoded object served
	// decompressed by Cloud Storage).
	Size int64
	// CRC32C is the Castagnoli CRC-32 of the content, valid when HasCRC32C is true.
	CRC32C    uint32
	HasCRC32C bool
	// MD5 is the MD5 digest of the content, or nil when the backend has none.
	MD5 []byte
	// Generation identifies this version of the object's content: it changes with every
	// write, so a write conditioned on it fails if the object was replaced. Zero when the
	// backend has no versions.
	Generation  int64
	ContentType string
	Updated     time.Time
}

// PutOptions are the conditions and attributes of one [Store.Put].
type PutOptions struct {
	// ContentType is stored with the object when the backend keeps one.
	ContentType string
	// CRC32C, when HasCRC32C is true, is the checksum of the whole content: the backend
	// verifies the bytes it received against it and stores nothing if they differ.
	CRC32C    uint32
	HasCRC32C bool
	// IfNotExist makes the write fail with ErrPrecondition when an object exists under key.
	IfNotExist bool
	// IfGenerationMatch, when not zero, makes the write fail with ErrPrecondition unless the
	// object under key has this Generation.
	IfGenerationMatch int64
}

// A Source opens the content of an upload. The Manager calls it once to checksum the content
// and once per attempt, closing each reader it gets, so a retry always starts from the first
// byte: a half-consumed reader is never retried. The content must be the same every time;
// an upload whose content changed meanwhile fails with a [*LocalError] and stores nothing.
type Source func() (io.ReadCloser, error)

// BytesSource returns a Source reading b. b must not change while it is in use.
func BytesSource(b []byte) Source {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

// FileSource returns a Source opening the file at path.
func FileSource(path string) Source {
	return func() (io.ReadCloser, error) { return os.Open(path) }
}
