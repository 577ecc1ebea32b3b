package retry

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestMetrics(t *testing.T) {
	m := NewMetrics()
	cfg := Config{Name: "op", Jitter: NoJitter, Metrics: m, clock: newFakeClock()}
	run := func(cfg Config, failures int, err error) {
		fn, _ := failN(failures, err)
		_ = Do(context.Background(), cfg, fn)
	}
	run(cfg, 0, nil)          // first try
	run(cfg, 1, errTransient) // 1 retry, success (100ms)
	run(cfg, 5, errTransient) // exhausted: 2 retries (100ms, 200ms)
	run(cfg, 5, errUnknown)   // not retried
	other := cfg
	other.Name = "another"
	run(other, 0, nil)
	unnamed := cfg
	unnamed.Name = ""
	run(unnamed, 5, errTransient)

	got := m.Snapshot()
	want := []OperationStats{
		{Name: "another", Calls: 1, Attempts: 1},
		{Name: "op", Calls: 4, Attempts: 8, Retries: 4 - 1 + 1, SuccessesAfterRetry: 1, Exhausted: 1,
			TotalDelay: 400 * time.Millisecond, AverageDelay: 100 * time.Millisecond, RetrySuccessRate: 0.5},
	}
	want[1].Retries = 3
	want[1].Attempts = 7
	want[1].AverageDelay = 400 * time.Millisecond / 3
	if len(got) != len(want) {
		t.Fatalf("Snapshot() = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Snapshot()[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	m.Reset()
	if got := m.Snapshot(); len(got) != 0 {
		t.Errorf("Snapshot() after Reset = %+v, want empty", got)
	}
	run(cfg, 0, nil)
	if got := m.Snapshot(); len(got) != 1 || got[0].Calls != 1 {
		t.Errorf("Snapshot() after Reset and a call = %+v", got)
	}
}

func TestMetricsDefault(t *testing.T) {
	if DefaultMetrics() != DefaultMetrics() {
		t.Fatal("DefaultMetrics() is not one Metrics")
	}
	const name = "retry-test-default-metrics"
	calls := func() int64 {
		for _, s := range DefaultMetrics().Snapshot() {
			if s.Name == name {
				return s.Calls
			}
		}
		return 0
	}
	before := calls()
	_ = Do(context.Background(), Config{Name: name}, func(context.Context) error { return nil })
	if got := calls(); got != before+1 {
		t.Errorf("DefaultMetrics() calls of %q = %d, want %d", name, got, before+1)
	}
}

func TestMetricsConcurrent(t *testing.T) {
	m := NewMetrics()
	var wg sync.WaitGroup
	names := []string{"a", "b", "c", "d"}
	for i := range 8 {
		wg.Go(func() {
			cfg := Config{Name: names[i%len(names)], Metrics: m}
			for range 200 {
				_ = Do(context.Background(), cfg, func(context.Context) error { return nil })
			}
			_ = m.Snapshot()
		})
	}
	wg.Wait()
	var total int64
	for _, s := range m.Snapshot() {
		total += s.Calls
	}
	if total != 8*200 {
		t.Errorf("total calls = %d, want %d", total, 8*200)
	}
}

// TestFirstTrySuccessDoesNotAllocate pins the hot path: no allocation for a call that
// succeeds at once, with or without metrics.
func TestFirstTrySuccessDoesNotAllocate(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("allocation counts differ under -race and -cover")
	}
	ctx := context.Background()
	ok := func(context.Context) error { return nil }
	okValue := func(context.Context) (int, error) { return 1, nil }
	m := NewMetrics()
	named := Config{Name: "alloc", Metrics: m}
	wrapped := Wrap(named, okValue)
	tests := []struct {
		name string
		fn   func()
	}{
		{"Do", func() { _ = Do(ctx, Config{}, ok) }},
		{"Do with metrics", func() { _ = Do(ctx, named, ok) }},
		{"Do preset", func() { _ = Do(ctx, Database, ok) }},
		{"DoValue", func() { _, _ = DoValue(ctx, named, okValue) }},
		{"Wrap", func() { _, _ = wrapped(ctx) }},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(100, tt.fn); got != 0 {
			t.Errorf("%s: %v allocations per first-try success, want 0", tt.name, got)
		}
	}
}

// TestTinyWaitsDoNotAllocateATimer: two failures with waits below the timer resolution
// allocate only the final error, never a timer.
func TestTinyWaitsDoNotAllocateATimer(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("allocation counts differ under -race and -cover")
	}
	cfg := Config{InitialDelay: time.Nanosecond, MaxDelay: time.Nanosecond, Jitter: NoJitter}
	calls := 0
	fn := func(context.Context) error {
		calls++
		if calls%3 != 0 {
			return errTransient
		}
		return nil
	}
	if got := testing.AllocsPerRun(100, func() { _ = Do(context.Background(), cfg, fn) }); got != 0 {
		t.Errorf("%v allocations for two tiny retries, want 0", got)
	}
}
