// Package bearer checks "Authorization: Bearer <token>" headers against one configured
// token, in constant time. It never puts a token into an error or a log.
package bearer

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// MinLength is the shortest token Validate accepts.
const MinLength = 16

// Errors of Check, told apart with errors.Is.
var (
	// ErrMissing: the request has no bearer token.
	ErrMissing = errors.New("missing bearer token (send Authorization: Bearer <token>)")
	// ErrWrong: the request's token is not the configured one.
	ErrWrong = errors.New("wrong bearer token")
)

// Validate reports whether token is usable: at least MinLength characters of the RFC 6750
// token68 alphabet. field names the setting in the error; the token itself never appears.
func Validate(field, token string) error {
	if len(token) < MinLength {
		return fmt.Errorf("%s: token is %d characters long, want at least %d", field, len(token), MinLength)
	}
	for i := 0; i < len(token); i++ {
		if !token68(token[i]) {
			return fmt.Errorf("%s: token has a character that is not allowed at position %d (allowed: letters, digits and -._~+/=)", field, i)
		}
	}
	return nil
}

func token68(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~+/=", c) >= 0
}

// Checker compares request tokens with one configured token.
type Checker struct {
	sum [sha256.Size]byte
}

// New returns a Checker for token, which should have passed Validate.
func New(token string) *Checker {
	return &Checker{sum: sha256.Sum256([]byte(token))}
}

// Check returns nil when r carries the configured token, else ErrMissing or ErrWrong.
// Both sides are hashed first so that the comparison takes the same time whatever the
// lengths.
func (c *Checker) Check(r *http.Request) error {
	tok, ok := FromHeader(r.Header.Get("Authorization"))
	if !ok {
		return ErrMissing
	}
	sum := sha256.Sum256([]byte(tok))
	if subtle.ConstantTimeCompare(sum[:], c.sum[:]) != 1 {
		return ErrWrong
	}
	return nil
}

// FromHeader returns the token of an Authorization header value of the Bearer scheme
// (the scheme's name is case-insensitive).
func FromHeader(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// Middleware returns next behind c: a request without the right token gets 401 with a
// WWW-Authenticate challenge and a JSON body {"error": "..."}.
func (c *Checker) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := c.Check(r); err != nil {
			Unauthorized(w, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Unauthorized writes a 401 answer for err.
func Unauthorized(w http.ResponseWriter, err error) {
	code := "invalid_request"
	if errors.Is(err, ErrWrong) {
		code = "invalid_token"
	}
	w.Header().Set("WWW-Authenticate", `Bearer error="`+code+`"`)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusUnauthorized)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // a JSON API: "<token>" reads better than "\u003ctoken\u003e"
	_ = enc.Encode(struct {
		Error string `json:"error"`
	}{err.Error()})
}
