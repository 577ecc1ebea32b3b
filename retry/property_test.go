package retry

import (
	"context"
	"errors"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func rapidCheckAttempts(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		maxAttempts := rapid.IntRange(1, 20).Draw(t, "maxAttempts")
		failures := rapid.IntRange(0, 30).Draw(t, "failures")
		jitter := Jitter(rapid.IntRange(int(Proportional), int(DecorrelatedJitter)).Draw(t, "jitter"))
		clk := newFakeClock()
		fn, calls := failN(failures, errTransient)
		err := Do(context.Background(), Config{MaxAttempts: maxAttempts, Jitter: jitter, clock: clk}, fn)
		wantCalls := min(failures+1, maxAttempts)
		if *calls != wantCalls {
			t.Fatalf("calls = %d, want %d", *calls, wantCalls)
		}
		if len(clk.Sleeps()) != wantCalls-1 {
			t.Fatalf("sleeps = %d, want %d", len(clk.Sleeps()), wantCalls-1)
		}
		if (err == nil) != (failures < maxAttempts) {
			t.Fatalf("Do() = %v with %d failures and %d attempts", err, failures, maxAttempts)
		}
		if err != nil && !errors.Is(err, errTransient) {
			t.Fatalf("Do() = %v does not reach the last failure", err)
		}
	})
}

// TestBudgetMatchesModel runs random deposits, withdrawals and clock moves against the
// Budget and a plain model of its rule: over the seconds [now-9, now], retries allowed =
// floor(ratio × deposits) + minPerSecond × 10 − withdrawals.
func TestBudgetMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ratio := rapid.SampledFrom([]float64{0, 0.1, 0.2, 0.5, 1, 2}).Draw(t, "ratio")
		minPerSecond := rapid.IntRange(0, 3).Draw(t, "minPerSecond")
		clk := newFakeClock()
		b, err := NewBudget(ratio, minPerSecond)
		if err != nil {
			t.Fatal(err)
		}
		b.now = clk.Now
		start := clk.Now()
		b.Available() // the budget's seconds count from its first use
		type event struct {
			sec     int64
			deposit bool
		}
		var events []event
		sec := func() int64 { return int64(clk.Now().Sub(start) / time.Second) }
		allowed := func() int64 {
			now := sec()
			var d, w int64
			for _, e := range events {
				if e.sec > now-budgetSlots {
					if e.deposit {
						d++
					} else {
						w++
					}
				}
			}
			return int64(ratio*float64(d)) + int64(minPerSecond)*budgetSlots - w
		}
		t.Repeat(map[string]func(*rapid.T){
			"deposit": func(t *rapid.T) {
				b.deposit()
				events = append(events, event{sec(), true})
			},
			"withdraw": func(t *rapid.T) {
				want := allowed() >= 1
				if got := b.withdraw(); got != want {
					t.Fatalf("withdraw() = %v, want %v", got, want)
				}
				if want {
					events = append(events, event{sec(), false})
				}
			},
			"advance": func(t *rapid.T) {
				clk.Advance(time.Duration(rapid.Int64Range(0, int64(4*time.Second)).Draw(t, "by")))
			},
			"": func(t *rapid.T) {
				if got, want := b.Available(), max(allowed(), 0); int64(got) != want {
					t.Fatalf("Available() = %d, want %d", got, want)
				}
			},
		})
	})
}
