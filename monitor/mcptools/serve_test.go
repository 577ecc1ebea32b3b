package mcptools_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/resilience-go/resilience/monitor/mcptools"
)

const testToken = "mcp-test-token-0123456789"

// bearerTransport adds an Authorization header to every request.
type bearerTransport struct{ token string }

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// startHTTP serves the fixture's tools over streamable HTTP on a free loopback port until
// the test ends.
func startHTTP(t *testing.T, cfg mcptools.HTTPConfig) *mcptools.HTTPServer {
	t.Helper()
	cfg.Logger = slog.New(slog.DiscardHandler)
	s := mcptools.NewServer(nil, newFixture(), mcptools.Options{Logger: cfg.Logger})
	srv, err := mcptools.NewHTTPServer(s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	})
	return srv
}

func connectHTTP(ctx context.Context, url string, client *http.Client) (*mcp.ClientSession, error) {
	return mcp.NewClient(&mcp.Implementation{Name: "test", Version: "v1"}, nil).Connect(ctx,
		&mcp.StreamableClientTransport{Endpoint: url, HTTPClient: client, DisableStandaloneSSE: true}, nil)
}

func TestHTTPWithToken(t *testing.T) {
	srv := startHTTP(t, mcptools.HTTPConfig{Addr: "127.0.0.1:0", Token: testToken})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	cs, err := connectHTTP(ctx, srv.URL(), &http.Client{Transport: bearerTransport{testToken}})
	if err != nil {
		t.Fatal(err)
	}
	runCalls(t, cs, commonCalls)
	if err := cs.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}

	tests := []struct {
		name     string
		giveAuth string
		want     string
	}{
		{name: "missing", want: "missing bearer token"},
		{name: "wrong", giveAuth: "Bearer " + testToken + "x", want: "wrong bearer token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL(), strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			if tt.giveAuth != "" {
				req.Header.Set("Authorization", tt.giveAuth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), tt.want) {
				t.Errorf("POST without the right token = %d %s, want 401 with %q", resp.StatusCode, body, tt.want)
			}
			if strings.Contains(string(body), testToken) {
				t.Errorf("the answer %s contains the token", body)
			}
		})
	}
	t.Run("client without token", func(t *testing.T) {
		if cs, err := connectHTTP(ctx, srv.URL(), &http.Client{}); err == nil {
			cs.Close()
			t.Error("Connect without a token succeeded")
		}
	})
}

func TestHTTPLoopbackWithoutToken(t *testing.T) {
	srv := startHTTP(t, mcptools.HTTPConfig{Addr: ":0"}) // no host: loopback, not every interface
	if !strings.HasPrefix(srv.Addr().String(), "127.0.0.1:") {
		t.Fatalf("Addr() = %s, want 127.0.0.1:port", srv.Addr())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs, err := connectHTTP(ctx, srv.URL(), &http.Client{})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	runCalls(t, cs, commonCalls[:1])
}

func TestNewHTTPServerRefuses(t *testing.T) {
	s := mcptools.NewServer(nil, newFixture(), mcptools.Options{})
	tests := []struct {
		name      string
		give      mcptools.HTTPConfig
		wantErr   string
		wantToken bool // errors.Is(err, ErrTokenRequired)
	}{
		{name: "all IPv4 interfaces", give: mcptools.HTTPConfig{Addr: "0.0.0.0:0"}, wantErr: `HTTPConfig.Addr "0.0.0.0:0": a bearer token is required`, wantToken: true},
		{name: "all IPv6 interfaces", give: mcptools.HTTPConfig{Addr: "[::]:0"}, wantErr: "a bearer token is required", wantToken: true},
		{name: "host name", give: mcptools.HTTPConfig{Addr: "example.test:0"}, wantErr: "a bearer token is required", wantToken: true},
		{name: "no port", give: mcptools.HTTPConfig{Addr: "127.0.0.1"}, wantErr: `HTTPConfig.Addr "127.0.0.1": address 127.0.0.1: missing port`},
		{name: "short token", give: mcptools.HTTPConfig{Addr: "127.0.0.1:0", Token: "short"}, wantErr: "mcptools: token: token is 5 characters long"},
		{name: "relative path", give: mcptools.HTTPConfig{Addr: "127.0.0.1:0", Path: "mcp"}, wantErr: `HTTPConfig.Path "mcp" must start with /`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := mcptools.NewHTTPServer(s, tt.give)
			if err == nil {
				srv.Serve(canceled())
				t.Fatalf("NewHTTPServer(%+v) = nil error, want %q", tt.give, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("NewHTTPServer(%+v) = %v, want %q", tt.give, err, tt.wantErr)
			}
			if got := errors.Is(err, mcptools.ErrTokenRequired); got != tt.wantToken {
				t.Errorf("errors.Is(%v, ErrTokenRequired) = %v, want %v", err, got, tt.wantToken)
			}
		})
	}
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func TestHTTPPortBusy(t *testing.T) {
	srv := startHTTP(t, mcptools.HTTPConfig{Addr: "127.0.0.1:0"})
	_, err := mcptools.NewHTTPServer(mcptools.NewServer(nil, newFixture(), mcptools.Options{}), mcptools.HTTPConfig{Addr: srv.Addr().String()})
	if err == nil || !strings.Contains(err.Error(), "listen on") {
		t.Errorf("NewHTTPServer on a busy port = %v, want a listen error", err)
	}
}
