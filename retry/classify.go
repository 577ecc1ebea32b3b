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
	if r, ok := as[interface{ Retryable() bool }](err); ok {
		return r.Retryable()
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	if _, ok := as[net.Error](err); ok {
		return true
	}
	if to, ok := as[interface{ Timeout() bool }](err); ok && to.Timeout() {
		return true
	}
	tmp, ok := as[interface{ Temporary() bool }](err)
	return ok && tmp.Temporary()
}

// retryAfter returns the wait an error asks for through RetryAfter() time.Duration, or 0.
func retryAfter(err error) time.Duration {
	if h, ok := as[interface{ RetryAfter() time.Duration }](err); ok {
		return h.RetryAfter()
	}
	return 0
}

// as is errors.As for an interface type I, without errors.As's allocation of its target:
// it finds the first error in err's tree (depth-first, as errors.As) that implements I. An
// error with its own As method is handed to errors.As.
func as[I any](err error) (I, bool) {
	for err != nil {
		if i, ok := err.(I); ok {
			return i, true
		}
		switch u := err.(type) {
		case interface{ As(any) bool }:
			var i I
			if u.As(&i) {
				return i, true
			}
			switch w := err.(type) {
			case interface{ Unwrap() error }:
				err = w.Unwrap()
				continue
			case interface{ Unwrap() []error }:
				return asAny[I](w.Unwrap())
			}
			return i, false
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			return asAny[I](u.Unwrap())
		default:
			var zero I
			return zero, false
		}
	}
	var zero I
	return zero, false
}

func asAny[I any](errs []error) (I, bool) {
	for _, e := range errs {
		if i, ok := as[I](e); ok {
			return i, true
		}
	}
	var zero I
	return zero, false
}
