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
//   - an error declaring Retryable() bool (the first in its tree): what it says;
//   - connection refused, reset or aborted, a broken pipe, io.ErrUnexpectedEOF: true;
//   - a net.Error, an error whose Timeout() is true (context.DeadlineExceeded is one),
//     an error whose Temporary() is true: true;
//   - anything else: false.
//
// The whole tree of err is searched, as errors.Is and errors.As do. IsRetryable cannot tell
// whose deadline expired; [Do] does not retry once the caller's own context is done, so a
// DeadlineExceeded is retried only when it was an attempt's own. Packages that know more
// compose with it:
//
//	RetryIf: func(err error) bool { return retry.IsRetryable(err) || isSerializationFailure(err) }
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	var t traits
	t.inspect(err)
	return t.retryable()
}

// traits is what one walk over an error tree finds out for the classifier. Where errors.As
// would stop at the first match, so does each trait.
type traits struct {
	permanent, canceled, open bool
	forced                    bool // a breaker opened by hand: no wait will close it
	transient                 bool // a refused/reset/aborted connection, broken pipe, unexpected EOF
	netErr                    bool
	declared                  tri // Retryable()
	timeout                   tri // Timeout()
	temporary                 tri // Temporary()
	hint                      time.Duration
	hasHint                   bool
}

type tri uint8

const (
	unknown tri = iota
	yes
	no
)

func triOf(b bool) tri {
	if b {
		return yes
	}
	return no
}

func (t *traits) retryable() bool {
	switch {
	case t.permanent, t.canceled, t.open:
		return false
	case t.declared != unknown:
		return t.declared == yes
	}
	return t.transient || t.netErr || t.timeout == yes || t.temporary == yes
}

// The errors.Is targets, boxed once.
var (
	errConnRefused  error = syscall.ECONNREFUSED
	errConnReset    error = syscall.ECONNRESET
	errConnAborted  error = syscall.ECONNABORTED
	errBrokenPipe   error = syscall.EPIPE
	transientErrors       = [...]error{errConnRefused, errConnReset, errConnAborted, errBrokenPipe, io.ErrUnexpectedEOF}
)

// inspect walks err's tree depth-first, as errors.Is and errors.As do. It is one function
// with plain type assertions (not errors.As) so that each assertion has its own cache and
// nothing is allocated.
func (t *traits) inspect(err error) {
	for err != nil {
		t.node(err)
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				t.inspect(e)
			}
			return
		default:
			return
		}
	}
}

func (t *traits) node(err error) {
	switch e := err.(type) {
	case *permanentError:
		t.permanent = true
	case *breaker.OpenError:
		t.forced = t.forced || e.Forced
	case syscall.Errno:
		switch e {
		case syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE:
			t.transient = true
		}
	}
	switch err {
	case context.Canceled:
		t.canceled = true
	case breaker.ErrOpen:
		t.open = true
	case io.ErrUnexpectedEOF:
		t.transient = true
	}
	if x, ok := err.(interface{ Is(error) bool }); ok {
		t.canceled = t.canceled || x.Is(context.Canceled)
		t.open = t.open || x.Is(breaker.ErrOpen)
		for _, target := range transientErrors {
			if !t.transient && x.Is(target) {
				t.transient = true
			}
		}
	}
	if _, ok := err.(net.Error); ok {
		t.netErr = true
	}
	if t.declared == unknown {
		if x, ok := err.(interface{ Retryable() bool }); ok {
			t.declared = triOf(x.Retryable())
		}
	}
	if t.timeout == unknown {
		if x, ok := err.(interface{ Timeout() bool }); ok {
			t.timeout = triOf(x.Timeout())
		}
	}
	if t.temporary == unknown {
		if x, ok := err.(interface{ Temporary() bool }); ok {
			t.temporary = triOf(x.Temporary())
		}
	}
	if !t.hasHint {
		if x, ok := err.(interface{ RetryAfter() time.Duration }); ok {
			t.hint, t.hasHint = x.RetryAfter(), true
		}
	}
	if _, ok := err.(interface{ As(any) bool }); ok {
		t.nodeAs(err) // rare: an error that converts itself
	}
}

// nodeAs asks an error with an As method for each interface the classifier looks at.
func (t *traits) nodeAs(err error) {
	var p *permanentError
	if errors.As(err, &p) {
		t.permanent = true
	}
	if _, ok := err.(net.Error); !ok {
		var ne net.Error
		t.netErr = t.netErr || errors.As(err, &ne)
	}
	var r interface{ Retryable() bool }
	if t.declared == unknown && errors.As(err, &r) {
		t.declared = triOf(r.Retryable())
	}
	var to interface{ Timeout() bool }
	if t.timeout == unknown && errors.As(err, &to) {
		t.timeout = triOf(to.Timeout())
	}
	var tmp interface{ Temporary() bool }
	if t.temporary == unknown && errors.As(err, &tmp) {
		t.temporary = triOf(tmp.Temporary())
	}
	var h interface{ RetryAfter() time.Duration }
	if !t.hasHint && errors.As(err, &h) {
		t.hint, t.hasHint = h.RetryAfter(), true
	}
}

// retryAfter returns the wait an error asks for through RetryAfter() time.Duration, or 0.
func retryAfter(err error) time.Duration {
	var t traits
	t.inspect(err)
	return t.hint
}
