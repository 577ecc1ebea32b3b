package monitor_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/monitor"
	"github.com/resilience-go/resilience/retry"
)

// FuzzHandler feeds the handler arbitrary paths, methods and Authorization headers: it must
// answer every one with a known status and a JSON body, and never reset without the token.
func FuzzHandler(f *testing.F) {
	for _, s := range []struct{ method, path, auth string }{
		{"GET", "/", ""},
		{"GET", "/breakers/db", ""},
		{"POST", "/breakers/db/reset", "Bearer wrong"},
		{"POST", "/breakers/db/reset", "Bearer " + testToken},
		{"GET", "/retries/%2F", ""},
		{"DELETE", "//breakers//", "bearer"},
	} {
		f.Add(s.method, s.path, s.auth)
	}
	reg := breaker.NewRegistry()
	db, err := reg.Get("db", breaker.Config{})
	if err != nil {
		f.Fatal(err)
	}
	h, err := monitor.NewHandler(monitor.New(reg, retry.NewMetrics()), monitor.HandlerOptions{ResetToken: testToken, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, path, auth string) {
		req, err := http.NewRequest(method, "http://example.test/", nil)
		if err != nil {
			t.Skip()
		}
		req.URL.Path = path
		req.Header.Set("Authorization", auth)
		db.ForceOpen()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 400, 401, 404, 405:
		default:
			t.Fatalf("%s %q = %d, want one of 200 400 401 404 405", method, path, rec.Code)
		}
		if method != http.MethodHead && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %q body is not JSON: %q", method, path, rec.Body)
		}
		if db.State() == breaker.Closed && auth != "Bearer "+testToken && auth != "bearer "+testToken {
			t.Fatalf("%s %q with Authorization %q reset the breaker", method, path, auth)
		}
	})
}
