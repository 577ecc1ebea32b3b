package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/resilience-go/resilience/breaker"
)

type temporaryErr struct{ temp bool }

func (e temporaryErr) Error() string   { return fmt.Sprintf("temporary=%v", e.temp) }
func (e temporaryErr) Temporary() bool { return e.temp }

type timeoutErr struct{}

func (timeoutErr) Error() string { return "timed out" }
func (timeoutErr) Timeout() bool { return true }

type declaredErr struct{ retryable bool }

func (e declaredErr) Error() string   { return fmt.Sprintf("retryable=%v", e.retryable) }
func (e declaredErr) Retryable() bool { return e.retryable }

// notRetryableNetErr is a net.Error that says it must not be retried.
type notRetryableNetErr struct{}

func (notRetryableNetErr) Error() string   { return "net, but not retryable" }
func (notRetryableNetErr) Timeout() bool   { return false }
func (notRetryableNetErr) Temporary() bool { return false }
func (notRetryableNetErr) Retryable() bool { return false }

func TestIsRetryable(t *testing.T) {
	opErr := &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	tests := []struct {
		name string
		give error
		want bool
	}{
		{"nil", nil, false},
		{"unknown", errors.New("boom"), false},
		{"io.EOF", io.EOF, false},
		{"connection refused", syscall.ECONNREFUSED, true},
		{"connection reset", syscall.ECONNRESET, true},
		{"broken pipe", syscall.EPIPE, true},
		{"dial refused", opErr, true},
		{"wrapped dial refused", fmt.Errorf("query: %w", opErr), true},
		{"unexpected EOF", io.ErrUnexpectedEOF, true},
		{"wrapped unexpected EOF", fmt.Errorf("read body: %w", io.ErrUnexpectedEOF), true},
		{"DNS error", &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}, true},
		{"timeout", timeoutErr{}, true},
		{"deadline exceeded", context.DeadlineExceeded, true},
		{"os deadline", os.ErrDeadlineExceeded, true},
		{"temporary true", temporaryErr{true}, true},
		{"temporary false", temporaryErr{false}, false},
		{"declared retryable", declaredErr{true}, true},
		{"declared not retryable", declaredErr{false}, false},
		{"declaration beats net.Error", notRetryableNetErr{}, false},
		{"canceled", context.Canceled, false},
		{"wrapped canceled", fmt.Errorf("op: %w", context.Canceled), false},
		{"permanent", Permanent(syscall.ECONNREFUSED), false},
		{"wrapped permanent", fmt.Errorf("op: %w", Permanent(io.ErrUnexpectedEOF)), false},
		{"breaker open", breaker.ErrOpen, false},
		{"breaker open error", &breaker.OpenError{Name: "db", Until: time.Now().Add(time.Second)}, false},
		{"server hint", After(errors.New("503"), time.Second), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsRetryable(tt.give); got != tt.want {
				t.Errorf("IsRetryable(%v) = %v, want %v", tt.give, got, tt.want)
			}
		})
	}
}

func TestPermanent(t *testing.T) {
	if Permanent(nil) != nil {
		t.Errorf("Permanent(nil) != nil")
	}
	base := errors.New("bad request")
	p := Permanent(base)
	if !errors.Is(p, base) || p.Error() != "bad request" {
		t.Errorf("Permanent(%v) = %v; errors.Is = %v", base, p, errors.Is(p, base))
	}
	if !IsPermanent(fmt.Errorf("x: %w", p)) || IsPermanent(base) {
		t.Errorf("IsPermanent mismatch")
	}
}

func TestAfter(t *testing.T) {
	if After(nil, time.Second) != nil {
		t.Errorf("After(nil, 1s) != nil")
	}
	base := errors.New("429")
	err := After(base, 3*time.Second)
	if !errors.Is(err, base) || retryAfter(fmt.Errorf("get: %w", err)) != 3*time.Second {
		t.Errorf("After(%v, 3s): errors.Is = %v, retryAfter = %v", base, errors.Is(err, base), retryAfter(err))
	}
}

// asErr converts itself to a timeoutErr through an As method.
type asErr struct{}

func (asErr) Error() string { return "converts" }
func (asErr) As(target any) bool {
	if p, ok := target.(*interface{ Timeout() bool }); ok {
		*p = timeoutErr{}
		return true
	}
	return false
}

func TestIsRetryableErrorTrees(t *testing.T) {
	tests := []struct {
		name string
		give error
		want bool
	}{
		{"joined: second is retryable", errors.Join(errors.New("a"), syscall.ECONNRESET), true},
		{"joined: declared in second", errors.Join(errors.New("a"), declaredErr{true}), true},
		{"joined: permanent anywhere", errors.Join(syscall.ECONNRESET, Permanent(errors.New("b"))), false},
		{"As method", fmt.Errorf("x: %w", asErr{}), true},
		{"multi-%w", fmt.Errorf("%w and %w", errors.New("a"), timeoutErr{}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsRetryable(tt.give); got != tt.want {
				t.Errorf("IsRetryable(%v) = %v, want %v", tt.give, got, tt.want)
			}
		})
	}
}
