package retry

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		give Config
		want string // substring of the error; empty for valid
	}{
		{name: "zero", give: Config{}},
		{name: "presets values", give: Patient},
		{name: "constant delay", give: Config{BackoffFactor: 1}},
		{name: "one attempt", give: Config{MaxAttempts: 1}},
		{name: "MaxDelay equal InitialDelay", give: Config{InitialDelay: time.Second, MaxDelay: time.Second}},
		{name: "JitterFactor 1", give: Config{JitterFactor: 1}},
		{name: "negative MaxAttempts", give: Config{MaxAttempts: -1}, want: "MaxAttempts -1"},
		{name: "negative InitialDelay", give: Config{InitialDelay: -time.Second}, want: "InitialDelay -1s"},
		{name: "negative MaxDelay", give: Config{MaxDelay: -time.Second}, want: "MaxDelay -1s"},
		{name: "BackoffFactor below 1", give: Config{BackoffFactor: 0.5}, want: "BackoffFactor 0.5"},
		{name: "BackoffFactor negative", give: Config{BackoffFactor: -2}, want: "BackoffFactor -2"},
		{name: "BackoffFactor NaN", give: Config{BackoffFactor: math.NaN()}, want: "BackoffFactor NaN"},
		{name: "BackoffFactor Inf", give: Config{BackoffFactor: math.Inf(1)}, want: "BackoffFactor +Inf"},
		{name: "JitterFactor negative", give: Config{JitterFactor: -0.1}, want: "JitterFactor -0.1"},
		{name: "JitterFactor above 1", give: Config{JitterFactor: 1.5}, want: "JitterFactor 1.5"},
		{name: "JitterFactor NaN", give: Config{JitterFactor: math.NaN()}, want: "JitterFactor NaN"},
		{name: "unknown Jitter", give: Config{Jitter: 42}, want: "Jitter 42"},
		{name: "negative Jitter", give: Config{Jitter: -1}, want: "Jitter -1"},
		{name: "negative MaxElapsed", give: Config{MaxElapsed: -time.Second}, want: "MaxElapsed -1s"},
		{name: "negative AttemptTimeout", give: Config{AttemptTimeout: -time.Second}, want: "AttemptTimeout -1s"},
		{name: "MaxDelay below InitialDelay", give: Config{InitialDelay: 2 * time.Second, MaxDelay: time.Second}, want: "MaxDelay 1s is less than InitialDelay 2s"},
		{name: "default MaxDelay below InitialDelay", give: Config{InitialDelay: time.Minute}, want: "MaxDelay 30s is less than InitialDelay 1m0s"},
		{name: "MaxDelay below default InitialDelay", give: Config{MaxDelay: time.Millisecond}, want: "MaxDelay 1ms is less than InitialDelay 100ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.give.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				if !tt.give.fastValid() {
					t.Errorf("fastValid() = false for a valid Config")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tt.want)
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("errors.Is(%v, ErrInvalidConfig) = false", err)
			}
			if tt.give.fastValid() {
				t.Errorf("fastValid() = true for an invalid Config")
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	got := Config{}.withDefaults()
	want := Config{MaxAttempts: 3, InitialDelay: 100 * time.Millisecond, MaxDelay: 30 * time.Second,
		BackoffFactor: 2.0, Jitter: Proportional, JitterFactor: 0.1}
	if got.MaxAttempts != want.MaxAttempts || got.InitialDelay != want.InitialDelay || got.MaxDelay != want.MaxDelay ||
		got.BackoffFactor != want.BackoffFactor || got.Jitter != want.Jitter || got.JitterFactor != want.JitterFactor {
		t.Errorf("Config{}.withDefaults() = %+v, want %+v", got, want)
	}
}

func TestPresets(t *testing.T) {
	tests := []struct {
		name         string
		give         Config
		wantAttempts int
		wantInitial  time.Duration
		wantMax      time.Duration
		wantFactor   float64
	}{
		{"Database", Database, 3, 100 * time.Millisecond, 5 * time.Second, 2.0},
		{"GCS", GCS, 3, 200 * time.Millisecond, 10 * time.Second, 2.0},
		{"HTTP", HTTP, 5, 500 * time.Millisecond, 30 * time.Second, 1.5},
		{"Conservative", Conservative, 3, time.Second, 16 * time.Second, 2.0},
		{"Aggressive", Aggressive, 5, 500 * time.Millisecond, 8 * time.Second, 1.5},
		{"Patient", Patient, 4, 2 * time.Second, 60 * time.Second, 2.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.give
			if c.MaxAttempts != tt.wantAttempts || c.InitialDelay != tt.wantInitial || c.MaxDelay != tt.wantMax || c.BackoffFactor != tt.wantFactor {
				t.Errorf("%s = (%d, %v, %v, %v), want (%d, %v, %v, %v)", tt.name,
					c.MaxAttempts, c.InitialDelay, c.MaxDelay, c.BackoffFactor,
					tt.wantAttempts, tt.wantInitial, tt.wantMax, tt.wantFactor)
			}
			if c.Jitter != Proportional || c.JitterFactor != 0.1 {
				t.Errorf("%s jitter = (%v, %v), want (Proportional, 0.1)", tt.name, c.Jitter, c.JitterFactor)
			}
			if err := c.Validate(); err != nil {
				t.Errorf("%s.Validate() = %v", tt.name, err)
			}
		})
	}
}
