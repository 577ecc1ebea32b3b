package breaker_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilience-go/resilience/breaker"
)

func TestTimeout(t *testing.T) {
	tests := []struct {
		name string
		fn   func(ctx context.Context) error
	}{
		{"fn honours its context", func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		}},
		{"fn ignores its context and succeeds late", func(ctx context.Context) error {
			time.Sleep(2 * time.Second)
			return nil
		}},
		{"fn ignores its context and fails late with its own error", func(ctx context.Context) error {
			time.Sleep(2 * time.Second)
			return errors.New("late")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b, err := breaker.New(breaker.Config{Name: "slow", Timeout: time.Second, FailureThreshold: 1})
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				err = b.Call(context.Background(), tt.fn)
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("Call = %v, want DeadlineExceeded", err)
				}
				if s := b.Stats(); s.FailedRequests != 1 || s.State != breaker.Open {
					t.Errorf("Stats() = %+v, want one failure and open", s)
				}
				if el := time.Since(start); el < time.Second {
					t.Errorf("returned after %v, before the timeout", el)
				}
			})
		})
	}
}

func TestTimeoutDeadlineVisibleToFn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _ := breaker.New(breaker.Config{Timeout: 3 * time.Second})
		_ = b.Call(context.Background(), func(ctx context.Context) error {
			dl, ok := ctx.Deadline()
			if !ok || dl.Sub(time.Now()) != 3*time.Second {
				t.Errorf("Deadline() = %v, %v; want now+3s", dl, ok)
			}
			return nil
		})
	})
}

func TestCallerCancellationNotCounted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _ := breaker.New(breaker.Config{FailureThreshold: 1, Timeout: time.Minute})
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			time.Sleep(time.Second)
			cancel()
		}()
		err := b.Call(ctx, func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Call = %v, want context.Canceled", err)
		}
		// The caller's own deadline is not the dependency's fault either.
		ctx2, cancel2 := context.WithTimeout(context.Background(), time.Second)
		defer cancel2()
		_, err = breaker.Execute(ctx2, b, func(ctx context.Context) (int, error) {
			<-ctx.Done()
			return 0, ctx.Err()
		})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Execute = %v, want DeadlineExceeded", err)
		}
		if s := b.Stats(); s.FailedRequests != 0 || s.IgnoredRequests != 2 || s.State != breaker.Closed {
			t.Errorf("Stats() = %+v, want 2 ignored, no failure, closed", s)
		}
	})
}

func TestRecoveryOnRealTimers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var changes []string
		b, _ := breaker.New(breaker.Config{FailureThreshold: 1, SuccessThreshold: 1, RecoveryTimeout: 30 * time.Second, Timeout: breaker.NoTimeout,
			OnStateChange: func(ev breaker.StateChange) { changes = append(changes, ev.To.String()) }})
		_ = b.Call(context.Background(), func(context.Context) error { return errors.New("down") })
		time.Sleep(29 * time.Second)
		synctest.Wait()
		if b.State() != breaker.Open {
			t.Fatalf("State() at 29s = %v, want open", b.State())
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if got := b.State(); got != breaker.HalfOpen {
			t.Fatalf("State() at 30s = %v, want half_open", got)
		}
		_ = b.Call(context.Background(), func(context.Context) error { return nil })
		if got := len(changes); got != 3 {
			t.Errorf("state changes = %v, want open, half_open, closed", changes)
		}
	})
}

type ctxKey struct{}

func TestTimeoutContextBehavesAsAContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _ := breaker.New(breaker.Config{Timeout: time.Second, FailureThreshold: 10})
		parent := context.WithValue(context.Background(), ctxKey{}, "v")
		err := b.Call(parent, func(ctx context.Context) error {
			if ctx.Value(ctxKey{}) != "v" {
				t.Errorf("Value lost")
			}
			if ctx.Err() != nil {
				t.Errorf("Err() = %v before the deadline", ctx.Err())
			}
			child, cancel := context.WithCancel(ctx) // joins the tree: no goroutine
			defer cancel()
			time.Sleep(time.Second)
			synctest.Wait()
			select {
			case <-child.Done():
			default:
				t.Errorf("child not cancelled at the deadline")
			}
			return ctx.Err()
		})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Call = %v, want DeadlineExceeded", err)
		}
		// Err before Done: once Err reports expiry, Done is closed.
		_ = b.Call(context.Background(), func(ctx context.Context) error {
			time.Sleep(2 * time.Second)
			if ctx.Err() == nil {
				t.Errorf("Err() = nil after the deadline")
			}
			select {
			case <-ctx.Done():
			default:
				t.Errorf("Done not closed after Err reported expiry")
			}
			return nil
		})
	})
}
