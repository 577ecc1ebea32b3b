package storage

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/resilience-go/resilience/retry"
)

var (
	// ErrNotExist reports that no object is stored under a key (HTTP 404). It is an answer,
	// not a failure of the backend: it is never retried and never counts against the breaker.
	ErrNotExist = errors.New("storage: object does not exist")

	// ErrPrecondition reports that a conditional write found the key in another state than
	// required (HTTP 412): the object exists although it should not, or it has been replaced.
	// A retried upload returns it when someone else wrote the key meanwhile.
	ErrPrecondition = errors.New("storage: precondition failed")

	// ErrInvalidKey reports a key that [ValidateKey] rejects; the concrete error is a
	// [*KeyError].
	ErrInvalidKey = errors.New("storage: invalid key")

	// ErrChecksum reports bytes whose checksum does not match the one expected; the concrete
	// error is a [*ChecksumError].
	ErrChecksum = errors.New("storage: checksum mismatch")
)

// Error is a failed backend operation. Backends wrap what their client returned in it, with
// the HTTP status when there was one, so that classification happens in one place
// ([IsTransient]) and never by message text.
type Error struct {
	Op         string // "put", "get", "stat", "delete", "list"
	Key        string // the key (or prefix, for list)
	StatusCode int    // the HTTP status, or 0 when the failure had none (a network error)
	Err        error  // the backend's error
}

func (e *Error) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("storage: %s %q: HTTP %d: %v", e.Op, e.Key, e.StatusCode, e.Err)
	}
	return fmt.Sprintf("storage: %s %q: %v", e.Op, e.Key, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes a 404 match [ErrNotExist] and a 412 match [ErrPrecondition].
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotExist:
		return e.StatusCode == http.StatusNotFound
	case ErrPrecondition:
		return e.StatusCode == http.StatusPreconditionFailed
	}
	return false
}

// Retryable reports whether the failure is likely transient: HTTP 408, 429 and 5xx are; other
// statuses are not; without a status, the wrapped error decides (network errors are).
func (e *Error) Retryable() bool {
	switch c := e.StatusCode; {
	case c == http.StatusRequestTimeout, c == http.StatusTooManyRequests, c >= 500 && c <= 599:
		return true
	case c != 0:
		return false
	}
	return retry.IsRetryable(e.Err)
}

// KeyError is a key rejected by [ValidateKey]. It matches [ErrInvalidKey].
type KeyError struct {
	Key    string
	Reason string
}

func (e *KeyError) Error() string { return fmt.Sprintf("storage: invalid key %q: %s", e.Key, e.Reason) }

// Is reports whether target is [ErrInvalidKey].
func (e *KeyError) Is(target error) bool { return target == ErrInvalidKey }

// ChecksumError reports bytes that did not match their checksum. It matches [ErrChecksum].
// Bytes corrupted in transit may arrive intact on a second try, so it is retryable.
type ChecksumError struct {
	Key      string
	What     string // "crc32c" or "size"
	Want     uint64
	Got      uint64
	Download bool // true when the bytes were read from the backend, false when they were written
}

func (e *ChecksumError) Error() string {
	dir := "upload"
	if e.Download {
		dir = "download"
	}
	if e.What == "size" {
		return fmt.Sprintf("storage: %s %q: size mismatch: got %d bytes, want %d", dir, e.Key, e.Got, e.Want)
	}
	return fmt.Sprintf("storage: %s %q: %s mismatch: got %08x, want %08x", dir, e.Key, e.What, e.Got, e.Want)
}

// Is reports whether target is [ErrChecksum].
func (e *ChecksumError) Is(target error) bool { return target == ErrChecksum }

// Retryable reports true: corruption in transit is transient.
func (e *ChecksumError) Retryable() bool { return true }

// LocalError is a failure on the local side of a transfer: the source of an upload could not
// be opened or read, changed while it was uploaded, or the destination of a download could
// not be written. It is never retried and never counts against the backend's breaker.
type LocalError struct {
	Op   string // "open", "read", "write", "changed", ...
	Path string // the local file, or "" for an in-memory source
	Err  error
}

func (e *LocalError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("storage: %s source: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("storage: %s %s: %v", e.Op, e.Path, e.Err)
}

func (e *LocalError) Unwrap() error { return e.Err }

// Retryable reports false: retrying does not fix the local side.
func (e *LocalError) Retryable() bool { return false }

// IsTransient is the Manager's default retry classifier. It reports whether err is likely to
// go away on its own: HTTP 408, 429 and 5xx, network errors and timeouts, and checksum
// mismatches in transit are transient; missing objects, failed preconditions, invalid keys,
// other HTTP 4xx, local failures, cancellation and an open breaker are not.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, ErrNotExist) || errors.Is(err, ErrPrecondition) ||
		errors.Is(err, ErrInvalidKey) {
		return false
	}
	var le *LocalError
	if errors.As(err, &le) {
		return false
	}
	return retry.IsRetryable(err)
}

// isBackendFailure is the breaker's classifier: only what says the backend is unwell counts.
// A missing object, a failed precondition or a rejected request is an answer, and a local
// failure or a cancellation is nobody's fault but ours.
func isBackendFailure(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	return IsTransient(err)
}
