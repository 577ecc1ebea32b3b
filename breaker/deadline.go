package breaker

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// deadlineCtx is the context a call gets when the breaker has a Timeout. It carries the
// deadline from the start but arms a timer only when something asks for its Done channel:
// a function that never waits on its context costs a clock read and one small allocation
// instead of a timer, a channel and a cancel registration. Once asked, it delegates to a
// context.WithDeadline made then, so children it spawns join the standard context tree and
// need no goroutine.
type deadlineCtx struct {
	parent   context.Context
	deadline time.Time // start + Timeout
	inner    atomic.Pointer[armedCtx]
	mu       sync.Mutex // serialises arming
}

type armedCtx struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func newDeadlineCtx(parent context.Context, timeout time.Duration) *deadlineCtx {
	return &deadlineCtx{parent: parent, deadline: time.Now().Add(timeout)}
}

// armed returns the delegate context, making it on first use.
func (c *deadlineCtx) armed() context.Context {
	if a := c.inner.Load(); a != nil {
		return a.ctx
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if a := c.inner.Load(); a != nil {
		return a.ctx
	}
	ctx, cancel := context.WithDeadline(c.parent, c.deadline)
	c.inner.Store(&armedCtx{ctx: ctx, cancel: cancel})
	return ctx
}

func (c *deadlineCtx) Deadline() (time.Time, bool) {
	if d, ok := c.parent.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

func (c *deadlineCtx) Done() <-chan struct{} { return c.armed().Done() }

func (c *deadlineCtx) Err() error {
	if a := c.inner.Load(); a != nil {
		return a.ctx.Err()
	}
	if c.parent.Err() != nil || !time.Now().Before(c.deadline) {
		return c.armed().Err() // arm, so that Done and Err agree from now on
	}
	return nil
}

func (c *deadlineCtx) Value(key any) any {
	if a := c.inner.Load(); a != nil {
		return a.ctx.Value(key)
	}
	return c.parent.Value(key)
}

// expired reports whether the call ran past its own deadline (not the parent's), and releases
// the timer if one was armed.
func (c *deadlineCtx) finish() (expired bool) {
	if a := c.inner.Load(); a != nil {
		a.cancel()
	}
	return !time.Now().Before(c.deadline)
}

func (c *deadlineCtx) String() string { return "breaker.WithTimeout" }
