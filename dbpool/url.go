package dbpool

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Driver names the database behind a [Pool].
type Driver string

// The supported drivers.
const (
	Postgres Driver = "postgres" // PostgreSQL through pgx's database/sql driver
	SQLite   Driver = "sqlite"   // SQLite through the pure-Go modernc.org/sqlite driver
)

// ErrInvalidURL is matched (errors.Is) by every error about a database URL that cannot be used.
// The error text shows the URL with its password replaced by "xxxxx".
var ErrInvalidURL = errors.New("dbpool: invalid database URL")

// target is a parsed database URL.
type target struct {
	driver   Driver
	dsn      string // what the driver opens; may hold the password, never printed
	redacted string // the URL as it may be shown
	addr     string // host:port (PostgreSQL) or the file path (SQLite), for error messages
	memory   bool   // an in-memory SQLite database
}

// sqliteDefaults are the connection parameters a SQLite URL gets unless it sets them itself:
// wait up to 5s for a lock instead of failing with BUSY at once, write-ahead logging so readers
// never block the writer, BEGIN IMMEDIATE so a transaction takes the write lock when it starts
// (a BUSY then comes from BEGIN, where retrying is safe, not from COMMIT), and foreign keys on.
var sqliteDefaults = [...][2]string{
	{"_busy_timeout", "5000"},
	{"_journal_mode", "WAL"},
	{"_txlock", "immediate"},
	{"_foreign_keys", "1"},
}

// parseURL turns a database URL into a target:
//
//	postgres://user:password@host:port/database?sslmode=disable   (also postgresql://)
//	sqlite:path/to/file.db, sqlite:///absolute/file.db, sqlite::memory:
//	file:path.db?mode=ro                                           (SQLite URI, passed as is)
//	path/to/file.db                                                (a plain path is SQLite)
//
// Key/value connection strings ("host=... password=...") are refused rather than taken for
// a file name.
func parseURL(raw string) (target, error) {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return target{}, fmt.Errorf("%w: empty (want postgres://user@host:port/db, sqlite:path or a file path)", ErrInvalidURL)
	case strings.ContainsRune(s, 0):
		return target{}, fmt.Errorf("%w: contains a NUL byte", ErrInvalidURL)
	}
	scheme, rest, hasScheme := splitScheme(s)
	switch {
	case hasScheme && (scheme == "postgres" || scheme == "postgresql"):
		return parsePostgres(s)
	case hasScheme && scheme == "sqlite":
		return parseSQLite(strings.TrimPrefix(rest, "//"), s)
	case hasScheme && scheme == "file":
		return parseSQLite(s, s)
	case hasScheme:
		return target{}, fmt.Errorf("%w: unsupported scheme %q in %q (want postgres, postgresql or sqlite)", ErrInvalidURL, scheme, redactAny(s))
	case looksLikeKeyValue(s):
		return target{}, fmt.Errorf("%w: %q looks like a key/value connection string; write it as postgres://user@host:port/db", ErrInvalidURL, redactAny(s))
	}
	return parseSQLite(s, s)
}

// splitScheme returns the scheme of s when s starts with one (letters, digits, '+', '-', '.'
// after a letter, then ':'), lower-cased. A Windows drive letter ("C:") is not a scheme.
func splitScheme(s string) (scheme, rest string, ok bool) {
	i := strings.IndexByte(s, ':')
	if i < 2 { // no colon, or a one-letter "scheme" (a drive letter)
		return "", "", false
	}
	for j := 0; j < i; j++ {
		c := s[j]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case j > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return "", "", false
		}
	}
	return strings.ToLower(s[:i]), s[i+1:], true
}

// looksLikeKeyValue reports whether s starts like a libpq key/value string ("host=x ...").
func looksLikeKeyValue(s string) bool {
	eq := strings.IndexByte(s, '=')
	if eq <= 0 || strings.ContainsAny(s[:eq], `/\.`) {
		return false
	}
	key := strings.TrimSpace(s[:eq])
	for _, c := range key {
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return key != ""
}

func parsePostgres(s string) (target, error) {
	u, err := url.Parse(s)
	if err != nil {
		// url.Parse's error quotes the input; say only what kind of problem it was.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return target{}, fmt.Errorf("%w: %q: %v", ErrInvalidURL, redactAny(s), redactAny(err.Error()))
	}
	if u.Opaque != "" {
		return target{}, fmt.Errorf("%w: %q: want postgres://host/..., not postgres:host", ErrInvalidURL, redactURL(u))
	}
	host := u.Hostname()
	port := u.Port()
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return target{}, fmt.Errorf("%w: %q: port %q is not a number from 1 to 65535", ErrInvalidURL, redactURL(u), port)
		}
	}
	q := u.Query()
	if host == "" {
		host = q.Get("host")
	}
	if host == "" {
		host = "localhost" // what libpq and pgx use
	}
	if port == "" {
		port = q.Get("port")
	}
	if port == "" {
		port = "5432"
	}
	return target{
		driver:   Postgres,
		dsn:      s,
		redacted: redactURL(u),
		addr:     net.JoinHostPort(host, port),
	}, nil
}

func parseSQLite(path, orig string) (target, error) {
	file, query, _ := strings.Cut(path, "?")
	if file == "" || file == "file:" {
		return target{}, fmt.Errorf("%w: %q names no SQLite file (want sqlite:path/to/file.db or sqlite::memory:)", ErrInvalidURL, orig)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return target{}, fmt.Errorf("%w: %q: query: %v", ErrInvalidURL, orig, err)
	}
	memory := file == ":memory:" || strings.HasPrefix(file, "file::memory:") || q.Get("mode") == "memory"
	for _, kv := range sqliteDefaults {
		if q.Has(kv[0]) || (memory && kv[0] == "_journal_mode") {
			continue
		}
		q.Set(kv[0], kv[1])
	}
	name := strings.TrimPrefix(file, "file:")
	return target{
		driver:   SQLite,
		dsn:      file + "?" + q.Encode(),
		redacted: "sqlite:" + path,
		addr:     name,
		memory:   memory,
	}, nil
}

// redactURL is u as it may be shown: the password (in the user info or as a query parameter)
// replaced by "xxxxx".
func redactURL(u *url.URL) string {
	c := *u
	if _, has := c.User.Password(); has {
		c.User = url.UserPassword(c.User.Username(), "xxxxx")
	}
	if q := c.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		c.RawQuery = q.Encode()
	}
	return c.String()
}

// redactAny hides anything that could be a password in a string that did not parse as a URL:
// the user info of a URL-like string and the value of any password= pair.
func redactAny(s string) string {
	if scheme, rest, ok := splitScheme(s); ok && strings.HasPrefix(rest, "//") {
		authority := rest[2:]
		if end := strings.IndexAny(authority, "/?#"); end >= 0 {
			authority = authority[:end]
		}
		if at := strings.LastIndexByte(authority, '@'); at >= 0 {
			user := authority[:at]
			if colon := strings.IndexByte(user, ':'); colon >= 0 {
				user = user[:colon] + ":xxxxx"
			}
			s = scheme + "://" + user + rest[2+at:]
		}
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		j := indexASCIIFold(s[i:], "password=")
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		b.WriteString(s[i : i+j+len("password=")])
		b.WriteString("xxxxx")
		i += j + len("password=")
		if i < len(s) && s[i] == '\'' {
			if end := strings.IndexByte(s[i+1:], '\''); end >= 0 {
				i += end + 2
				continue
			}
			i = len(s)
			continue
		}
		end := strings.IndexAny(s[i:], " &")
		if end < 0 {
			i = len(s)
		} else {
			i += end
		}
	}
	return b.String()
}

// indexASCIIFold is strings.Index ignoring ASCII case; unlike lower-casing the whole string
// first, it keeps byte offsets right for input that is not valid UTF-8.
func indexASCIIFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		match := true
		for j := 0; j < len(sub); j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}
