package bearer

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const tok = "0123456789abcdef-._~+/="

func TestCheck(t *testing.T) {
	c := New(tok)
	tests := []struct {
		name string
		give string
		want error
	}{
		{name: "none", give: "", want: ErrMissing},
		{name: "basic", give: "Basic " + tok, want: ErrMissing},
		{name: "scheme only", give: "Bearer", want: ErrMissing},
		{name: "empty token", give: "Bearer   ", want: ErrMissing},
		{name: "wrong", give: "Bearer x" + tok, want: ErrWrong},
		{name: "prefix", give: "Bearer " + tok[:len(tok)-1], want: ErrWrong},
		{name: "right", give: "Bearer " + tok},
		{name: "lower-case scheme", give: "bearer " + tok},
		{name: "surrounding spaces", give: "  Bearer  " + tok + " "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", nil)
			if tt.give != "" {
				r.Header.Set("Authorization", tt.give)
			}
			if got := c.Check(r); !errors.Is(got, tt.want) || (tt.want == nil && got != nil) {
				t.Errorf("Check(%q) = %v, want %v", tt.give, got, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		give    string
		wantErr string
	}{
		{give: tok},
		{give: "", wantErr: "F: token is 0 characters long, want at least 16"},
		{give: "0123456789abcde", wantErr: "F: token is 15 characters long, want at least 16"},
		{give: "0123456789abcdef\x00", wantErr: "not allowed at position 16"},
		{give: "0123456789 abcdef", wantErr: "not allowed at position 10"},
	}
	for _, tt := range tests {
		err := Validate("F", tt.give)
		if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("Validate(%q) = %v, want %q", tt.give, err, tt.wantErr)
		}
	}
}

// FuzzFromHeader: whatever the header, a token found is non-empty, has no surrounding
// space, and only a Bearer header yields one.
func FuzzFromHeader(f *testing.F) {
	for _, s := range []string{"Bearer abc", "bearer  x ", "Basic abc", "", "Bearer", " Bearer\tabc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		got, ok := FromHeader(h)
		if !ok {
			return
		}
		if got == "" || got != strings.TrimSpace(got) {
			t.Fatalf("FromHeader(%q) = %q, want a non-empty trimmed token", h, got)
		}
		if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(h)), "bearer ") {
			t.Fatalf("FromHeader(%q) found a token in a header that is not Bearer", h)
		}
	})
}
