package mcptools

import (
	"net"
	"strings"
	"testing"
)

func TestResolveAddr(t *testing.T) {
	tests := []struct {
		give         string
		want         string
		wantLoopback bool
	}{
		{give: "", want: DefaultAddr, wantLoopback: true},
		{give: ":9000", want: "127.0.0.1:9000", wantLoopback: true},
		{give: "localhost:9000", want: "localhost:9000", wantLoopback: true},
		{give: "127.0.0.2:9000", want: "127.0.0.2:9000", wantLoopback: true},
		{give: "[::1]:9000", want: "[::1]:9000", wantLoopback: true},
		{give: "0.0.0.0:9000", want: "0.0.0.0:9000"},
		{give: "[::]:9000", want: "[::]:9000"},
		{give: "10.0.0.1:9000", want: "10.0.0.1:9000"},
		{give: "localhost.example.test:9000", want: "localhost.example.test:9000"},
	}
	for _, tt := range tests {
		got, err := resolveAddr(tt.give)
		if err != nil || got != tt.want {
			t.Errorf("resolveAddr(%q) = %q, %v; want %q", tt.give, got, err, tt.want)
		}
		if lb := loopbackHost(got); lb != tt.wantLoopback {
			t.Errorf("loopbackHost(%q) = %v, want %v", got, lb, tt.wantLoopback)
		}
	}
}

// FuzzResolveAddr: an address judged loopback names localhost or a loopback IP, whatever
// the input; nothing panics.
func FuzzResolveAddr(f *testing.F) {
	for _, s := range []string{"", ":0", "127.0.0.1:1", "[::1]:2", "0.0.0.0:3", "localhost:4", "LOCALHOST:5", "[::ffff:127.0.0.1]:6", "host"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		got, err := resolveAddr(addr)
		if err != nil || !loopbackHost(got) {
			return
		}
		host, _, err := net.SplitHostPort(got)
		if err != nil {
			t.Fatalf("resolveAddr(%q) = %q, which does not split: %v", addr, got, err)
		}
		ip := net.ParseIP(host)
		if !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
			t.Fatalf("resolveAddr(%q) = %q judged loopback", addr, got)
		}
	})
}
