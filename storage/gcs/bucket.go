package gcs

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strings"

	gstorage "cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	"github.com/resilience-go/resilience/storage"
)

func init() {
	storage.Register("gs", func(ctx context.Context, u *storage.URL) (storage.StoreCloser, error) {
		return open(ctx, u)
	})
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Bucket is a storage.Store over a Cloud Storage bucket: key k is the object prefix+k.
type Bucket struct {
	client      *gstorage.Client
	h           *gstorage.BucketHandle
	name        string
	prefix      string
	closeClient bool
}

var _ storage.Store = (*Bucket)(nil)

// New returns a Bucket over the named bucket of client, with keys stored under prefix ("" or
// a valid key followed by "/"; a missing final "/" is added). The client's retries are turned
// off on the Bucket's handles (the client itself is not changed). Close does not close the
// client.
func New(client *gstorage.Client, bucket, prefix string) (*Bucket, error) {
	if client == nil {
		return nil, errors.New("gcs: client is nil")
	}
	u, err := storage.ParseURL("gs://" + bucket + "/" + prefix)
	if err != nil {
		return nil, fmt.Errorf("gcs: %w", err)
	}
	if u.Bucket != bucket {
		return nil, fmt.Errorf("gcs: bucket name %q is not valid", bucket)
	}
	return newBucket(client, u, false), nil
}

func newBucket(client *gstorage.Client, u *storage.URL, own bool) *Bucket {
	return &Bucket{
		client:      client,
		h:           client.Bucket(u.Bucket).Retryer(gstorage.WithPolicy(gstorage.RetryNever)),
		name:        u.Bucket,
		prefix:      u.Prefix,
		closeClient: own,
	}
}

// Open opens the bucket a gs://bucket/prefix URL names with a new client, made with
// storage.WithJSONReads() and then opts (credentials, endpoint, HTTP client, ...). The client
// honours STORAGE_EMULATOR_HOST. Close closes the client.
func Open(ctx context.Context, rawURL string, opts ...option.ClientOption) (*Bucket, error) {
	u, err := storage.ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "gs" {
		return nil, fmt.Errorf("gcs: URL %q: want gs://bucket/prefix", u)
	}
	return open(ctx, u, opts...)
}

func open(ctx context.Context, u *storage.URL, opts ...option.ClientOption) (*Bucket, error) {
	all := append([]option.ClientOption{gstorage.WithJSONReads()}, opts...)
	client, err := gstorage.NewClient(ctx, all...)
	if err != nil {
		return nil, fmt.Errorf("gcs: open %s: %w", u, err)
	}
	return newBucket(client, u, true), nil
}

// String returns the Bucket's URL, gs://bucket/prefix.
func (b *Bucket) String() string {
	return (&storage.URL{Scheme: "gs", Bucket: b.name, Prefix: b.prefix}).String()
}

// Close closes the client if Open made it.
func (b *Bucket) Close() error {
	if b.closeClient {
		return b.client.Close()
	}
	return nil
}

func (b *Bucket) object(key string) *gstorage.ObjectHandle {
	return b.h.Object(b.prefix + key)
}

// Put uploads r in a single request carrying its CRC32C (when given) and preconditions. On
// any error, the upload is cancelled before the object is committed.
func (b *Bucket) Put(ctx context.Context, key string, r io.Reader, opts storage.PutOptions) (storage.ObjectInfo, error) {
	if err := storage.ValidateKey(key); err != nil {
		return storage.ObjectInfo{}, err
	}
	o := b.object(key)
	switch {
	case opts.IfNotExist:
		o = o.If(gstorage.Conditions{DoesNotExist: true})
	case opts.IfGenerationMatch != 0:
		o = o.If(gstorage.Conditions{GenerationMatch: opts.IfGenerationMatch})
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := o.NewWriter(wctx)
	w.ChunkSize = 0 // one request: our retries restart from the first byte anyway
	w.ContentType = opts.ContentType
	if opts.HasCRC32C {
		w.CRC32C = opts.CRC32C
		w.SendCRC32C = true
		w.DisableAutoChecksum = true
	}
	if _, err := io.Copy(w, r); err != nil {
		cancel()
		w.Close()
		return storage.ObjectInfo{}, wrap("put", key, err)
	}
	if err := w.Close(); err != nil {
		return storage.ObjectInfo{}, wrap("put", key, err)
	}
	return b.info(key, w.Attrs()), nil
}

// Get opens the object for reading. The reader's errors are *storage.Error; bytes that do not
// match the object's CRC32C end in a *storage.ChecksumError. An object stored gzip-encoded
// (not by this package) is served decompressed: its ObjectInfo then has Size -1 and no
// checksum, as the stored ones describe the compressed bytes.
func (b *Bucket) Get(ctx context.Context, key string) (io.ReadCloser, storage.ObjectInfo, error) {
	if err := storage.ValidateKey(key); err != nil {
		return nil, storage.ObjectInfo{}, err
	}
	r, err := b.object(key).NewReader(ctx)
	if err != nil {
		return nil, storage.ObjectInfo{}, wrap("get", key, err)
	}
	a := r.Attrs
	info := storage.ObjectInfo{
		Key: key, Size: a.Size, CRC32C: a.CRC32C, HasCRC32C: true, Generation: a.Generation,
		ContentType: a.ContentType, Updated: a.LastModified,
	}
	if a.Decompressed {
		info.Size, info.HasCRC32C, info.CRC32C = -1, false, 0
		return r, info, nil
	}
	return &reader{r: r, key: key, size: a.Size, want: a.CRC32C}, info, nil
}

// reader classifies the client reader's errors. The client checks the CRC32C itself at the end
// and reports a mismatch with an error of no particular type, so reader keeps its own CRC:
// a failure once every byte has arrived with the wrong checksum is a ChecksumError.
type reader struct {
	r    *gstorage.Reader
	key  string
	size int64
	want uint32
	n    int64
	crc  uint32
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.n += int64(n)
	r.crc = crc32.Update(r.crc, castagnoli, p[:n])
	if err == nil || err == io.EOF {
		return n, err
	}
	if r.n == r.size && r.crc != r.want {
		return n, &storage.ChecksumError{Key: r.key, What: "crc32c", Want: uint64(r.want), Got: uint64(r.crc), Download: true}
	}
	return n, wrap("get", r.key, err)
}

func (r *reader) Close() error { return r.r.Close() }

// Stat returns the object's attributes.
func (b *Bucket) Stat(ctx context.Context, key string) (storage.ObjectInfo, error) {
	if err := storage.ValidateKey(key); err != nil {
		return storage.ObjectInfo{}, err
	}
	a, err := b.object(key).Attrs(ctx)
	if err != nil {
		return storage.ObjectInfo{}, wrap("stat", key, err)
	}
	return b.info(key, a), nil
}

// Delete deletes the object (its live generation).
func (b *Bucket) Delete(ctx context.Context, key string) error {
	if err := storage.ValidateKey(key); err != nil {
		return err
	}
	if err := b.object(key).Delete(ctx); err != nil {
		return wrap("delete", key, err)
	}
	return nil
}

// List returns the objects whose keys begin with prefix, sorted by key. Objects under the
// Bucket's prefix whose remaining name is not a valid key are left out.
func (b *Bucket) List(ctx context.Context, prefix string) ([]storage.ObjectInfo, error) {
	q := &gstorage.Query{Prefix: b.prefix + prefix, Projection: gstorage.ProjectionNoACL}
	if err := q.SetAttrSelection([]string{"Name", "Size", "CRC32C", "MD5", "Generation", "ContentType", "Updated"}); err != nil {
		return nil, wrap("list", prefix, err)
	}
	var out []storage.ObjectInfo
	it := b.h.Objects(ctx, q)
	for {
		a, err := it.Next()
		if err == iterator.Done {
			return out, nil
		}
		if err != nil {
			return nil, wrap("list", prefix, err)
		}
		key := strings.TrimPrefix(a.Name, b.prefix)
		if storage.ValidateKey(key) != nil {
			continue
		}
		out = append(out, b.info(key, a))
	}
}

func (b *Bucket) info(key string, a *gstorage.ObjectAttrs) storage.ObjectInfo {
	return storage.ObjectInfo{
		Key: key, Size: a.Size, CRC32C: a.CRC32C, HasCRC32C: true, MD5: a.MD5,
		Generation: a.Generation, ContentType: a.ContentType, Updated: a.Updated,
	}
}

// wrap turns a client error into a *storage.Error carrying the HTTP status, found by type
// (*googleapi.Error, storage.ErrObjectNotExist), never by message. Errors already classified
// (local, checksum, key errors) and cancellations pass through.
func wrap(op, key string, err error) error {
	var (
		le *storage.LocalError
		ce *storage.ChecksumError
		ke *storage.KeyError
		se *storage.Error
		ge *googleapi.Error
	)
	switch {
	case errors.As(err, &le), errors.As(err, &ce), errors.As(err, &ke), errors.As(err, &se):
		return err
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("gcs: %s %q: %w", op, key, err)
	case errors.Is(err, gstorage.ErrObjectNotExist):
		return &storage.Error{Op: op, Key: key, StatusCode: http.StatusNotFound, Err: err}
	case errors.As(err, &ge):
		return &storage.Error{Op: op, Key: key, StatusCode: ge.Code, Err: err}
	}
	return &storage.Error{Op: op, Key: key, Err: err}
}
