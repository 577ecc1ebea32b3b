package breaker

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// Built-in defaults, used when neither the Config field nor its environment variable is set.
const (
	DefaultFailureThreshold = 5
	DefaultRecoveryTimeout  = 60 * time.Second
	DefaultSuccessThreshold = 3
	DefaultTimeout          = 30 * time.Second
	// DefaultName names a breaker whose Config has no Name.
	DefaultName = "default"
)

// NoTimeout, as Config.Timeout, turns the per-call timeout off.
const NoTimeout time.Duration = -1

// Environment variables that supply defaults for zero Config fields. An empty variable counts as
// unset; any other value that does not parse or is out of range makes New fail with an error
// naming the variable and the value.
const (
	EnvFailureThreshold = "CIRCUIT_BREAKER_FAILURE_THRESHOLD" // integer >= 1
	EnvRecoveryTimeout  = "CIRCUIT_BREAKER_RECOVERY_TIMEOUT"  // seconds (may be fractional, "60.0") or a Go duration ("1m")
	EnvSuccessThreshold = "CIRCUIT_BREAKER_SUCCESS_THRESHOLD" // integer >= 1
	EnvTimeout          = "CIRCUIT_BREAKER_TIMEOUT"           // seconds or a Go duration; "none" turns it off
)

// Config configures a Breaker. The zero value works: each zero field takes its environment
// default, else its built-in default. Priority: field > environment > built-in.
//
// The first five fields are the specification's parameters. Every field after them adds
// behaviour beyond it and is off at its zero value, so a Config holding only the five
// parameters behaves exactly as the specification says.
type Config struct {
	// Name identifies the breaker in errors, stats and notifications. If empty, "default".
	Name string
	// FailureThreshold is the number of consecutive failures that opens a closed breaker.
	// If zero, CIRCUIT_BREAKER_FAILURE_THRESHOLD, else 5.
	FailureThreshold int
	// RecoveryTimeout is how long an open breaker rejects calls before it turns half-open.
	// If zero, CIRCUIT_BREAKER_RECOVERY_TIMEOUT, else 60s.
	RecoveryTimeout time.Duration
	// SuccessThreshold is the number of consecutive successful probes that closes a half-open
	// breaker. If zero, CIRCUIT_BREAKER_SUCCESS_THRESHOLD, else 3.
	SuccessThreshold int
	// Timeout bounds each call: fn's context expires after it, and a call that runs past it
	// counts as a failure and returns an error matching context.DeadlineExceeded.
	// If zero, CIRCUIT_BREAKER_TIMEOUT, else 30s. NoTimeout turns it off.
	Timeout time.Duration

	// MaxHalfOpenCalls is the number of probe calls a half-open breaker admits at once; further
	// calls get ErrOpen. If zero, SuccessThreshold. It may be smaller than SuccessThreshold
	// (probes then run in turns) or larger.
	MaxHalfOpenCalls int

	// FailureRateThreshold opens a closed breaker when the failure rate over the sliding window
	// reaches it, once the window holds MinimumCalls calls: 0.5 means 50%. Zero turns it off.
	// It works beside FailureThreshold: whichever trips first opens the breaker.
	FailureRateThreshold float64
	// SlowCallDuration is the duration above which a call counts as slow (successful or not).
	// Zero turns slow-call detection off (no clock is read per call).
	SlowCallDuration time.Duration
	// SlowCallRateThreshold opens a closed breaker when the share of slow calls over the window
	// reaches it, once the window holds MinimumCalls calls. Zero turns it off.
	SlowCallRateThreshold float64
	// WindowSize is the number of most recent calls the count-based sliding window holds.
	// If zero and a rate is used, 100. Ignored when WindowDuration is set.
	WindowSize int
	// WindowDuration, when positive, makes the sliding window time-based: it holds the calls
	// of the last WindowDuration (in ten buckets).
	WindowDuration time.Duration
	// MinimumCalls is the number of calls the window must hold before a rate is judged.
	// If zero, 10 (or WindowSize when that is smaller).
	MinimumCalls int

	// MaxRecoveryTimeout, when larger than RecoveryTimeout, makes the open duration grow
	// after each failed recovery (a probe failing in half-open): RecoveryTimeout times
	// RecoveryBackoff per consecutive reopening, up to MaxRecoveryTimeout. A successful
	// recovery or Reset starts again from RecoveryTimeout. Zero turns growth off.
	MaxRecoveryTimeout time.Duration
	// RecoveryBackoff is the growth factor of the open duration. If zero, 2.
	RecoveryBackoff float64

	// IsFailure classifies a non-nil error returned by fn: true counts it as a failure of the
	// dependency, false as neutral (counted in IgnoredRequests and in nothing else). If nil,
	// every error is a failure except context.Canceled. Whatever IsFailure says, an error
	// from a call whose caller's context was done is neutral, and a call that runs past
	// Timeout is a failure.
	IsFailure func(err error) bool

	// OnStateChange is called after every change of state, after the breaker's lock is
	// released, in the order of the changes, on the goroutine that caused the change (or the
	// recovery timer's). It may call the breaker's methods.
	OnStateChange func(StateChange)

	// Disabled makes the breaker admit every call whatever its state, while still counting
	// (Stats stay accurate). Use it to observe a new breaker before letting it act.
	Disabled bool
}

// StateChange describes one change of state, delivered to OnStateChange hooks.
type StateChange struct {
	Name     string
	From, To State
	// Reason says why in words, for example "5 consecutive failures" or "reset".
	Reason string
	At     time.Time
}

// resolve fills zero fields from the environment and the built-in defaults, then validates.
func (c Config) resolve() (Config, error) {
	if c.Name == "" {
		c.Name = DefaultName
	}
	var err error
	if c.FailureThreshold == 0 {
		if c.FailureThreshold, err = envInt(EnvFailureThreshold, DefaultFailureThreshold); err != nil {
			return c, err
		}
	}
	if c.RecoveryTimeout == 0 {
		if c.RecoveryTimeout, err = envSeconds(EnvRecoveryTimeout, DefaultRecoveryTimeout, false); err != nil {
			return c, err
		}
	}
	if c.SuccessThreshold == 0 {
		if c.SuccessThreshold, err = envInt(EnvSuccessThreshold, DefaultSuccessThreshold); err != nil {
			return c, err
		}
	}
	if c.Timeout == 0 {
		if c.Timeout, err = envSeconds(EnvTimeout, DefaultTimeout, true); err != nil {
			return c, err
		}
	}
	if c.MaxHalfOpenCalls == 0 {
		c.MaxHalfOpenCalls = c.SuccessThreshold
	}
	if c.windowed() {
		if c.WindowSize == 0 {
			c.WindowSize = 100
		}
		if c.MinimumCalls == 0 {
			c.MinimumCalls = 10
			if c.WindowDuration == 0 && c.WindowSize < 10 {
				c.MinimumCalls = c.WindowSize
			}
		}
	}
	if c.MaxRecoveryTimeout > 0 && c.RecoveryBackoff == 0 {
		c.RecoveryBackoff = 2
	}
	return c, c.validate()
}

// windowed reports whether the configuration needs a sliding window.
func (c Config) windowed() bool {
	return c.FailureRateThreshold != 0 || c.SlowCallRateThreshold != 0 || c.WindowSize != 0 || c.WindowDuration != 0
}

func (c Config) validate() error {
	switch {
	case c.FailureThreshold < 1 || c.FailureThreshold > maxCount:
		return fieldErr("FailureThreshold", c.FailureThreshold, fmt.Sprintf("must be from 1 to %d", maxCount))
	case c.RecoveryTimeout < 0:
		return fieldErr("RecoveryTimeout", c.RecoveryTimeout, "must not be negative")
	case c.SuccessThreshold < 1 || c.SuccessThreshold > maxCount:
		return fieldErr("SuccessThreshold", c.SuccessThreshold, fmt.Sprintf("must be from 1 to %d", maxCount))
	case c.Timeout < 0 && c.Timeout != NoTimeout:
		return fieldErr("Timeout", c.Timeout, "must be positive, or NoTimeout")
	case c.MaxHalfOpenCalls < 1 || c.MaxHalfOpenCalls > maxCount:
		return fieldErr("MaxHalfOpenCalls", c.MaxHalfOpenCalls, fmt.Sprintf("must be from 1 to %d", maxCount))
	case !rate(c.FailureRateThreshold):
		return fieldErr("FailureRateThreshold", c.FailureRateThreshold, "must be between 0 and 1 (0.5 is 50%)")
	case c.SlowCallDuration < 0:
		return fieldErr("SlowCallDuration", c.SlowCallDuration, "must not be negative")
	case !rate(c.SlowCallRateThreshold):
		return fieldErr("SlowCallRateThreshold", c.SlowCallRateThreshold, "must be between 0 and 1 (0.5 is 50%)")
	case c.SlowCallRateThreshold > 0 && c.SlowCallDuration == 0:
		return fieldErr("SlowCallDuration", c.SlowCallDuration, "must be set when SlowCallRateThreshold is")
	case c.WindowSize < 0 || c.WindowSize > maxCount:
		return fieldErr("WindowSize", c.WindowSize, fmt.Sprintf("must be from 0 to %d", maxCount))
	case c.WindowDuration < 0:
		return fieldErr("WindowDuration", c.WindowDuration, "must not be negative")
	case c.MinimumCalls < 0:
		return fieldErr("MinimumCalls", c.MinimumCalls, "must not be negative")
	case c.WindowDuration == 0 && c.MinimumCalls > c.WindowSize && c.windowed():
		return fieldErr("MinimumCalls", c.MinimumCalls, fmt.Sprintf("must not exceed WindowSize (%d)", c.WindowSize))
	case c.MaxRecoveryTimeout < 0:
		return fieldErr("MaxRecoveryTimeout", c.MaxRecoveryTimeout, "must not be negative")
	case c.MaxRecoveryTimeout > 0 && c.MaxRecoveryTimeout < c.RecoveryTimeout:
		return fieldErr("MaxRecoveryTimeout", c.MaxRecoveryTimeout, fmt.Sprintf("must not be below RecoveryTimeout (%s)", c.RecoveryTimeout))
	case c.RecoveryBackoff != 0 && !(c.RecoveryBackoff >= 1 && c.RecoveryBackoff <= 1e6):
		return fieldErr("RecoveryBackoff", c.RecoveryBackoff, "must be at least 1")
	}
	return nil
}

func rate(f float64) bool { return f >= 0 && f <= 1 }

func fieldErr(field string, v any, why string) error {
	return fmt.Errorf("breaker: Config.%s = %v: %s", field, v, why)
}

// envInt reads a positive integer from the environment variable name, or returns def when it is
// unset or empty.
func envInt(name string, def int) (int, error) {
	s, ok := lookupEnv(name)
	if !ok {
		return def, nil
	}
	return parseCount(name, s)
}

func envSeconds(name string, def time.Duration, noneAllowed bool) (time.Duration, error) {
	s, ok := lookupEnv(name)
	if !ok {
		return def, nil
	}
	if noneAllowed && strings.EqualFold(s, "none") {
		return NoTimeout, nil
	}
	return parseSeconds(name, s)
}

func lookupEnv(name string) (string, bool) {
	s := strings.TrimSpace(os.Getenv(name))
	return s, s != ""
}

const maxCount = 1 << 30

// parseCount parses an integer setting between 1 and 2^30.
func parseCount(name, s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxCount {
		return 0, fmt.Errorf("breaker: %s=%q: want a whole number from 1 to %d", name, s, maxCount)
	}
	return n, nil
}

// maxSeconds bounds a duration setting so that it fits a time.Duration with room to spare.
const maxSeconds = 100 * 365 * 24 * 3600

// parseSeconds parses a positive duration given in seconds ("60", "0.5") or as a Go duration
// ("1m30s").
func parseSeconds(name, s string) (time.Duration, error) {
	bad := fmt.Errorf("breaker: %s=%q: want a positive number of seconds (like 30 or 0.5) or a duration (like 1m30s)", name, s)
	f, err := strconv.ParseFloat(s, 64)
	if err == nil {
		if math.IsNaN(f) || f <= 0 || f > maxSeconds {
			return 0, bad
		}
		d := time.Duration(f * float64(time.Second))
		if d <= 0 {
			return 0, bad
		}
		return d, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 || d > maxSeconds*time.Second {
		return 0, bad
	}
	return d, nil
}
