package monitor_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/monitor"
	"github.com/resilience-go/resilience/retry"
)

const testToken = "s3cret-token-0123456789"

// serve runs one request against a Handler of a fresh fixture, in a synctest bubble.
func serve(t *testing.T, opts monitor.HandlerOptions, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	var rec *httptest.ResponseRecorder
	synctest.Test(t, func(t *testing.T) {
		_, _, mon := fixture(t)
		h, err := monitor.NewHandler(mon, opts)
		if err != nil {
			t.Fatal(err)
		}
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
	})
	return rec
}

func TestHandlerGet(t *testing.T) {
	tests := []struct {
		name       string
		give       string // method and path
		wantCode   int
		wantInBody string
	}{
		{name: "snapshot", give: "GET /", wantCode: 200, wantInBody: `"generated_at": "2000-01-01T00:00:00.2Z"`},
		{name: "snapshot without slash", give: "GET ", wantCode: 200, wantInBody: `"retries": [`},
		{name: "head", give: "HEAD /", wantCode: 200},
		{name: "breakers", give: "GET /breakers", wantCode: 200, wantInBody: `"name": "api"`},
		{name: "one breaker", give: "GET /breakers/db", wantCode: 200, wantInBody: `"state": "open"`},
		{name: "one breaker trailing slash", give: "GET /breakers/db/", wantCode: 200, wantInBody: `"next_probe_in_seconds": 29.8`},
		{name: "unknown breaker", give: "GET /breakers/nope", wantCode: 404, wantInBody: `{"error":"circuit breaker \"nope\" not found (known: api, db)"}`},
		{name: "escaped name", give: "GET /breakers/a%2Fb", wantCode: 404, wantInBody: `circuit breaker \"a/b\" not found`},
		{name: "retries", give: "GET /retries", wantCode: 200, wantInBody: `"retry_success_rate": 0.5`},
		{name: "one retry", give: "GET /retries/query", wantCode: 200, wantInBody: `"exhausted": 1`},
		{name: "unknown retry", give: "GET /retries/nope", wantCode: 404, wantInBody: `retry operation \"nope\" not found (known: query)`},
		{name: "unknown path", give: "GET /nope", wantCode: 404, wantInBody: `no such path`},
		{name: "post snapshot", give: "POST /", wantCode: 405, wantInBody: `method POST not allowed (use GET)`},
		{name: "get reset", give: "GET /breakers/db/reset", wantCode: 405, wantInBody: `method GET not allowed (use POST)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, path, _ := strings.Cut(tt.give, " ")
			req := httptest.NewRequest(method, "http://example.test/"+strings.TrimPrefix(path, "/"), nil)
			if path == "" {
				req.URL.Path = "" // as http.StripPrefix leaves it for the bare prefix
			}
			rec := serve(t, monitor.HandlerOptions{}, req)
			if rec.Code != tt.wantCode {
				t.Errorf("%s = %d, want %d; body %s", tt.give, rec.Code, tt.wantCode, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("%s Content-Type = %q, want application/json", tt.give, ct)
			}
			if !strings.Contains(rec.Body.String(), tt.wantInBody) {
				t.Errorf("%s body = %s, want it to contain %s", tt.give, rec.Body, tt.wantInBody)
			}
			if method != http.MethodHead && !json.Valid(rec.Body.Bytes()) {
				t.Errorf("%s body is not JSON: %s", tt.give, rec.Body)
			}
		})
	}
}

func TestHandlerReset(t *testing.T) {
	tests := []struct {
		name       string
		giveToken  string // configured
		giveAuth   string // Authorization header
		givePath   string
		wantCode   int
		wantInBody string
		wantChall  string // WWW-Authenticate
	}{
		{name: "disabled", giveAuth: "Bearer " + testToken, givePath: "/breakers/db/reset", wantCode: 403, wantInBody: "reset is disabled: the application configured no reset token"},
		{name: "missing token", giveToken: testToken, givePath: "/breakers/db/reset", wantCode: 401, wantInBody: "missing bearer token", wantChall: `Bearer error="invalid_request"`},
		{name: "basic scheme", giveToken: testToken, giveAuth: "Basic dXNlcjpwYXNz", givePath: "/breakers/db/reset", wantCode: 401, wantInBody: "missing bearer token", wantChall: `Bearer error="invalid_request"`},
		{name: "wrong token", giveToken: testToken, giveAuth: "Bearer " + testToken + "x", givePath: "/breakers/db/reset", wantCode: 401, wantInBody: "wrong bearer token", wantChall: `Bearer error="invalid_token"`},
		{name: "empty bearer", giveToken: testToken, giveAuth: "Bearer ", givePath: "/breakers/db/reset", wantCode: 401, wantInBody: "missing bearer token", wantChall: `Bearer error="invalid_request"`},
		{name: "right token", giveToken: testToken, giveAuth: "Bearer " + testToken, givePath: "/breakers/db/reset", wantCode: 200, wantInBody: `"state": "closed"`},
		{name: "scheme case-insensitive", giveToken: testToken, giveAuth: "bearer " + testToken, givePath: "/breakers/db/reset", wantCode: 200, wantInBody: `"state": "closed"`},
		{name: "unknown breaker", giveToken: testToken, giveAuth: "Bearer " + testToken, givePath: "/breakers/nope/reset", wantCode: 404, wantInBody: `circuit breaker \"nope\" not found`},
		{name: "unknown breaker needs token first", giveToken: testToken, givePath: "/breakers/nope/reset", wantCode: 401, wantInBody: "missing bearer token", wantChall: `Bearer error="invalid_request"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			req := httptest.NewRequest(http.MethodPost, tt.givePath, nil)
			if tt.giveAuth != "" {
				req.Header.Set("Authorization", tt.giveAuth)
			}
			rec := serve(t, monitor.HandlerOptions{ResetToken: tt.giveToken, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}, req)
			if rec.Code != tt.wantCode {
				t.Errorf("POST %s = %d, want %d; body %s", tt.givePath, rec.Code, tt.wantCode, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), tt.wantInBody) {
				t.Errorf("POST %s body = %s, want it to contain %s", tt.givePath, rec.Body, tt.wantInBody)
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != tt.wantChall {
				t.Errorf("POST %s WWW-Authenticate = %q, want %q", tt.givePath, got, tt.wantChall)
			}
			if strings.Contains(logs.String(), testToken) || strings.Contains(rec.Body.String(), testToken) {
				t.Errorf("the token leaked: log %s body %s", &logs, rec.Body)
			}
		})
	}
}

func TestNewHandlerBadToken(t *testing.T) {
	mon := monitor.New(breaker.NewRegistry(), retry.NewMetrics())
	tests := []struct {
		name string
		give string
		want string
	}{
		{name: "short", give: "short", want: "monitor: HandlerOptions.ResetToken: token is 5 characters long, want at least 16"},
		{name: "space", give: "0123456789 abcdefgh", want: "monitor: HandlerOptions.ResetToken: token has a character that is not allowed at position 10"},
		{name: "newline", give: "0123456789abcdefgh\n", want: "not allowed at position 18"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := monitor.NewHandler(mon, monitor.HandlerOptions{ResetToken: tt.give})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewHandler(token %q) = %v, want an error containing %q", tt.give, err, tt.want)
			}
			if strings.Contains(err.Error(), strings.TrimSpace(tt.give)) {
				t.Errorf("NewHandler error %q contains the token", err)
			}
		})
	}
	if _, err := monitor.NewHandler(nil, monitor.HandlerOptions{}); err == nil {
		t.Error("NewHandler(nil) = nil error, want one")
	}
}

// TestHandlerResetEndToEnd resets over a real HTTP server and sees the breaker closed.
func TestHandlerResetEndToEnd(t *testing.T) {
	reg := breaker.NewRegistry()
	b, err := reg.Get("db", breaker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	b.ForceOpen()
	h, err := monitor.NewHandler(monitor.New(reg, retry.NewMetrics()), monitor.HandlerOptions{ResetToken: testToken, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/status/", http.StripPrefix("/status", h))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	var st monitor.BreakerStatus
	get := func() {
		t.Helper()
		resp, err := http.Get(srv.URL + "/status/breakers/db")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
			t.Fatal(err)
		}
	}
	get()
	if st.State != "open" || st.OpenUntil != nil {
		t.Fatalf("forced open breaker = state %q open_until %v, want open, nil", st.State, st.OpenUntil)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/status/breakers/db/reset", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset = %d, want 200", resp.StatusCode)
	}
	get()
	if st.State != "closed" {
		t.Errorf("after reset state = %q, want closed", st.State)
	}
}
