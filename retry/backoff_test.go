package retry

import (
	"math"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestDelaySpecificationExample pins the specification's worked example.
func TestDelaySpecificationExample(t *testing.T) {
	c := Config{InitialDelay: 100 * time.Millisecond, BackoffFactor: 2, MaxDelay: 10 * time.Second, Jitter: NoJitter}
	want := []time.Duration{
		100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond,
		1600 * time.Millisecond, 3200 * time.Millisecond, 6400 * time.Millisecond, 10 * time.Second,
	}
	for n, w := range want {
		if got := c.Delay(n); got != w {
			t.Errorf("Delay(%d) = %v, want %v", n, got, w)
		}
	}
}

func TestDelay(t *testing.T) {
	tests := []struct {
		name string
		give Config
		n    int
		want time.Duration
	}{
		{"defaults attempt 0", Config{Jitter: NoJitter}, 0, 100 * time.Millisecond},
		{"defaults attempt 2", Config{Jitter: NoJitter}, 2, 400 * time.Millisecond},
		{"negative attempt counts as 0", Config{Jitter: NoJitter}, -5, 100 * time.Millisecond},
		{"capped", Config{Jitter: NoJitter}, 20, 30 * time.Second},
		{"huge attempt does not overflow", Config{Jitter: NoJitter}, math.MaxInt, 30 * time.Second},
		{"factor 1 is constant", Config{Jitter: NoJitter, BackoffFactor: 1}, 50, 100 * time.Millisecond},
		{"HTTP attempt 3", Config{Jitter: NoJitter, InitialDelay: 500 * time.Millisecond, MaxDelay: 30 * time.Second, BackoffFactor: 1.5}, 3, 1687500 * time.Microsecond},
		{"Patient attempt 3 capped", Config{Jitter: NoJitter, InitialDelay: 2 * time.Second, MaxDelay: 60 * time.Second, BackoffFactor: 2.5}, 3, 31250 * time.Millisecond},
		{"huge MaxDelay", Config{Jitter: NoJitter, MaxDelay: math.MaxInt64}, 1000, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.give.Delay(tt.n); got != tt.want {
				t.Errorf("Delay(%d) = %v, want %v", tt.n, got, tt.want)
			}
		})
	}
}

func TestJitterString(t *testing.T) {
	tests := []struct {
		give Jitter
		want string
	}{
		{Proportional, "Proportional"}, {NoJitter, "NoJitter"}, {FullJitter, "FullJitter"},
		{EqualJitter, "EqualJitter"}, {DecorrelatedJitter, "DecorrelatedJitter"}, {Jitter(9), "Jitter(9)"},
	}
	for _, tt := range tests {
		if got := tt.give.String(); got != tt.want {
			t.Errorf("Jitter(%d).String() = %q, want %q", int(tt.give), got, tt.want)
		}
	}
}

// genConfig draws a valid Config (defaults applied) with the given jitter strategy.
func genConfig(t *rapid.T, j Jitter) Config {
	initial := time.Duration(rapid.Int64Range(1, int64(time.Hour)).Draw(t, "initial"))
	maxDelay := initial + time.Duration(rapid.Int64Range(0, int64(24*time.Hour)).Draw(t, "extra"))
	if rapid.Bool().Draw(t, "hugeMax") {
		maxDelay = math.MaxInt64
	}
	c := Config{
		InitialDelay:  initial,
		MaxDelay:      maxDelay,
		BackoffFactor: rapid.Float64Range(1, 10).Draw(t, "factor"),
		JitterFactor:  rapid.Float64Range(0, 1).Draw(t, "jitterFactor"),
		Jitter:        j,
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("generated an invalid Config: %v", err)
	}
	return c.withDefaults()
}

// TestJitterBoundsProperty checks every strategy's bounds for random configs and attempts:
// never negative, never above MaxDelay, and within each strategy's own range.
func TestJitterBoundsProperty(t *testing.T) {
	strategies := []Jitter{Proportional, NoJitter, FullJitter, EqualJitter, DecorrelatedJitter}
	for _, j := range strategies {
		t.Run(j.String(), func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				c := genConfig(t, j)
				n := rapid.IntRange(0, 200).Draw(t, "attempt")
				base := c.exponential(n)
				got := c.Delay(n)
				if got < 0 || got > c.MaxDelay {
					t.Fatalf("Delay(%d) = %v, want within [0, %v]", n, got, c.MaxDelay)
				}
				var lo, hi time.Duration
				switch j {
				case Proportional:
					spread := time.Duration(float64(base) * c.JitterFactor)
					lo, hi = base-spread-1, c.MaxDelay
					if c.MaxDelay-spread-1 > base {
						hi = base + spread + 1
					}
				case NoJitter:
					lo, hi = base, base
				case FullJitter:
					lo, hi = 0, base
				case EqualJitter:
					lo, hi = base-base/2, base
				case DecorrelatedJitter:
					lo, hi = c.InitialDelay, c.MaxDelay
				}
				if got < lo || got > hi {
					t.Fatalf("%v: Delay(%d) = %v, want within [%v, %v] (base %v)", j, n, got, lo, hi, base)
				}
			})
		})
	}
}

// TestDecorrelatedLoopProperty checks the stateful form the retry loop uses: each wait is
// within [InitialDelay, min(3*previous, MaxDelay)].
func TestDecorrelatedLoopProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genConfig(t, DecorrelatedJitter)
		prev := c.InitialDelay
		for n := range 20 {
			got := c.jittered(n, prev)
			hi := c.MaxDelay
			if prev <= hi/3 {
				hi = 3 * prev
			}
			hi = max(hi, c.InitialDelay)
			if got < c.InitialDelay || got > hi {
				t.Fatalf("wait %d after %v = %v, want within [%v, %v]", n, prev, got, c.InitialDelay, hi)
			}
			prev = got
		}
	})
}

// TestDelayExponentialProperty checks NoJitter is monotone and capped.
func TestDelayExponentialProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genConfig(t, NoJitter)
		prev := time.Duration(0)
		for n := range 100 {
			got := c.Delay(n)
			if got < prev {
				t.Fatalf("Delay(%d) = %v < Delay(%d) = %v", n, got, n-1, prev)
			}
			prev = got
		}
		if n0 := c.Delay(0); n0 != c.InitialDelay {
			t.Fatalf("Delay(0) = %v, want InitialDelay %v", n0, c.InitialDelay)
		}
	})
}

// TestDecorrelatedFirstWait is the regression test for a first loop wait drawn up to
// MaxDelay: with no previous wait, the first is within [InitialDelay, 3*InitialDelay].
func TestDecorrelatedFirstWait(t *testing.T) {
	c := Config{Jitter: DecorrelatedJitter, InitialDelay: time.Millisecond, MaxDelay: time.Hour}.withDefaults()
	for range 1000 {
		if got := c.jittered(0, 0); got < time.Millisecond || got > 3*time.Millisecond {
			t.Fatalf("first wait = %v, want within [1ms, 3ms]", got)
		}
	}
}
