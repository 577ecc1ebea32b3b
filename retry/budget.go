package retry

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// budgetWindow is how long a call's deposit and a retry's withdrawal count (Finagle's TTL).
const (
	budgetSlots     = 10
	budgetSlotWidth = time.Second
	budgetWindow    = budgetSlots * budgetSlotWidth
)

// Budget limits retries across every call that shares it, so that when a dependency fails
// a fleet of clients cannot multiply its load by MaxAttempts (Finagle's RetryBudget, gRPC's
// retry throttling). Over the last 10 seconds, retries may number at most
//
//	ratio × calls + minPerSecond × 10
//
// so a healthy service always has room for a few retries, and an outage adds at most a
// fraction of the normal load. Every call through [Do] (and the other entry points) with
// Config.Budget set deposits one call; every retry withdraws one. A retry the budget
// refuses ends its call with the last error and [ErrBudgetExhausted].
//
// A Budget is safe for concurrent use; share one per dependency, not per call.
type Budget struct {
	ratio        float64
	minPerSecond int64
	now          func() time.Time // the time seam; tests replace it

	mu    sync.Mutex
	start time.Time
	slots [budgetSlots]budgetSlot // requires mu held
}

type budgetSlot struct {
	sec                   int64 // which second since start the counts belong to
	deposits, withdrawals int64
}

// NewBudget returns a Budget that allows retries of up to ratio of the calls (0.1 for 10%)
// plus minPerSecond retries a second whatever the traffic. ratio must be finite and not
// negative, minPerSecond not negative.
func NewBudget(ratio float64, minPerSecond int) (*Budget, error) {
	if math.IsNaN(ratio) || math.IsInf(ratio, 0) || ratio < 0 {
		return nil, fmt.Errorf("%w: Budget ratio %v must be finite and not negative", ErrInvalidConfig, ratio)
	}
	if minPerSecond < 0 {
		return nil, fmt.Errorf("%w: Budget minPerSecond %d must not be negative", ErrInvalidConfig, minPerSecond)
	}
	return &Budget{ratio: ratio, minPerSecond: int64(minPerSecond), now: time.Now}, nil
}

// slot returns the current second's slot, cleared when it last held an older second.
// Requires b.mu held.
func (b *Budget) slot() (*budgetSlot, int64) {
	var now time.Time
	if b.now != nil {
		now = b.now()
	} else {
		now = time.Now() // a zero Budget, made without NewBudget: it allows no retry
	}
	if b.start.IsZero() {
		b.start = now
		for i := range b.slots {
			b.slots[i].sec = -budgetSlots
		}
	}
	sec := int64(now.Sub(b.start) / budgetSlotWidth)
	if sec < 0 {
		sec = 0
	}
	s := &b.slots[sec%budgetSlots]
	if s.sec != sec {
		*s = budgetSlot{sec: sec}
	}
	return s, sec
}

func (b *Budget) deposit() {
	b.mu.Lock()
	s, _ := b.slot()
	s.deposits++
	b.mu.Unlock()
}

// available returns the retries the window allows now. Requires b.mu held.
func (b *Budget) available() int64 {
	_, sec := b.slot()
	var deposits, withdrawals int64
	for i := range b.slots {
		if s := &b.slots[i]; s.sec > sec-budgetSlots {
			deposits += s.deposits
			withdrawals += s.withdrawals
		}
	}
	return int64(b.ratio*float64(deposits)) + b.minPerSecond*budgetSlots - withdrawals
}

func (b *Budget) withdraw() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.available() < 1 {
		return false
	}
	s, _ := b.slot()
	s.withdrawals++
	return true
}

// Available returns how many retries the budget would allow now.
func (b *Budget) Available() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return int(max(b.available(), 0))
}
