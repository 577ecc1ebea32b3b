// Package storage stores objects (byte blobs under slash-separated keys) in a local directory
// or, through package storage/gcs, in Google Cloud Storage, and moves them through a
// [Manager] that retries transient failures, guards the backend with a circuit breaker and
// verifies checksums.
//
// A [Store] is the small interface the Manager consumes: put from a reader, get as a reader,
// stat, delete, list by prefix. [Dir] is the embedded default, a local directory with atomic
// writes whose keys can never escape its root. The Manager adds what a Store does not:
//
//   - every attempt re-opens its [Source], so a half-consumed reader is never retried;
//   - uploads are checksummed first (CRC32C) and sent with the checksum, so the backend
//     refuses corrupted bytes, and preconditions make a retried upload safe: it never
//     overwrites an object written meanwhile by someone else;
//   - downloads go to a temporary file that is verified, synced and renamed into place, so a
//     partial download never replaces a good file;
//   - transient failures (HTTP 408, 429, 5xx, network errors, checksum mismatches in transit)
//     are retried with backoff (retry.Conservative unless configured); other failures are
//     returned at once; a missing object is [ErrNotExist] and does not count against the
//     backend's breaker.
//
// Usage:
//
//	st, err := storage.Open(ctx, "file:///var/lib/waveforms") // or "gs://bucket/prefix" with storage/gcs
//	if err != nil { ... }
//	defer st.Close()
//	m, err := storage.NewManager(st, storage.WithRetry(retry.Patient))
//	if err != nil { ... }
//	info, err := m.UploadFile(ctx, "song.wav", "audio/song.wav")
//	err = m.DownloadFile(ctx, "audio/song.wav", "/tmp/song.wav")
package storage
