package breaker

import (
	"runtime"
	"sync/atomic"
	_ "unsafe" // for go:linkname
)

// The lifetime counters are adders in the manner of Java's LongAdder: one word per outcome
// while the breaker is used by one goroutine at a time, and a cache line per processor once
// two goroutines collide on it, so that calls on different CPUs never write the same line.

// procPin pins the goroutine to its P and returns the P's id. It is the runtime's own helper
// (sync.Pool uses it); the runtime keeps its signature for the packages that link to it.
//
//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()

type outcome int

const (
	success outcome = iota
	failure
	rejected
	ignored
	slow
	nOutcomes
)

// cell is one processor's counters, padded to its own pair of cache lines (adjacent-line
// prefetchers fetch lines in pairs).
type cell struct {
	n [nOutcomes]atomic.Int64
	_ [128 - nOutcomes*8]byte
}

type counters struct {
	base  [nOutcomes]atomic.Int64
	cells atomic.Pointer[[]cell]
}

// add adds one to the counter of outcome o.
func (c *counters) add(o outcome) {
	if cells := c.cells.Load(); cells != nil {
		c.addCell(*cells, o)
		return
	}
	v := c.base[o].Load()
	if c.base[o].CompareAndSwap(v, v+1) {
		return
	}
	c.addCell(c.grow(), o)
}

func (c *counters) addCell(cells []cell, o outcome) {
	p := procPin()
	procUnpin()
	cells[p&(len(cells)-1)].n[o].Add(1)
}

// grow installs the per-processor cells after a collision on a base counter.
func (c *counters) grow() []cell {
	n := 1
	for n < runtime.GOMAXPROCS(0) {
		n <<= 1
	}
	cells := make([]cell, n)
	if c.cells.CompareAndSwap(nil, &cells) {
		return cells
	}
	return *c.cells.Load()
}

// load returns the total of outcome o.
func (c *counters) load(o outcome) int64 {
	n := c.base[o].Load()
	if cells := c.cells.Load(); cells != nil {
		for i := range *cells {
			n += (*cells)[i].n[o].Load()
		}
	}
	return n
}
