package prom

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/retry"
)

// DefaultDelayBuckets are the bucket bounds of resilience_retry_delay_seconds when
// Config.DelayBuckets is nil: 10ms doubling up to 81.92s.
var DefaultDelayBuckets = prometheus.ExponentialBuckets(0.01, 2, 14)

// DefaultAttemptBuckets are the bucket bounds of resilience_retry_call_attempts when
// Config.AttemptBuckets is nil.
var DefaultAttemptBuckets = []float64{1, 2, 3, 4, 5, 6, 8, 10}

// Config configures [NewCollector]. Its zero value exports the default breaker registry and
// the default retry metrics.
type Config struct {
	// Registry is the breaker registry to export. If nil, breaker.Default().
	Registry *breaker.Registry
	// Metrics is the retry metrics to export. If nil, retry.DefaultMetrics().
	Metrics *retry.Metrics
	// ConstLabels are added to every metric (for example a service name). If nil, none.
	ConstLabels prometheus.Labels
	// DelayBuckets are the upper bounds, in seconds, of the delay histogram's buckets,
	// strictly increasing. If nil, DefaultDelayBuckets.
	DelayBuckets []float64
	// AttemptBuckets are the upper bounds of the attempts-per-call histogram's buckets,
	// strictly increasing. If nil, DefaultAttemptBuckets.
	AttemptBuckets []float64
}

// Collector is a prometheus.Collector for one breaker registry and one retry metrics set.
// Make it with [NewCollector]; call Close when done to stop counting transitions.
type Collector struct {
	reg     *breaker.Registry
	metrics *retry.Metrics
	remove  func()

	state, calls, failureRate, slowRate, consecutive, nextProbe, transitions *prometheus.Desc
	rCalls, rAttempts, rRetries, rSuccesses, rExhausted, rRate, rDelayTotal  *prometheus.Desc

	delays   *prometheus.HistogramVec
	attempts *prometheus.HistogramVec

	mu    sync.Mutex
	trans map[transition]float64 // requires mu held

	now func() time.Time
}

type transition struct{ name, from, to string }

var _ prometheus.Collector = (*Collector)(nil)

// NewCollector returns a Collector for cfg, already counting the registry's state
// transitions. Invalid buckets are an error naming the field.
func NewCollector(cfg Config) (*Collector, error) {
	if cfg.Registry == nil {
		cfg.Registry = breaker.Default()
	}
	if cfg.Metrics == nil {
		cfg.Metrics = retry.DefaultMetrics()
	}
	if cfg.DelayBuckets == nil {
		cfg.DelayBuckets = DefaultDelayBuckets
	}
	if cfg.AttemptBuckets == nil {
		cfg.AttemptBuckets = DefaultAttemptBuckets
	}
	if err := checkBuckets("DelayBuckets", cfg.DelayBuckets); err != nil {
		return nil, err
	}
	if err := checkBuckets("AttemptBuckets", cfg.AttemptBuckets); err != nil {
		return nil, err
	}
	for k := range cfg.ConstLabels {
		if k == "name" || k == "state" || k == "outcome" || k == "from" || k == "to" || k == "le" {
			return nil, fmt.Errorf("prom: Config.ConstLabels: label %q clashes with a label of the exported metrics", k)
		}
	}
	cl := cfg.ConstLabels
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, cl)
	}
	c := &Collector{
		reg:     cfg.Registry,
		metrics: cfg.Metrics,
		trans:   make(map[transition]float64),
		now:     time.Now,

		state:       d("resilience_circuitbreaker_state", "Circuit breaker state: 1 for the current state (closed, open, half_open), 0 for the others.", "name", "state"),
		calls:       d("resilience_circuitbreaker_calls_total", "Calls through a circuit breaker by outcome (success, failure, slow, rejected, ignored); slow calls are also counted as success or failure.", "name", "outcome"),
		failureRate: d("resilience_circuitbreaker_failure_rate", "Circuit breaker failure rate, 0..1.", "name"),
		slowRate:    d("resilience_circuitbreaker_slow_call_rate", "Circuit breaker slow call rate, 0..1.", "name"),
		consecutive: d("resilience_circuitbreaker_consecutive_failures", "Failures since the last success.", "name"),
		nextProbe:   d("resilience_circuitbreaker_next_probe_seconds", "Seconds until an open circuit breaker admits a probe call; 0 unless open.", "name"),
		transitions: d("resilience_circuitbreaker_transitions_total", "Circuit breaker state transitions seen by this collector.", "name", "from", "to"),

		rCalls:      d("resilience_retry_calls_total", "Retrying calls that ended.", "name"),
		rAttempts:   d("resilience_retry_attempts_total", "Attempts made by retrying calls, first attempts included.", "name"),
		rRetries:    d("resilience_retry_retries_total", "Attempts that were retries.", "name"),
		rSuccesses:  d("resilience_retry_successes_after_retry_total", "Calls that succeeded after at least one retry.", "name"),
		rExhausted:  d("resilience_retry_exhausted_total", "Calls that failed after their last allowed attempt.", "name"),
		rRate:       d("resilience_retry_success_rate", "Share of the calls that retried which then succeeded, 0..1.", "name"),
		rDelayTotal: d("resilience_retry_delay_seconds_total", "Time spent waiting between attempts.", "name"),

		delays: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:        "resilience_retry_delay_seconds",
			Help:        "Each wait between attempts, for retry configs instrumented by this collector.",
			ConstLabels: cl,
			Buckets:     cfg.DelayBuckets,
		}, []string{"name"}),
		attempts: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:        "resilience_retry_call_attempts",
			Help:        "Attempts per call, for calls made through this collector's Do and DoValue.",
			ConstLabels: cl,
			Buckets:     cfg.AttemptBuckets,
		}, []string{"name"}),
	}
	c.remove = c.reg.OnStateChange(c.onStateChange)
	return c, nil
}

func checkBuckets(field string, b []float64) error {
	if len(b) == 0 {
		return fmt.Errorf("prom: Config.%s is empty (leave it nil for the default)", field)
	}
	for i, v := range b {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("prom: Config.%s[%d] is %v, want a finite number", field, i, v)
		}
		if i > 0 && v <= b[i-1] {
			return fmt.Errorf("prom: Config.%s[%d] is %v, not greater than the bucket before it (%v)", field, i, v, b[i-1])
		}
	}
	return nil
}

// Close stops counting state transitions. The Collector still reports the breakers and
// the transitions counted so far. Close is idempotent.
func (c *Collector) Close() {
	c.mu.Lock()
	remove := c.remove
	c.remove = nil
	c.mu.Unlock()
	if remove != nil {
		remove()
	}
}

func (c *Collector) onStateChange(sc breaker.StateChange) {
	k := transition{name: sc.Name, from: sc.From.String(), to: sc.To.String()}
	c.mu.Lock()
	c.trans[k]++
	c.mu.Unlock()
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		c.state, c.calls, c.failureRate, c.slowRate, c.consecutive, c.nextProbe, c.transitions,
		c.rCalls, c.rAttempts, c.rRetries, c.rSuccesses, c.rExhausted, c.rRate, c.rDelayTotal,
	} {
		ch <- d
	}
	c.delays.Describe(ch)
	c.attempts.Describe(ch)
}

var states = [...]breaker.State{breaker.Closed, breaker.Open, breaker.HalfOpen}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	now := c.now()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	for _, name := range c.reg.Names() {
		b, ok := c.reg.Lookup(name)
		if !ok {
			continue
		}
		st := b.Stats()
		for _, s := range states {
			v := 0.0
			if st.State == s {
				v = 1
			}
			gauge(c.state, v, name, s.String())
		}
		counter(c.calls, float64(st.SuccessfulRequests), name, "success")
		counter(c.calls, float64(st.FailedRequests), name, "failure")
		counter(c.calls, float64(st.SlowRequests), name, "slow")
		counter(c.calls, float64(st.RejectedRequests), name, "rejected")
		counter(c.calls, float64(st.IgnoredRequests), name, "ignored")
		gauge(c.failureRate, st.FailureRate, name)
		gauge(c.slowRate, st.SlowCallRate, name)
		gauge(c.consecutive, float64(st.ConsecutiveFailures), name)
		next := 0.0
		if st.State == breaker.Open && !st.OpenUntil.IsZero() {
			next = max(st.OpenUntil.Sub(now), 0).Seconds()
		}
		gauge(c.nextProbe, next, name)
	}

	c.mu.Lock()
	trans := make([]transition, 0, len(c.trans))
	counts := make(map[transition]float64, len(c.trans))
	for k, v := range c.trans {
		trans = append(trans, k)
		counts[k] = v
	}
	c.mu.Unlock()
	slices.SortFunc(trans, func(a, b transition) int {
		return cmp.Or(cmp.Compare(a.name, b.name), cmp.Compare(a.from, b.from), cmp.Compare(a.to, b.to))
	})
	for _, k := range trans {
		counter(c.transitions, counts[k], k.name, k.from, k.to)
	}

	for _, op := range c.metrics.Snapshot() {
		counter(c.rCalls, float64(op.Calls), op.Name)
		counter(c.rAttempts, float64(op.Attempts), op.Name)
		counter(c.rRetries, float64(op.Retries), op.Name)
		counter(c.rSuccesses, float64(op.SuccessesAfterRetry), op.Name)
		counter(c.rExhausted, float64(op.Exhausted), op.Name)
		gauge(c.rRate, op.RetrySuccessRate, op.Name)
		counter(c.rDelayTotal, op.TotalDelay.Seconds(), op.Name)
	}
	c.delays.Collect(ch)
	c.attempts.Collect(ch)
}

// InstrumentRetry returns cfg with an OnRetry hook that observes each wait in
// resilience_retry_delay_seconds{name=cfg.Name}; an OnRetry already in cfg is still called
// after it. Use it where the call site is not yours to change (a Config handed to a
// library); where it is, [Collector.Do] also observes attempts per call.
func (c *Collector) InstrumentRetry(cfg retry.Config) retry.Config {
	obs := c.delays.WithLabelValues(cfg.Name)
	prev := cfg.OnRetry
	cfg.OnRetry = func(attempt int, err error, delay time.Duration) {
		obs.Observe(delay.Seconds())
		if prev != nil {
			prev(attempt, err, delay)
		}
	}
	return cfg
}

// Do is [retry.Do] that also observes each wait in resilience_retry_delay_seconds and the
// attempts the call took in resilience_retry_call_attempts, both under name=cfg.Name.
func (c *Collector) Do(ctx context.Context, cfg retry.Config, fn func(context.Context) error) error {
	_, err := DoValue(ctx, c, cfg, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fn(ctx)
	})
	return err
}

// DoValue is [retry.DoValue] observed as [Collector.Do] describes.
func DoValue[T any](ctx context.Context, c *Collector, cfg retry.Config, fn func(context.Context) (T, error)) (T, error) {
	var n int
	v, err := retry.DoValue(ctx, c.InstrumentRetry(cfg), func(ctx context.Context) (T, error) {
		n++
		return fn(ctx)
	})
	if n > 0 { // an invalid Config calls fn no time: nothing to observe
		c.attempts.WithLabelValues(cfg.Name).Observe(float64(n))
	}
	return v, err
}
