package breaker

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
)

// ErrNotFound is returned (wrapped, naming the breaker) for a name a Registry does not hold.
var ErrNotFound = errors.New("breaker: no such breaker")

// Registry holds breakers by name, so that every part of a program that names a dependency
// shares one breaker for it, and a status page can list them all. It is safe for concurrent
// use. The package-level Get, All and Reset use the Default registry; create your own with
// NewRegistry to keep tests and components apart (dependency injection).
type Registry struct {
	mu        sync.RWMutex
	breakers  map[string]*Breaker
	defaults  Config
	clock     clock
	observers atomic.Pointer[[]*observer]
}

type observer struct{ fn func(StateChange) }

// RegistryOption configures a Registry.
type RegistryOption func(*Registry)

// WithDefaults makes the registry fill the zero fields of each Config passed to Get from cfg
// (before the environment and the built-in defaults). cfg.Name is ignored.
func WithDefaults(cfg Config) RegistryOption {
	return func(r *Registry) { r.defaults = cfg }
}

// NewRegistry returns an empty registry.
func NewRegistry(opts ...RegistryOption) *Registry {
	r := &Registry{breakers: make(map[string]*Breaker), clock: realClock{}}
	for _, o := range opts {
		o(r)
	}
	return r
}

var defaultRegistry = NewRegistry()

// Default returns the registry that the package-level Get, All and Reset use.
func Default() *Registry { return defaultRegistry }

// Get returns the breaker registered under name, creating it from cfg if there is none
// (cfg may be the zero Config; its Name is replaced by name). An existing breaker is returned
// as it is: cfg applies only to the breaker's creation.
func (r *Registry) Get(name string, cfg Config) (*Breaker, error) {
	if name == "" {
		return nil, errors.New("breaker: Registry.Get: empty name")
	}
	r.mu.RLock()
	b := r.breakers[name]
	r.mu.RUnlock()
	if b != nil {
		return b, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if b := r.breakers[name]; b != nil {
		return b, nil
	}
	cfg.Name = name
	b, err := newBreaker(r.withDefaults(cfg), r.clock, r)
	if err != nil {
		return nil, fmt.Errorf("breaker %q: %w", name, err)
	}
	r.breakers[name] = b
	return b, nil
}

func (r *Registry) withDefaults(c Config) Config {
	d := r.defaults
	if c.FailureThreshold == 0 {
		c.FailureThreshold = d.FailureThreshold
	}
	if c.RecoveryTimeout == 0 {
		c.RecoveryTimeout = d.RecoveryTimeout
	}
	if c.SuccessThreshold == 0 {
		c.SuccessThreshold = d.SuccessThreshold
	}
	if c.Timeout == 0 {
		c.Timeout = d.Timeout
	}
	if c.MaxHalfOpenCalls == 0 {
		c.MaxHalfOpenCalls = d.MaxHalfOpenCalls
	}
	if c.FailureRateThreshold == 0 {
		c.FailureRateThreshold = d.FailureRateThreshold
	}
	if c.SlowCallDuration == 0 {
		c.SlowCallDuration = d.SlowCallDuration
	}
	if c.SlowCallRateThreshold == 0 {
		c.SlowCallRateThreshold = d.SlowCallRateThreshold
	}
	if c.WindowSize == 0 {
		c.WindowSize = d.WindowSize
	}
	if c.WindowDuration == 0 {
		c.WindowDuration = d.WindowDuration
	}
	if c.MinimumCalls == 0 {
		c.MinimumCalls = d.MinimumCalls
	}
	if c.MaxRecoveryTimeout == 0 {
		c.MaxRecoveryTimeout = d.MaxRecoveryTimeout
	}
	if c.RecoveryBackoff == 0 {
		c.RecoveryBackoff = d.RecoveryBackoff
	}
	if c.IsFailure == nil {
		c.IsFailure = d.IsFailure
	}
	if c.OnStateChange == nil {
		c.OnStateChange = d.OnStateChange
	}
	c.Disabled = c.Disabled || d.Disabled
	return c
}

// Lookup returns the breaker registered under name, if any.
func (r *Registry) Lookup(name string) (*Breaker, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	b, ok := r.breakers[name]
	return b, ok
}

// All returns a copy of the registry's breakers by name.
func (r *Registry) All() map[string]*Breaker {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return maps.Clone(r.breakers)
}

// Names returns the names of the registry's breakers, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Sorted(maps.Keys(r.breakers))
}

// Reset resets the breaker registered under name. An unknown name is an error matching
// ErrNotFound.
func (r *Registry) Reset(name string) error {
	b, ok := r.Lookup(name)
	if !ok {
		return fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	b.Reset()
	return nil
}

// OnStateChange calls fn after every change of state of every breaker in the registry, those
// there now and those created later, as Config.OnStateChange is called. The returned func
// removes fn.
func (r *Registry) OnStateChange(fn func(StateChange)) (remove func()) {
	o := &observer{fn: fn}
	for {
		old := r.observers.Load()
		var next []*observer
		if old != nil {
			next = slices.Clone(*old)
		}
		next = append(next, o)
		if r.observers.CompareAndSwap(old, &next) {
			break
		}
	}
	return func() {
		for {
			old := r.observers.Load()
			next := slices.DeleteFunc(slices.Clone(*old), func(x *observer) bool { return x == o })
			if r.observers.CompareAndSwap(old, &next) {
				return
			}
		}
	}
}

func (r *Registry) notify(ev StateChange) {
	if obs := r.observers.Load(); obs != nil {
		for _, o := range *obs {
			o.fn(ev)
		}
	}
}

// Get returns the breaker called name from the Default registry, creating it from cfg if
// there is none. See Registry.Get.
func Get(name string, cfg Config) (*Breaker, error) { return defaultRegistry.Get(name, cfg) }

// All returns the Default registry's breakers by name.
func All() map[string]*Breaker { return defaultRegistry.All() }

// Reset resets the breaker called name in the Default registry; an unknown name is an error
// matching ErrNotFound.
func Reset(name string) error { return defaultRegistry.Reset(name) }
