// Package gcs is the Google Cloud Storage backend of package storage, on the official client
// (cloud.google.com/go/storage).
//
// A [Bucket] is a storage.Store over one bucket and an optional key prefix. The client's own
// retries are turned off on every handle it uses (storage.RetryNever), so that the retries
// of storage.Manager, which go through its circuit breaker, are the only ones; writes carry
// their CRC32C, which the service verifies before storing anything, and the preconditions of
// storage.PutOptions (DoesNotExist, GenerationMatch), so a retried upload never overwrites a
// newer object. Errors come back as *storage.Error with the HTTP status, classified by
// status: 408, 429 and 5xx are transient, 404 is storage.ErrNotExist, 412
// storage.ErrPrecondition, other 4xx permanent.
//
// One thing the client still does on its own: a download whose body is cut mid-way is resumed
// once with a ranged request pinned to the same generation. That continues the attempt rather
// than retrying it; if the resumption fails, the attempt fails, and the bytes are verified
// against the object's CRC32C either way.
//
// Importing the package registers the gs:// scheme with storage.Open:
//
//	import _ "github.com/resilience-go/resilience/storage/gcs"
//
//	st, err := storage.Open(ctx, "gs://my-bucket/waveforms")
//
// Credentials come from the environment (Application Default Credentials). When
// STORAGE_EMULATOR_HOST is set (host:port of an emulator such as fake-gcs-server), the client
// talks to it without authentication.
package gcs
