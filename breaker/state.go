package breaker

import "fmt"

// State is a breaker's position in its state machine.
type State int32

const (
	// Closed lets every call through and counts failures.
	Closed State = iota
	// Open rejects every call with ErrOpen until RecoveryTimeout has passed.
	Open
	// HalfOpen admits a limited number of probe calls to test whether the dependency recovered.
	HalfOpen
)

// String returns "closed", "open" or "half_open".
func (s State) String() string {
	switch s {
	case Closed:
		return "closed"
	case Open:
		return "open"
	case HalfOpen:
		return "half_open"
	}
	return fmt.Sprintf("State(%d)", int32(s))
}

// MarshalText encodes the state as its String form, so JSON shows "open", not 1.
func (s State) MarshalText() ([]byte, error) {
	switch s {
	case Closed, Open, HalfOpen:
		return []byte(s.String()), nil
	}
	return nil, fmt.Errorf("breaker: invalid state %d", int32(s))
}

// UnmarshalText decodes "closed", "open" or "half_open".
func (s *State) UnmarshalText(b []byte) error {
	switch string(b) {
	case "closed":
		*s = Closed
	case "open":
		*s = Open
	case "half_open":
		*s = HalfOpen
	default:
		return fmt.Errorf("breaker: invalid state %q (want closed, open or half_open)", b)
	}
	return nil
}
