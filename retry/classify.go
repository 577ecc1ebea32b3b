package retry

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/resilience-go/resilience/breaker"
)

// IsRetryable is the default classifier: it reports whether err is likely transient, by
// what the error is and does, never by its message. In order:
//
//   - nil, errors marked with [Permanent], context.Canceled and breaker.ErrOpen: false;
//   - an error declaring Retryable() bool (anywhere in its chain): what it says;
//   - connection refused, reset or aborted, a broken pipe, io.ErrUnexpectedEOF: true;
//   - a net.Error, an error whose Timeout() is true (context.DeadlineExceeded is one),
//     an error whose Temporary() is true: true;
//   - anything else: false.
//
// IsRetryable cannot tell whose deadline expired; [Do] does not retry once the caller's own
// context is done, so a DeadlineExceeded is retried only when it was an attempt's own.
// Packages that know more compose with it:
//
//	RetryIf: func(err error) bool { return retry.IsRetryable(err) || isSerializationFailure(err) }
func IsRetryable(err error) bool {
	if err == nil || IsPermanent(err) || errors.Is(err, context.Canceled) || errors.Is(err, breaker.ErrOpen) {
		return false
	}
	var r interface{ Retryable() bool }
	if errors.As(err, &r) {
		return r.Retryable()
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var to interface{ Timeout() bool }
	if errors.As(err, &to) && to.Timeout() {
		return true
	}
	var tmp interface{ Temporary() bool }
	return errors.As(err, &tmp) && tmp.Temporary()
}

// retryAfter returns the wait an error asks for through RetryAfter() time.Duration, or 0.
func retryAfter(err error) time.Duration {
	var h interface{ RetryAfter() time.Duration }
	if errors.As(err, &h) {
		return h.RetryAfter()
	}
	return 0
}
