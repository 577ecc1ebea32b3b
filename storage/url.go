package storage

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// URL is a parsed storage URL: a local directory or a bucket with an optional key prefix.
//
//	/var/lib/waveforms, ./waveforms, waveforms  a local directory (a plain path)
//	file:///var/lib/waveforms                   the same as a URL (file://localhost/... too)
//	gs://bucket                                 a Cloud Storage bucket (package storage/gcs)
//	gs://bucket/some/prefix                     keys stored under "some/prefix/"
type URL struct {
	// Scheme is "file" for a local directory, else the bucket's scheme ("gs").
	Scheme string
	// Path is the local directory (Scheme "file"), cleaned; relative when given relative.
	Path string
	// Bucket is the bucket's name (other schemes).
	Bucket string
	// Prefix is prepended to every key (other schemes): "" or a valid key followed by "/".
	Prefix string
}

// String returns the URL in the form ParseURL reads back: a plain path for a relative
// directory, file:///... for an absolute one, scheme://bucket/prefix for a bucket.
func (u *URL) String() string {
	if u.Scheme == "file" {
		if filepath.IsAbs(u.Path) {
			return (&url.URL{Scheme: "file", Path: filepath.ToSlash(u.Path)}).String()
		}
		if _, ok := schemeOf(u.Path); ok || u.Path == "" {
			return "./" + u.Path
		}
		return u.Path
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Bucket, Path: "/" + u.Prefix}).String()
}

// schemeOf returns the scheme s begins with ("gs" in "gs://b", "file" in "file:/x"). A single
// letter is a drive name, not a scheme.
func schemeOf(s string) (string, bool) {
	i := strings.IndexByte(s, ':')
	if i < 2 {
		return "", false
	}
	for j, c := range s[:i] {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case j > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return "", false
		}
	}
	return strings.ToLower(s[:i]), true
}

// ParseURL parses a storage URL (see [URL]). The error names the URL and what is wrong with
// it; user information in a URL is never repeated in an error.
func ParseURL(s string) (*URL, error) {
	if s == "" {
		return nil, errors.New("storage: URL is empty (want a directory path, file:///path or gs://bucket/prefix)")
	}
	if strings.ContainsRune(s, 0) {
		return nil, fmt.Errorf("storage: URL %q contains a NUL byte", s)
	}
	scheme, ok := schemeOf(s)
	if !ok {
		return &URL{Scheme: "file", Path: filepath.Clean(s)}, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, which may hold a password
		}
		return nil, fmt.Errorf("storage: URL %q: %w", redact(s), err)
	}
	shown := u.Redacted()
	switch {
	case u.User != nil:
		return nil, fmt.Errorf("storage: URL %q: user information is not supported (credentials come from the environment)", shown)
	case u.RawQuery != "" || u.ForceQuery:
		return nil, fmt.Errorf("storage: URL %q: a query is not supported", shown)
	case u.Fragment != "":
		return nil, fmt.Errorf("storage: URL %q: a fragment is not supported", shown)
	case u.Opaque != "":
		return nil, fmt.Errorf("storage: URL %q: want %s:// followed by a host or path", shown, scheme)
	}
	switch scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("storage: URL %q: host %q not supported (only local directories: file:///path)", shown, u.Host)
		}
		if u.Path == "" {
			return nil, fmt.Errorf("storage: URL %q: no directory path (want file:///path)", shown)
		}
		return &URL{Scheme: "file", Path: filepath.Clean(filepath.FromSlash(u.Path))}, nil
	case "gs":
		if err := validateBucket(u.Host); err != nil {
			return nil, fmt.Errorf("storage: URL %q: %w", shown, err)
		}
	default:
		if !registered(scheme) {
			return nil, fmt.Errorf("storage: URL %q: unsupported scheme %q (want a directory path, file:///path or gs://bucket/prefix; begin a relative path containing ':' with ./)", shown, scheme)
		}
		if u.Host == "" {
			return nil, fmt.Errorf("storage: URL %q: no bucket (want %s://bucket/prefix)", shown, scheme)
		}
	}
	prefix := strings.TrimPrefix(u.Path, "/")
	if prefix != "" {
		if err := ValidateKey(strings.TrimSuffix(prefix, "/")); err != nil {
			return nil, fmt.Errorf("storage: URL %q: prefix %q: %s", shown, prefix, err.(*KeyError).Reason)
		}
		prefix = strings.TrimSuffix(prefix, "/") + "/"
	}
	return &URL{Scheme: scheme, Bucket: u.Host, Prefix: prefix}, nil
}

// redact hides user information in a URL that url.Parse rejected.
func redact(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return s
	}
	rest := s[i+3:]
	if end := strings.IndexAny(rest, "/?#"); end >= 0 {
		rest = rest[:end]
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		return s[:i+3] + "xxxxx" + s[i+3+at:]
	}
	return s
}

// validateBucket checks a Cloud Storage bucket name: 3 to 63 characters (222 with dots, 63
// between them) of lowercase letters, digits, '-', '_' and '.', beginning and ending with a
// letter or digit, not beginning with "goog".
func validateBucket(b string) error {
	if b == "" {
		return errors.New("no bucket (want gs://bucket/prefix)")
	}
	bad := func(why string) error { return fmt.Errorf("bucket name %q: %s", b, why) }
	if n := len(b); n < 3 || n > 222 || (n > 63 && !strings.Contains(b, ".")) {
		return bad("must be 3 to 63 characters long (222 with dots)")
	}
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return bad("may hold only lowercase letters, digits, '-', '_' and '.'")
		}
	}
	alnum := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	if !alnum(b[0]) || !alnum(b[len(b)-1]) {
		return bad("must begin and end with a letter or digit")
	}
	for part := range strings.SplitSeq(b, ".") {
		if part == "" || len(part) > 63 {
			return bad("each dot-separated part must be 1 to 63 characters long")
		}
	}
	if strings.HasPrefix(b, "goog") || strings.Contains(b, "google") {
		return bad(`may not begin with "goog" or contain "google"`)
	}
	return nil
}

// An Opener opens the store a parsed URL names.
type Opener func(ctx context.Context, u *URL) (StoreCloser, error)

var (
	openersMu sync.RWMutex
	openers   = map[string]Opener{}
)

// Register makes [Open] handle URLs of scheme with open. Backend packages call it from init:
// importing storage/gcs (for its side effect, or to use it) makes Open handle gs:// URLs.
// Register panics if the scheme is "file", empty, or registered twice.
func Register(scheme string, open Opener) {
	openersMu.Lock()
	defer openersMu.Unlock()
	if s, ok := schemeOf(scheme + ":"); !ok || s != scheme || scheme == "file" || open == nil {
		panic(fmt.Sprintf("storage: Register of invalid scheme %q", scheme))
	}
	if _, dup := openers[scheme]; dup {
		panic(fmt.Sprintf("storage: Register called twice for scheme %q", scheme))
	}
	openers[scheme] = open
}

func registered(scheme string) bool {
	openersMu.RLock()
	defer openersMu.RUnlock()
	_, ok := openers[scheme]
	return ok
}

// Schemes returns the registered schemes, sorted, with "file" first.
func Schemes() []string {
	openersMu.RLock()
	defer openersMu.RUnlock()
	var out []string
	for s := range openers {
		out = append(out, s)
	}
	sort.Strings(out)
	return append([]string{"file"}, out...)
}

// Open opens the store rawURL names (see [URL]): a local directory, created if missing, or a
// bucket through the backend registered for its scheme (gs:// needs package storage/gcs).
// The caller closes the store.
func Open(ctx context.Context, rawURL string) (StoreCloser, error) {
	u, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "file" {
		return NewDir(u.Path)
	}
	openersMu.RLock()
	open := openers[u.Scheme]
	openersMu.RUnlock()
	if open == nil {
		return nil, fmt.Errorf("storage: URL %q: no backend registered for %s:// (import github.com/resilience-go/resilience/storage/gcs)", u, u.Scheme)
	}
	return open(ctx, u)
}
