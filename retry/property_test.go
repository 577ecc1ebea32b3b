package retry

import (
	"context"
	"errors"
	"testing"

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
