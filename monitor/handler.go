package monitor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/resilience-go/resilience/monitor/internal/bearer"
)

// HandlerOptions configures [NewHandler]. The zero value serves status read-only.
type HandlerOptions struct {
	// ResetToken turns on POST /breakers/{name}/reset for requests that carry
	// "Authorization: Bearer <ResetToken>"; it must be at least 16 characters of letters,
	// digits and -._~+/=. If empty, reset is off and every reset request gets 403.
	ResetToken string

	// Logger receives one record per reset and per refused reset (never the token).
	// If nil, slog.Default().
	Logger *slog.Logger
}

// Handler serves a [Monitor] as JSON. Mount it under a prefix with [http.StripPrefix]:
//
//	GET  /                        the whole Snapshot
//	GET  /breakers                every breaker's BreakerStatus
//	GET  /breakers/{name}         one breaker (404 if unknown)
//	POST /breakers/{name}/reset   close it (bearer token required, see HandlerOptions)
//	GET  /retries                 every retry operation's RetryStatus
//	GET  /retries/{name}          one operation (404 if unknown)
//
// Names are path segments: escape a "/" in a name as %2F. Every answer, errors included,
// is JSON; an error is {"error": "..."}.
type Handler struct {
	mon    *Monitor
	reset  *bearer.Checker // nil: reset is off
	logger *slog.Logger
}

// NewHandler returns a Handler for m. An unusable ResetToken is an error that names the
// field (never the token).
func NewHandler(m *Monitor, opts HandlerOptions) (*Handler, error) {
	if m == nil {
		return nil, errors.New("monitor: NewHandler: Monitor is nil")
	}
	h := &Handler{mon: m, logger: opts.Logger}
	if h.logger == nil {
		h.logger = slog.Default()
	}
	if opts.ResetToken != "" {
		if err := bearer.Validate("monitor: HandlerOptions.ResetToken", opts.ResetToken); err != nil {
			return nil, err
		}
		h.reset = bearer.New(opts.ResetToken)
	}
	return h, nil
}

// ServeHTTP implements [http.Handler].
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs, err := segments(r.URL)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	switch {
	case len(segs) == 0:
		h.get(w, r, func() (any, error) { return h.mon.Snapshot(), nil })
	case len(segs) == 1 && segs[0] == "breakers":
		h.get(w, r, func() (any, error) { return h.mon.Breakers(), nil })
	case len(segs) == 2 && segs[0] == "breakers":
		h.get(w, r, func() (any, error) { return h.mon.Breaker(segs[1]) })
	case len(segs) == 3 && segs[0] == "breakers" && segs[2] == "reset":
		h.postReset(w, r, segs[1])
	case len(segs) == 1 && segs[0] == "retries":
		h.get(w, r, func() (any, error) { return h.mon.Retries(), nil })
	case len(segs) == 2 && segs[0] == "retries":
		h.get(w, r, func() (any, error) { return h.mon.Retry(segs[1]) })
	default:
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such path %q (try /, /breakers, /breakers/{name}, /retries)", r.URL.Path))
	}
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request, read func() (any, error)) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed (use GET)", r.Method))
		return
	}
	v, err := read()
	if err != nil {
		writeError(w, statusOf(err), err.Error())
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (h *Handler) postReset(w http.ResponseWriter, r *http.Request, name string) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed (use POST)", r.Method))
		return
	}
	log := h.logger.With(slog.String("breaker", name), slog.String("remote_addr", r.RemoteAddr))
	if h.reset == nil {
		log.WarnContext(r.Context(), "circuit breaker reset refused", slog.String("reason", "reset disabled"))
		writeError(w, http.StatusForbidden, "reset is disabled: the application configured no reset token")
		return
	}
	if err := h.reset.Check(r); err != nil {
		log.WarnContext(r.Context(), "circuit breaker reset refused", slog.String("reason", err.Error()))
		bearer.Unauthorized(w, err)
		return
	}
	st, err := h.mon.Reset(name)
	if err != nil {
		writeError(w, statusOf(err), err.Error())
		return
	}
	log.InfoContext(r.Context(), "circuit breaker reset")
	writeJSON(w, http.StatusOK, st)
}

// segments splits the escaped path into unescaped segments, ignoring a leading and a
// trailing slash.
func segments(u *url.URL) ([]string, error) {
	p := strings.Trim(u.EscapedPath(), "/")
	if p == "" {
		return nil, nil
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		v, err := url.PathUnescape(s)
		if err != nil {
			return nil, fmt.Errorf("bad path segment %q: %v", s, err)
		}
		parts[i] = v
	}
	return parts, nil
}

func statusOf(err error) int {
	if errors.Is(err, ErrNotFound) {
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

// writeJSON writes v indented (for people reading curl output), without HTML escaping.
func writeJSON(w http.ResponseWriter, code int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		writeError(w, http.StatusInternalServerError, "encoding status: "+err.Error())
		return
	}
	writeBody(w, code, buf.Bytes())
}

type errorBody struct {
	Error string `json:"error"`
}

// writeError writes {"error": msg} on one line.
func writeError(w http.ResponseWriter, code int, msg string) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(errorBody{Error: msg}) // a struct of one string always encodes
	writeBody(w, code, buf.Bytes())
}

func writeBody(w http.ResponseWriter, code int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}
