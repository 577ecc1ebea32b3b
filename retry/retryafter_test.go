package retry

import (
	"strings"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)
	tests := []struct {
		give    string
		want    time.Duration
		wantErr string
	}{
		{give: "120", want: 2 * time.Minute},
		{give: "0", want: 0},
		{give: " 5 ", want: 5 * time.Second},
		{give: "Wed, 21 Oct 2015 07:28:30 GMT", want: 30 * time.Second},
		{give: "Wednesday, 21-Oct-15 07:29:00 GMT", want: time.Minute},
		{give: "Wed Oct 21 07:28:10 2015", want: 10 * time.Second},
		{give: "Wed, 21 Oct 2015 07:00:00 GMT", want: 0}, // in the past
		{give: "", wantErr: "empty"},
		{give: "-1", wantErr: `"-1"`},
		{give: "1.5", wantErr: `"1.5"`},
		{give: "soon", wantErr: `"soon"`},
		{give: "99999999999999999999", wantErr: "out of range"},
		{give: "2015-10-21T07:28:00Z", wantErr: "neither"},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			got, err := ParseRetryAfter(tt.give, now)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseRetryAfter(%q) = %v, %v; want an error containing %q", tt.give, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v", tt.give, got, err, tt.want)
			}
		})
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"120", "0", "Wed, 21 Oct 2015 07:28:00 GMT", "Wednesday, 21-Oct-15 07:28:00 GMT",
		"Wed Oct 21 07:28:00 2015", "", "-1", "9223372036", "9223372037"} {
		f.Add(s)
	}
	now := time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, h string) {
		d, err := ParseRetryAfter(h, now)
		if err != nil {
			if d != 0 {
				t.Fatalf("ParseRetryAfter(%q) = %v with error %v; want 0", h, d, err)
			}
			return
		}
		if d < 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v, want >= 0", h, d)
		}
	})
}
