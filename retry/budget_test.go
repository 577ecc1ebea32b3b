package retry

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newTestBudget(t *testing.T, ratio float64, minPerSecond int, clk *fakeClock) *Budget {
	t.Helper()
	b, err := NewBudget(ratio, minPerSecond)
	if err != nil {
		t.Fatalf("NewBudget(%v, %d) = %v", ratio, minPerSecond, err)
	}
	b.now = clk.Now
	return b
}

func TestNewBudgetValidates(t *testing.T) {
	tests := []struct {
		ratio float64
		min   int
		want  string
	}{
		{-0.1, 0, "ratio -0.1"},
		{math.NaN(), 0, "ratio NaN"},
		{math.Inf(1), 0, "ratio +Inf"},
		{0.1, -1, "minPerSecond -1"},
	}
	for _, tt := range tests {
		_, err := NewBudget(tt.ratio, tt.min)
		if err == nil || !errors.Is(err, ErrInvalidConfig) || !contains(err.Error(), tt.want) {
			t.Errorf("NewBudget(%v, %d) = %v, want an error naming %q", tt.ratio, tt.min, err, tt.want)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestBudgetRatioAndFloor(t *testing.T) {
	tests := []struct {
		name     string
		ratio    float64
		min      int
		deposits int
		want     int
	}{
		{"nothing at all", 0, 0, 100, 0},
		{"ratio of calls", 0.1, 0, 100, 10},
		{"ratio floors", 0.1, 0, 9, 0},
		{"floor over the window", 0, 2, 0, 20},
		{"both", 0.2, 1, 50, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTestBudget(t, tt.ratio, tt.min, newFakeClock())
			for range tt.deposits {
				b.deposit()
			}
			if got := b.Available(); got != tt.want {
				t.Errorf("Available() = %d, want %d", got, tt.want)
			}
			granted := 0
			for b.withdraw() {
				granted++
			}
			if granted != tt.want || b.Available() != 0 {
				t.Errorf("withdrew %d, want %d; Available() = %d after", granted, tt.want, b.Available())
			}
		})
	}
}

func TestBudgetWindowExpires(t *testing.T) {
	clk := newFakeClock()
	b := newTestBudget(t, 0.5, 0, clk)
	for range 10 {
		b.deposit()
	}
	for range 5 {
		if !b.withdraw() {
			t.Fatal("withdraw() = false within the budget")
		}
	}
	if b.withdraw() {
		t.Fatal("withdraw() = true past the budget")
	}
	clk.Advance(5 * time.Second)
	for range 4 {
		b.deposit()
	}
	if got := b.Available(); got != 2 {
		t.Errorf("after 5s: Available() = %d, want 2 (0.5*14 - 5)", got)
	}
	clk.Advance(5 * time.Second) // the first second's deposits and withdrawals expire
	if got := b.Available(); got != 2 {
		t.Errorf("after 10s: Available() = %d, want 2 (0.5*4)", got)
	}
	clk.Advance(10 * time.Second)
	if got := b.Available(); got != 0 {
		t.Errorf("after 20s: Available() = %d, want 0", got)
	}
}

// TestBudgetManyGoroutines: under concurrent calls, retries never exceed what the budget
// allows, and the calls the budget refuses fail with ErrBudgetExhausted and their last error.
func TestBudgetManyGoroutines(t *testing.T) {
	clk := newFakeClock()
	b := newTestBudget(t, 0.1, 0, clk)
	const goroutines, callsEach = 8, 100
	var attempts, refused atomic.Int64
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range callsEach {
				err := Do(context.Background(), Config{MaxAttempts: 3, Budget: b, clock: clk}, func(context.Context) error {
					attempts.Add(1)
					return errTransient
				})
				if errors.Is(err, ErrBudgetExhausted) {
					if !errors.Is(err, errTransient) {
						t.Errorf("Do() = %v, want it to match the last failure too", err)
					}
					refused.Add(1)
				}
			}
		})
	}
	wg.Wait()
	calls := int64(goroutines * callsEach)
	retries := attempts.Load() - calls
	if retries > calls/10 {
		t.Errorf("%d retries for %d calls, want at most %d (10%%)", retries, calls, calls/10)
	}
	if retries < calls/10-2 { // a call deposits before it may retry; the last calls can leave a little unspent
		t.Errorf("%d retries for %d calls, want about %d", retries, calls, calls/10)
	}
	if refused.Load() == 0 {
		t.Errorf("no call was refused by the budget")
	}
}

func TestBudgetZeroValueAllowsNoRetry(t *testing.T) {
	var b Budget
	b.deposit()
	if b.withdraw() || b.Available() != 0 {
		t.Errorf("zero Budget allowed a retry")
	}
}
