package monitor

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/retry"
)

// ErrNotFound is returned for a breaker or retry operation name that the monitor does not
// know. Errors for an unknown breaker also match [breaker.ErrNotFound].
var ErrNotFound = errors.New("monitor: not found")

// Monitor reads the breakers of one registry and the operations of one retry metrics set.
// It holds no state of its own: every read is a fresh look. Safe for concurrent use.
type Monitor struct {
	reg     *breaker.Registry
	metrics *retry.Metrics
}

// New returns a Monitor of reg and metrics. If reg is nil, [breaker.Default] is used; if
// metrics is nil, [retry.DefaultMetrics].
func New(reg *breaker.Registry, metrics *retry.Metrics) *Monitor {
	if reg == nil {
		reg = breaker.Default()
	}
	if metrics == nil {
		metrics = retry.DefaultMetrics()
	}
	return &Monitor{reg: reg, metrics: metrics}
}

// Registry returns the breaker registry the monitor reads.
func (m *Monitor) Registry() *breaker.Registry { return m.reg }

// Metrics returns the retry metrics the monitor reads.
func (m *Monitor) Metrics() *retry.Metrics { return m.metrics }

// Snapshot is the state of every breaker and every retrying operation at one moment.
type Snapshot struct {
	// GeneratedAt is when the snapshot was taken.
	GeneratedAt time.Time `json:"generated_at"`
	// Breakers holds one entry per breaker, sorted by name; never nil.
	Breakers []BreakerStatus `json:"breakers"`
	// Retries holds one entry per retry operation name, sorted by name; never nil.
	Retries []RetryStatus `json:"retries"`
}

// BreakerStatus is one breaker's state and statistics. The request counts are lifetime
// totals; see the package documentation for the JSON form.
type BreakerStatus struct {
	Name  string `json:"name"`
	State string `json:"state" jsonschema:"closed, open or half_open"`

	TotalRequests        int64 `json:"total_requests"`
	SuccessfulRequests   int64 `json:"successful_requests"`
	FailedRequests       int64 `json:"failed_requests"`
	RejectedRequests     int64 `json:"rejected_requests" jsonschema:"calls refused without calling the dependency"`
	IgnoredRequests      int64 `json:"ignored_requests" jsonschema:"errors classified as not the dependency's fault"`
	SlowRequests         int64 `json:"slow_requests"`
	ConsecutiveFailures  int64 `json:"consecutive_failures"`
	ConsecutiveSuccesses int64 `json:"consecutive_successes"`

	FailureRate  float64 `json:"failure_rate" jsonschema:"0..1"`
	SlowCallRate float64 `json:"slow_call_rate" jsonschema:"0..1"`
	WindowCalls  int64   `json:"window_calls"`
	// HalfOpenInFlight is the number of probe calls running now; 0 unless half-open.
	HalfOpenInFlight int `json:"half_open_in_flight"`

	// LastStateChange is when the state last changed; nil if it never did.
	LastStateChange *time.Time `json:"last_state_change,omitempty"`
	// OpenUntil is when an open breaker will admit a probe; nil unless open (and nil for a
	// breaker opened by ForceOpen, which stays open until reset).
	OpenUntil *time.Time `json:"open_until,omitempty"`
	// NextProbeInSeconds is how long until an open breaker admits a probe call; 0 unless open.
	NextProbeInSeconds float64 `json:"next_probe_in_seconds" jsonschema:"seconds until an open breaker admits a probe call; 0 unless open"`
}

// RetryStatus is one retry operation's counts, as [retry.Metrics] records them.
type RetryStatus struct {
	Name                string  `json:"name"`
	Calls               int64   `json:"calls"`
	Attempts            int64   `json:"attempts"`
	Retries             int64   `json:"retries"`
	SuccessesAfterRetry int64   `json:"successes_after_retry"`
	Exhausted           int64   `json:"exhausted" jsonschema:"calls that failed after their last attempt"`
	RetrySuccessRate    float64 `json:"retry_success_rate" jsonschema:"0..1: share of retried calls that succeeded"`
	TotalDelaySeconds   float64 `json:"total_delay_seconds"`
	AverageDelaySeconds float64 `json:"average_delay_seconds"`
}

// Snapshot returns the state of every breaker and every retry operation now.
func (m *Monitor) Snapshot() Snapshot {
	return m.snapshot(time.Now())
}

func (m *Monitor) snapshot(now time.Time) Snapshot {
	return Snapshot{
		GeneratedAt: now.UTC(),
		Breakers:    m.breakers(now),
		Retries:     m.retries(),
	}
}

// Breakers returns the status of every breaker, sorted by name.
func (m *Monitor) Breakers() []BreakerStatus { return m.breakers(time.Now()) }

func (m *Monitor) breakers(now time.Time) []BreakerStatus {
	names := m.reg.Names()
	out := make([]BreakerStatus, 0, len(names))
	for _, name := range names {
		if b, ok := m.reg.Lookup(name); ok {
			out = append(out, breakerStatus(b, now))
		}
	}
	return out
}

// Breaker returns the status of the breaker called name, or an error matching [ErrNotFound]
// and [breaker.ErrNotFound] that lists the known names.
func (m *Monitor) Breaker(name string) (BreakerStatus, error) {
	b, ok := m.reg.Lookup(name)
	if !ok {
		return BreakerStatus{}, m.notFound(name)
	}
	return breakerStatus(b, time.Now()), nil
}

// Reset closes the breaker called name (see [breaker.Breaker.Reset]) and returns its status
// afterwards. An unknown name is an error matching [ErrNotFound] and [breaker.ErrNotFound].
func (m *Monitor) Reset(name string) (BreakerStatus, error) {
	b, ok := m.reg.Lookup(name)
	if !ok {
		return BreakerStatus{}, m.notFound(name)
	}
	b.Reset()
	return breakerStatus(b, time.Now()), nil
}

// Retries returns the counts of every retry operation, sorted by name.
func (m *Monitor) Retries() []RetryStatus { return m.retries() }

// Retry returns the counts of the retry operation called name, or an error matching
// [ErrNotFound] that lists the known names.
func (m *Monitor) Retry(name string) (RetryStatus, error) {
	all := m.retries()
	for _, r := range all {
		if r.Name == name {
			return r, nil
		}
	}
	names := make([]string, len(all))
	for i, r := range all {
		names[i] = r.Name
	}
	return RetryStatus{}, &notFoundError{kind: "retry operation", name: name, known: names}
}

func (m *Monitor) retries() []RetryStatus {
	ops := m.metrics.Snapshot()
	out := make([]RetryStatus, len(ops))
	for i, op := range ops {
		out[i] = retryStatus(op)
	}
	return out
}

func (m *Monitor) notFound(name string) error {
	return &notFoundError{kind: "circuit breaker", name: name, known: m.reg.Names(), breaker: true}
}

// notFoundError names what was asked for and what exists.
type notFoundError struct {
	kind    string
	name    string
	known   []string
	breaker bool
}

func (e *notFoundError) Error() string {
	if len(e.known) == 0 {
		return fmt.Sprintf("%s %q not found (there are none)", e.kind, e.name)
	}
	return fmt.Sprintf("%s %q not found (known: %s)", e.kind, e.name, strings.Join(e.known, ", "))
}

func (e *notFoundError) Is(target error) bool {
	return target == ErrNotFound || (e.breaker && target == breaker.ErrNotFound)
}

func breakerStatus(b *breaker.Breaker, now time.Time) BreakerStatus {
	st := b.Stats()
	s := BreakerStatus{
		Name:                 b.Name(),
		State:                st.State.String(),
		TotalRequests:        st.TotalRequests,
		SuccessfulRequests:   st.SuccessfulRequests,
		FailedRequests:       st.FailedRequests,
		RejectedRequests:     st.RejectedRequests,
		IgnoredRequests:      st.IgnoredRequests,
		SlowRequests:         st.SlowRequests,
		ConsecutiveFailures:  st.ConsecutiveFailures,
		ConsecutiveSuccesses: st.ConsecutiveSuccesses,
		FailureRate:          st.FailureRate,
		SlowCallRate:         st.SlowCallRate,
		WindowCalls:          st.WindowCalls,
		HalfOpenInFlight:     st.HalfOpenInFlight,
	}
	if !st.LastStateChange.IsZero() {
		t := st.LastStateChange.UTC()
		s.LastStateChange = &t
	}
	if st.State == breaker.Open && !st.OpenUntil.IsZero() {
		t := st.OpenUntil.UTC()
		s.OpenUntil = &t
		s.NextProbeInSeconds = max(st.OpenUntil.Sub(now), 0).Seconds()
	}
	return s
}

func retryStatus(op retry.OperationStats) RetryStatus {
	return RetryStatus{
		Name:                op.Name,
		Calls:               op.Calls,
		Attempts:            op.Attempts,
		Retries:             op.Retries,
		SuccessesAfterRetry: op.SuccessesAfterRetry,
		Exhausted:           op.Exhausted,
		RetrySuccessRate:    op.RetrySuccessRate,
		TotalDelaySeconds:   op.TotalDelay.Seconds(),
		AverageDelaySeconds: op.AverageDelay.Seconds(),
	}
}
