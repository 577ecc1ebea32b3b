package breaker_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilience-go/resilience/breaker"
)

func TestRegistry(t *testing.T) {
	r := breaker.NewRegistry(breaker.WithDefaults(breaker.Config{FailureThreshold: 2, Timeout: breaker.NoTimeout}))
	a, err := r.Get("a", breaker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := r.Get("a", breaker.Config{FailureThreshold: 9}); again != a {
		t.Errorf("Get(a) twice returned two breakers")
	}
	if got := a.Config().FailureThreshold; got != 2 {
		t.Errorf("FailureThreshold from registry defaults = %d, want 2", got)
	}
	b, _ := r.Get("b", breaker.Config{FailureThreshold: 1})
	if got := b.Config().FailureThreshold; got != 1 {
		t.Errorf("FailureThreshold from Config = %d, want 1", got)
	}
	if got := r.Names(); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("Names() = %v, want [a b]", got)
	}
	if all := r.All(); len(all) != 2 || all["a"] != a || all["b"] != b {
		t.Errorf("All() = %v", all)
	}
	_ = b.Call(context.Background(), func(context.Context) error { return errors.New("down") })
	if b.State() != breaker.Open {
		t.Fatalf("b not open")
	}
	if err := r.Reset("b"); err != nil || b.State() != breaker.Closed {
		t.Errorf("Reset(b) = %v, state %v", err, b.State())
	}
	if err := r.Reset("nope"); !errors.Is(err, breaker.ErrNotFound) || err.Error() != `breaker: no such breaker: "nope"` {
		t.Errorf("Reset(nope) = %v, want ErrNotFound naming it", err)
	}
	if _, err := r.Get("", breaker.Config{}); err == nil {
		t.Errorf("Get(\"\") succeeded")
	}
	if _, err := r.Get("bad", breaker.Config{FailureThreshold: -1}); err == nil || err.Error() != `breaker "bad": breaker: Config.FailureThreshold = -1: must be from 1 to 1073741824` {
		t.Errorf("Get(bad) = %v", err)
	}
	if _, ok := r.Lookup("bad"); ok {
		t.Errorf("a breaker that failed validation was registered")
	}
	if _, ok := breaker.Default().Lookup("a"); ok {
		t.Errorf("NewRegistry shares breakers with the default registry")
	}
}

func TestRegistryOnStateChange(t *testing.T) {
	r := breaker.NewRegistry()
	var got []string
	remove := r.OnStateChange(func(ev breaker.StateChange) { got = append(got, ev.Name+":"+ev.To.String()) })
	b, _ := r.Get("x", breaker.Config{FailureThreshold: 1, Timeout: breaker.NoTimeout})
	_ = b.Call(context.Background(), func(context.Context) error { return errors.New("down") })
	remove()
	b.Reset()
	if len(got) != 1 || got[0] != "x:open" {
		t.Errorf("observed %v, want [x:open]", got)
	}
}

func TestPackageLevelRegistry(t *testing.T) {
	b, err := breaker.Get("package-level-test", breaker.Config{FailureThreshold: 1, Timeout: breaker.NoTimeout})
	if err != nil {
		t.Fatal(err)
	}
	if breaker.All()["package-level-test"] != b {
		t.Errorf("All() does not hold the breaker Get made")
	}
	_ = b.Call(context.Background(), func(context.Context) error { return errors.New("down") })
	if err := breaker.Reset("package-level-test"); err != nil || b.State() != breaker.Closed {
		t.Errorf("Reset = %v, state %v", err, b.State())
	}
	if err := breaker.Reset("no-such-breaker"); !errors.Is(err, breaker.ErrNotFound) {
		t.Errorf("Reset(unknown) = %v", err)
	}
}

// TestConcurrentCallsKeepCountsExact hammers one breaker from many goroutines through every
// entry point while it trips and recovers; run it with -race.
func TestConcurrentCallsKeepCountsExact(t *testing.T) {
	b, _ := breaker.New(breaker.Config{FailureThreshold: 3, SuccessThreshold: 2, RecoveryTimeout: time.Millisecond, Timeout: time.Second,
		FailureRateThreshold: 0.9, WindowSize: 20})
	const goroutines, calls = 16, 500
	var wg sync.WaitGroup
	var made atomic.Int64
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				made.Add(1)
				fail := (i+g)%7 == 0
				switch i % 3 {
				case 0:
					_ = b.Call(context.Background(), func(context.Context) error {
						if fail {
							return errors.New("x")
						}
						return nil
					})
				case 1:
					_, _ = breaker.Execute(context.Background(), b, func(context.Context) (int, error) {
						if fail {
							return 0, errors.New("x")
						}
						return 1, nil
					})
				case 2:
					if done, err := b.Allow(); err == nil {
						if fail {
							done(errors.New("x"))
						} else {
							done(nil)
						}
					}
				}
				if i%50 == 0 {
					_ = b.Stats()
				}
			}
		}()
	}
	wg.Wait()
	s := b.Stats()
	if s.TotalRequests != made.Load() {
		t.Errorf("TotalRequests = %d, want %d (%+v)", s.TotalRequests, made.Load(), s)
	}
	if s.HalfOpenInFlight != 0 {
		t.Errorf("HalfOpenInFlight = %d after all calls returned", s.HalfOpenInFlight)
	}
}
