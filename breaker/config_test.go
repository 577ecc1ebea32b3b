package breaker

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestConfigPriority(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		give Config
		want Config
	}{
		{
			name: "built-in defaults",
			want: Config{Name: "default", FailureThreshold: 5, RecoveryTimeout: 60 * time.Second, SuccessThreshold: 3, Timeout: 30 * time.Second, MaxHalfOpenCalls: 3},
		},
		{
			name: "environment over built-in",
			env:  map[string]string{EnvFailureThreshold: "7", EnvRecoveryTimeout: "12.5", EnvSuccessThreshold: "2", EnvTimeout: "1m"},
			want: Config{Name: "default", FailureThreshold: 7, RecoveryTimeout: 12500 * time.Millisecond, SuccessThreshold: 2, Timeout: time.Minute, MaxHalfOpenCalls: 2},
		},
		{
			name: "field over environment",
			env:  map[string]string{EnvFailureThreshold: "7", EnvRecoveryTimeout: "12.5", EnvSuccessThreshold: "2", EnvTimeout: "5"},
			give: Config{Name: "db", FailureThreshold: 3, RecoveryTimeout: time.Second, SuccessThreshold: 1, Timeout: NoTimeout},
			want: Config{Name: "db", FailureThreshold: 3, RecoveryTimeout: time.Second, SuccessThreshold: 1, Timeout: NoTimeout, MaxHalfOpenCalls: 1},
		},
		{
			name: "empty variable is unset",
			env:  map[string]string{EnvFailureThreshold: "", EnvTimeout: "  "},
			want: Config{Name: "default", FailureThreshold: 5, RecoveryTimeout: 60 * time.Second, SuccessThreshold: 3, Timeout: 30 * time.Second, MaxHalfOpenCalls: 3},
		},
		{
			name: "timeout none",
			env:  map[string]string{EnvTimeout: "none"},
			want: Config{Name: "default", FailureThreshold: 5, RecoveryTimeout: 60 * time.Second, SuccessThreshold: 3, Timeout: NoTimeout, MaxHalfOpenCalls: 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{EnvFailureThreshold, EnvRecoveryTimeout, EnvSuccessThreshold, EnvTimeout} {
				t.Setenv(k, tt.env[k])
			}
			b, err := New(tt.give)
			if err != nil {
				t.Fatalf("New(%+v) = %v", tt.give, err)
			}
			if got := b.Config(); fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", tt.want) {
				t.Errorf("Config() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestConfigEnvReadAtCreation(t *testing.T) {
	t.Setenv(EnvFailureThreshold, "2")
	r := NewRegistry()
	a, _ := r.Get("a", Config{})
	t.Setenv(EnvFailureThreshold, "9")
	b, _ := r.Get("b", Config{})
	if a.Config().FailureThreshold != 2 || b.Config().FailureThreshold != 9 {
		t.Errorf("thresholds = %d, %d; want 2, 9", a.Config().FailureThreshold, b.Config().FailureThreshold)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		give Config
		want string // substring of the error
	}{
		{"env not a number", map[string]string{EnvFailureThreshold: "five"}, Config{}, `CIRCUIT_BREAKER_FAILURE_THRESHOLD="five"`},
		{"env zero", map[string]string{EnvSuccessThreshold: "0"}, Config{}, `CIRCUIT_BREAKER_SUCCESS_THRESHOLD="0"`},
		{"env negative", map[string]string{EnvFailureThreshold: "-1"}, Config{}, `CIRCUIT_BREAKER_FAILURE_THRESHOLD="-1"`},
		{"env fraction for count", map[string]string{EnvFailureThreshold: "2.5"}, Config{}, `CIRCUIT_BREAKER_FAILURE_THRESHOLD="2.5"`},
		{"env seconds garbage", map[string]string{EnvRecoveryTimeout: "soon"}, Config{}, `CIRCUIT_BREAKER_RECOVERY_TIMEOUT="soon"`},
		{"env seconds negative", map[string]string{EnvRecoveryTimeout: "-3"}, Config{}, `CIRCUIT_BREAKER_RECOVERY_TIMEOUT="-3"`},
		{"env seconds NaN", map[string]string{EnvTimeout: "NaN"}, Config{}, `CIRCUIT_BREAKER_TIMEOUT="NaN"`},
		{"env seconds Inf", map[string]string{EnvTimeout: "+Inf"}, Config{}, `CIRCUIT_BREAKER_TIMEOUT="+Inf"`},
		{"env seconds zero", map[string]string{EnvTimeout: "0"}, Config{}, `CIRCUIT_BREAKER_TIMEOUT="0"`},
		{"env ignored when field set", map[string]string{EnvTimeout: "bad"}, Config{Timeout: time.Second, FailureThreshold: -1}, `Config.FailureThreshold = -1`},
		{"negative threshold", nil, Config{FailureThreshold: -2}, "Config.FailureThreshold = -2"},
		{"negative recovery", nil, Config{RecoveryTimeout: -time.Second}, "Config.RecoveryTimeout = -1s"},
		{"negative timeout", nil, Config{Timeout: -2 * time.Second}, "Config.Timeout = -2s"},
		{"rate above one", nil, Config{FailureRateThreshold: 50}, "Config.FailureRateThreshold = 50"},
		{"slow rate without duration", nil, Config{SlowCallRateThreshold: 0.5}, "Config.SlowCallDuration = 0s"},
		{"minimum above window", nil, Config{FailureRateThreshold: 0.5, WindowSize: 5, MinimumCalls: 6}, "Config.MinimumCalls = 6"},
		{"cap below recovery", nil, Config{RecoveryTimeout: time.Minute, MaxRecoveryTimeout: time.Second}, "Config.MaxRecoveryTimeout = 1s"},
		{"backoff below one", nil, Config{MaxRecoveryTimeout: time.Hour, RecoveryBackoff: 0.5}, "Config.RecoveryBackoff = 0.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{EnvFailureThreshold, EnvRecoveryTimeout, EnvSuccessThreshold, EnvTimeout} {
				t.Setenv(k, tt.env[k])
			}
			_, err := New(tt.give)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New(%+v) = %v, want an error containing %q", tt.give, err, tt.want)
			}
		})
	}
}

func FuzzParseSeconds(f *testing.F) {
	for _, s := range []string{"60", "60.0", "0.5", "1m30s", "-1", "NaN", "1e300", "0x10", "", "none", "9223372036"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseSeconds("X", s)
		if err != nil {
			if !strings.Contains(err.Error(), "X=") {
				t.Fatalf("parseSeconds(%q) error %q does not name the variable", s, err)
			}
			return
		}
		if d <= 0 || d > maxSeconds*time.Second {
			t.Fatalf("parseSeconds(%q) = %v, out of range", s, d)
		}
	})
}

func FuzzParseCount(f *testing.F) {
	for _, s := range []string{"5", "0", "-1", "1073741824", "1073741825", "2.5", "+3", " 4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseCount("X", s)
		if err != nil {
			if !strings.Contains(err.Error(), "X=") {
				t.Fatalf("parseCount(%q) error %q does not name the variable", s, err)
			}
			return
		}
		if n < 1 || n > maxCount {
			t.Fatalf("parseCount(%q) = %d, out of range", s, n)
		}
	})
}
