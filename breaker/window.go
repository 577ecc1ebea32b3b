package breaker

import "time"

// window is the sliding window behind the failure and slow-call rates: the last size calls
// (count-based) or the calls of the last span (time-based, in timeBuckets buckets).
// All methods require the breaker's mu held.
type window struct {
	// count-based
	ring  []byte // each entry: failed | slowBit; len(ring) is the window size
	pos   int
	count int

	// time-based
	buckets []bucket
	span    time.Duration // of one bucket
	origin  time.Time

	calls, fails, slows int64 // totals over the window (count-based only)
}

const (
	failedBit byte = 1
	slowBit   byte = 2
)

const timeBuckets = 10

type bucket struct {
	idx                 int64 // which span since origin this bucket holds
	calls, fails, slows int64
}

func newWindow(cfg Config, now time.Time) *window {
	if cfg.WindowDuration > 0 {
		span := cfg.WindowDuration / timeBuckets
		if span <= 0 {
			span = 1
		}
		w := &window{buckets: make([]bucket, timeBuckets), span: span, origin: now}
		w.reset(now)
		return w
	}
	return &window{ring: make([]byte, cfg.WindowSize)}
}

func (w *window) reset(now time.Time) {
	if w.buckets != nil {
		w.origin = now
		for i := range w.buckets {
			w.buckets[i] = bucket{idx: -1}
		}
		return
	}
	clear(w.ring)
	w.pos, w.count, w.calls, w.fails, w.slows = 0, 0, 0, 0, 0
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (w *window) record(now time.Time, failed, slow bool) {
	if w.buckets != nil {
		idx := int64(now.Sub(w.origin) / w.span)
		if idx < 0 {
			idx = 0
		}
		bk := &w.buckets[idx%timeBuckets]
		if bk.idx != idx {
			*bk = bucket{idx: idx}
		}
		bk.calls++
		bk.fails += b2i(failed)
		bk.slows += b2i(slow)
		return
	}
	var e byte
	if failed {
		e |= failedBit
	}
	if slow {
		e |= slowBit
	}
	if w.count == len(w.ring) {
		old := w.ring[w.pos]
		w.fails -= int64(old & failedBit)
		w.slows -= int64(old&slowBit) >> 1
	} else {
		w.count++
		w.calls++
	}
	w.ring[w.pos] = e
	w.fails += b2i(failed)
	w.slows += b2i(slow)
	w.pos++
	if w.pos == len(w.ring) {
		w.pos = 0
	}
}

// totals returns the calls, failures and slow calls in the window at now.
func (w *window) totals(now time.Time) (calls, fails, slows int64) {
	if w.buckets == nil {
		return w.calls, w.fails, w.slows
	}
	cur := int64(now.Sub(w.origin) / w.span)
	for _, bk := range w.buckets {
		if bk.idx >= 0 && bk.idx > cur-timeBuckets && bk.idx <= cur {
			calls += bk.calls
			fails += bk.fails
			slows += bk.slows
		}
	}
	return calls, fails, slows
}

// rates returns the failure and slow-call rates over the window (0 when it is empty).
func (w *window) rates(now time.Time) (calls int64, failRate, slowRate float64) {
	calls, fails, slows := w.totals(now)
	if calls == 0 {
		return 0, 0, 0
	}
	return calls, float64(fails) / float64(calls), float64(slows) / float64(calls)
}
