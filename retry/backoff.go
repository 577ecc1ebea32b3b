package retry

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// Jitter is a way of randomising each wait, so that many clients that failed together do
// not retry together (the thundering herd). Every strategy keeps each wait within
// [0, MaxDelay].
type Jitter int

const (
	// Proportional adds a uniform random amount within ±JitterFactor of the exponential
	// delay: the specification's jitter, and the zero value, so jitter is on by default.
	Proportional Jitter = iota
	// NoJitter waits exactly min(InitialDelay*BackoffFactor^n, MaxDelay).
	NoJitter
	// FullJitter waits a uniform random time in [0, delay] (AWS's "full jitter"): the
	// widest spread, and the least total load on a recovering service.
	FullJitter
	// EqualJitter waits delay/2 plus a uniform random time in [0, delay/2]: never less than
	// half the exponential delay, still well spread.
	EqualJitter
	// DecorrelatedJitter waits a uniform random time in [InitialDelay, 3*previous wait],
	// capped by MaxDelay (AWS's "decorrelated jitter"): each wait grows from the last one
	// actually taken rather than from the attempt number, so BackoffFactor is not used by a
	// retry loop. [Config.Delay], which has no previous wait, takes the exponential delay of
	// attempt n-1 (InitialDelay for n = 0) as the previous wait.
	DecorrelatedJitter
)

// String returns the strategy's Go name, such as "FullJitter".
func (j Jitter) String() string {
	switch j {
	case Proportional:
		return "Proportional"
	case NoJitter:
		return "NoJitter"
	case FullJitter:
		return "FullJitter"
	case EqualJitter:
		return "EqualJitter"
	case DecorrelatedJitter:
		return "DecorrelatedJitter"
	}
	return "Jitter(" + strconv.Itoa(int(j)) + ")"
}

// Delay returns the wait after failed attempt n (0-based): min(InitialDelay*BackoffFactor^n,
// MaxDelay), then the Config's jitter. The result is never negative and never above
// MaxDelay, and it is deterministic with [NoJitter], so a schedule can be printed. Zero
// fields take their defaults; a negative n counts as 0. Delay does not validate c: for an
// invalid Config the result is clamped into [0, MaxDelay] but otherwise unspecified.
func (c Config) Delay(attempt int) time.Duration {
	c = c.withDefaults()
	if attempt < 0 {
		attempt = 0
	}
	prev := c.InitialDelay
	if attempt > 0 {
		prev = c.exponential(attempt - 1)
	}
	return c.jittered(attempt, prev)
}

// exponential returns min(InitialDelay*BackoffFactor^n, MaxDelay) for a Config with its
// defaults applied, without overflowing.
func (c *Config) exponential(n int) time.Duration {
	if c.MaxDelay <= 0 {
		return 0
	}
	d := float64(c.InitialDelay)
	if n > 0 && c.BackoffFactor != 1 {
		d *= math.Pow(c.BackoffFactor, float64(n))
	}
	if !(d < float64(c.MaxDelay)) { // also catches +Inf and NaN
		return c.MaxDelay
	}
	if d < 0 {
		return 0
	}
	return time.Duration(d)
}

// jittered returns the wait after failed attempt n for a Config with its defaults applied;
// prev is the previous wait, used by DecorrelatedJitter only.
func (c *Config) jittered(n int, prev time.Duration) time.Duration {
	var d time.Duration
	switch c.Jitter {
	case NoJitter:
		return c.exponential(n)
	case FullJitter:
		d = randUpTo(c.exponential(n))
	case EqualJitter:
		base := c.exponential(n)
		half := base / 2
		d = base - half + randUpTo(half)
	case DecorrelatedJitter:
		if prev <= 0 { // no wait yet: the first is within [InitialDelay, 3*InitialDelay]
			prev = c.InitialDelay
		}
		lo := c.InitialDelay
		hi := c.MaxDelay
		if prev > 0 && prev <= hi/3 {
			hi = 3 * prev
		}
		if hi < lo {
			hi = lo
		}
		d = lo + randUpTo(hi-lo)
	default: // Proportional, and anything invalid
		base := float64(c.exponential(n))
		f := base + base*c.JitterFactor*(2*rand.Float64()-1)
		if f >= float64(c.MaxDelay) { // in float: base+jitter may not fit a Duration
			return c.MaxDelay
		}
		d = time.Duration(f)
	}
	return c.clamp(d)
}

func (c *Config) clamp(d time.Duration) time.Duration {
	if d > c.MaxDelay {
		return c.MaxDelay
	}
	if d < 0 {
		return 0
	}
	return d
}

// randUpTo returns a uniform random duration in [0, d]; 0 when d <= 0.
func randUpTo(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	if d == math.MaxInt64 {
		return time.Duration(rand.Int64())
	}
	return time.Duration(rand.Int64N(int64(d) + 1))
}
