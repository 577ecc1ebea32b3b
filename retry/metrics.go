package retry

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Metrics counts calls per operation name (Config.Name). It is safe for concurrent use, and
// recording into it costs no allocation: each name's counters are atomics found through a
// copy-on-write map. The zero value is ready to use.
type Metrics struct {
	mu  sync.Mutex                          // serialises adding a name
	ops atomic.Pointer[map[string]*opStats] // replaced, never changed, under mu
	// recent remembers the last entry looked up, per name length (mod 8), so that a
	// program's few names are found without hashing.
	recent [8]atomic.Pointer[opStats]
}

// OperationStats is a snapshot of one operation's counts.
type OperationStats struct {
	// Name is the operation's Config.Name.
	Name string
	// Calls is how many calls (Do, DoValue, ...) ended.
	Calls int64
	// Attempts is how many times fn was called, first attempts included.
	Attempts int64
	// Retries is how many attempts were retries: Attempts - Calls.
	Retries int64
	// SuccessesAfterRetry is how many calls succeeded after at least one retry.
	SuccessesAfterRetry int64
	// Exhausted is how many calls failed after using all their attempts, or because their
	// Budget or MaxElapsed allowed no further retry.
	Exhausted int64
	// TotalDelay is the sum of all completed waits between attempts.
	TotalDelay time.Duration
	// AverageDelay is TotalDelay / Retries; 0 when there were no retries.
	AverageDelay time.Duration
	// RetrySuccessRate is SuccessesAfterRetry divided by the calls that retried at least
	// once; 0 when none did.
	RetrySuccessRate float64
}

type opStats struct {
	name                                                                     string
	calls, retries, retriedCalls, successesAfterRetry, exhausted, totalDelay atomic.Int64
}

func (s *opStats) record(attempts int, waited time.Duration, ok, exhausted bool) {
	s.calls.Add(1)
	if attempts > 1 {
		s.retries.Add(int64(attempts - 1))
		s.retriedCalls.Add(1)
		s.totalDelay.Add(int64(waited))
		if ok {
			s.successesAfterRetry.Add(1)
		}
	}
	if exhausted {
		s.exhausted.Add(1)
	}
}

var defaultMetrics Metrics

// NewMetrics returns an empty Metrics, for a Config.Metrics kept apart from the default.
func NewMetrics() *Metrics { return &Metrics{} }

// DefaultMetrics returns the Metrics that calls record into when Config.Metrics is nil.
func DefaultMetrics() *Metrics { return &defaultMetrics }

// stats returns the counters c records into, or nil when c has no Name.
func (c *Config) stats() *opStats {
	if c.Name == "" {
		return nil
	}
	m := c.Metrics
	if m == nil {
		m = &defaultMetrics
	}
	return m.entry(c.Name)
}

func (m *Metrics) entry(name string) *opStats {
	recent := &m.recent[len(name)&7]
	if s := recent.Load(); s != nil && s.name == name {
		return s
	}
	if p := m.ops.Load(); p != nil {
		if s := (*p)[name]; s != nil {
			recent.Store(s)
			return s
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.ops.Load()
	if old != nil {
		if s := (*old)[name]; s != nil {
			return s
		}
	}
	next := make(map[string]*opStats, 1+lenMap(old))
	if old != nil {
		for k, v := range *old {
			next[k] = v
		}
	}
	// The name is kept as given (not cloned): a Config's Name is usually one string used by
	// every call, and comparing it with itself is then a pointer comparison.
	s := &opStats{name: name}
	next[s.name] = s
	m.ops.Store(&next)
	return s
}

func lenMap(p *map[string]*opStats) int {
	if p == nil {
		return 0
	}
	return len(*p)
}

// Snapshot returns the counts of every operation that has recorded a call since the last
// Reset, sorted by Name.
func (m *Metrics) Snapshot() []OperationStats {
	p := m.ops.Load()
	if p == nil {
		return nil
	}
	out := make([]OperationStats, 0, len(*p))
	for name, s := range *p {
		calls := s.calls.Load()
		if calls == 0 {
			continue
		}
		st := OperationStats{
			Name:                name,
			Calls:               calls,
			Retries:             s.retries.Load(),
			SuccessesAfterRetry: s.successesAfterRetry.Load(),
			Exhausted:           s.exhausted.Load(),
			TotalDelay:          time.Duration(s.totalDelay.Load()),
		}
		st.Attempts = st.Calls + st.Retries
		if st.Retries > 0 {
			st.AverageDelay = st.TotalDelay / time.Duration(st.Retries)
		}
		if retried := s.retriedCalls.Load(); retried > 0 {
			st.RetrySuccessRate = float64(st.SuccessesAfterRetry) / float64(retried)
		}
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b OperationStats) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Reset sets every count to zero. Calls that are running while it runs may be partly
// counted.
func (m *Metrics) Reset() {
	p := m.ops.Load()
	if p == nil {
		return
	}
	for _, s := range *p {
		s.calls.Store(0)
		s.retries.Store(0)
		s.retriedCalls.Store(0)
		s.successesAfterRetry.Store(0)
		s.exhausted.Store(0)
		s.totalDelay.Store(0)
	}
}
