package dbpool

import (
	"errors"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		name         string
		give         string
		wantDriver   Driver
		wantRedacted string
		wantAddr     string
		wantDSN      string
	}{
		{
			name:         "postgres with password",
			give:         "postgres://app:s3cret@db.internal:6543/app?sslmode=disable",
			wantDriver:   Postgres,
			wantRedacted: "postgres://app:xxxxx@db.internal:6543/app?sslmode=disable",
			wantAddr:     "db.internal:6543",
			wantDSN:      "postgres://app:s3cret@db.internal:6543/app?sslmode=disable",
		},
		{
			name:         "postgresql scheme, default port",
			give:         "postgresql://app@db/app",
			wantDriver:   Postgres,
			wantRedacted: "postgresql://app@db/app",
			wantAddr:     "db:5432",
			wantDSN:      "postgresql://app@db/app",
		},
		{
			name:         "password as a query parameter",
			give:         "postgres://app@db/app?password=s3cret",
			wantDriver:   Postgres,
			wantRedacted: "postgres://app@db/app?password=xxxxx",
			wantAddr:     "db:5432",
			wantDSN:      "postgres://app@db/app?password=s3cret",
		},
		{
			name:         "IPv6 host",
			give:         "postgres://app@[::1]:5433/app",
			wantDriver:   Postgres,
			wantRedacted: "postgres://app@[::1]:5433/app",
			wantAddr:     "[::1]:5433",
			wantDSN:      "postgres://app@[::1]:5433/app",
		},
		{
			name:         "no host",
			give:         "postgres:///app",
			wantDriver:   Postgres,
			wantRedacted: "postgres:///app",
			wantAddr:     "localhost:5432",
			wantDSN:      "postgres:///app",
		},
		{
			name:         "sqlite relative",
			give:         "sqlite:tasks.db",
			wantDriver:   SQLite,
			wantRedacted: "sqlite:tasks.db",
			wantAddr:     "tasks.db",
			wantDSN:      "tasks.db?_busy_timeout=5000&_foreign_keys=1&_journal_mode=WAL&_txlock=immediate",
		},
		{
			name:         "sqlite absolute with slashes",
			give:         "sqlite:///var/lib/app/tasks.db",
			wantDriver:   SQLite,
			wantRedacted: "sqlite:/var/lib/app/tasks.db",
			wantAddr:     "/var/lib/app/tasks.db",
			wantDSN:      "/var/lib/app/tasks.db?_busy_timeout=5000&_foreign_keys=1&_journal_mode=WAL&_txlock=immediate",
		},
		{
			name:         "sqlite keeps its own parameters",
			give:         "sqlite:tasks.db?_busy_timeout=100&_txlock=deferred",
			wantDriver:   SQLite,
			wantRedacted: "sqlite:tasks.db?_busy_timeout=100&_txlock=deferred",
			wantAddr:     "tasks.db",
			wantDSN:      "tasks.db?_busy_timeout=100&_foreign_keys=1&_journal_mode=WAL&_txlock=deferred",
		},
		{
			name:         "sqlite in memory has no WAL",
			give:         "sqlite::memory:",
			wantDriver:   SQLite,
			wantRedacted: "sqlite::memory:",
			wantAddr:     ":memory:",
			wantDSN:      ":memory:?_busy_timeout=5000&_foreign_keys=1&_txlock=immediate",
		},
		{
			name:         "plain path",
			give:         "./data/tasks.db",
			wantDriver:   SQLite,
			wantRedacted: "sqlite:./data/tasks.db",
			wantAddr:     "./data/tasks.db",
			wantDSN:      "./data/tasks.db?_busy_timeout=5000&_foreign_keys=1&_journal_mode=WAL&_txlock=immediate",
		},
		{
			name:         "file URI",
			give:         "file:tasks.db?mode=rwc",
			wantDriver:   SQLite,
			wantRedacted: "sqlite:file:tasks.db?mode=rwc",
			wantAddr:     "tasks.db",
			wantDSN:      "file:tasks.db?_busy_timeout=5000&_foreign_keys=1&_journal_mode=WAL&_txlock=immediate&mode=rwc",
		},
		{
			name:         "windows drive letter is a path",
			give:         `C:\data\tasks.db`,
			wantDriver:   SQLite,
			wantRedacted: `sqlite:C:\data\tasks.db`,
			wantAddr:     `C:\data\tasks.db`,
			wantDSN:      `C:\data\tasks.db?_busy_timeout=5000&_foreign_keys=1&_journal_mode=WAL&_txlock=immediate`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseURL(tt.give)
			if err != nil {
				t.Fatalf("parseURL(%q) = %v", tt.give, err)
			}
			if got.driver != tt.wantDriver || got.redacted != tt.wantRedacted || got.addr != tt.wantAddr || got.dsn != tt.wantDSN {
				t.Errorf("parseURL(%q) = {%s %q %q %q}, want {%s %q %q %q}", tt.give,
					got.driver, got.redacted, got.addr, got.dsn, tt.wantDriver, tt.wantRedacted, tt.wantAddr, tt.wantDSN)
			}
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	tests := []struct {
		name string
		give string
		want string // in the error text
	}{
		{name: "empty", give: "  ", want: "empty"},
		{name: "unknown scheme", give: "mysql://root:s3cret@db/app", want: `unsupported scheme "mysql"`},
		{name: "key/value string", give: "host=db user=app password=s3cret", want: "key/value"},
		{name: "bad port", give: "postgres://app:s3cret@db:99999/app", want: `port "99999"`},
		{name: "opaque postgres", give: "postgres:app@db", want: "postgres://host"},
		{name: "bad URL", give: "postgres://app:s3cret@db:5432/app%zz", want: "invalid URL escape"},
		{name: "sqlite without a file", give: "sqlite:", want: "names no SQLite file"},
		{name: "sqlite bad query", give: "sqlite:x.db?a=%zz", want: "query"},
		{name: "NUL byte", give: "x\x00.db", want: "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseURL(tt.give)
			if err == nil {
				t.Fatalf("parseURL(%q) = nil error, want one containing %q", tt.give, tt.want)
			}
			if !errors.Is(err, ErrInvalidURL) {
				t.Errorf("parseURL(%q) = %v, want an error matching ErrInvalidURL", tt.give, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parseURL(%q) = %q, want it to contain %q", tt.give, err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("parseURL(%q) = %q: the password shows", tt.give, err)
			}
		})
	}
}

func TestRedactAny(t *testing.T) {
	tests := []struct {
		give, want string
	}{
		{give: "postgres://u:pw@h:1/d", want: "postgres://u:xxxxx@h:1/d"},
		{give: "postgres://u:p@w@h/d", want: "postgres://u:xxxxx@h/d"},
		{give: "host=h password=pw user=u", want: "host=h password=xxxxx user=u"},
		{give: "host=h password='p w' user=u", want: "host=h password=xxxxx user=u"},
		{give: "a?PASSWORD=pw&b=1", want: "a?PASSWORD=xxxxx&b=1"},
		{give: "no secrets here", want: "no secrets here"},
	}
	for _, tt := range tests {
		if got := redactAny(tt.give); got != tt.want {
			t.Errorf("redactAny(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

// FuzzParseURL checks that whatever the input, parsing neither panics nor shows the
// password of a postgres URL in its result or error.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"postgres://app:s3cret@db:5432/app", "postgresql://a:b@[::1]/x?password=y", "sqlite:x.db?_txlock=immediate",
		"sqlite::memory:", "file:x.db", "x.db", "host=a password=b", "mysql://a:b@c", "postgres://a:b@c:-1/", "",
	} {
		f.Add(s, "sqretPW")
	}
	f.Fuzz(func(t *testing.T, prefix, pw string) {
		// A password of letters that URL escaping cannot produce (not hex digits), and that
		// the rest of the input does not contain by chance.
		if len(pw) < 6 || strings.Trim(pw, "ghijklmnopqrstuvwyzGHIJKLMNOPQRSTUVWYZ") != "" || strings.Contains(prefix, pw) {
			return
		}
		// Put a password into a postgres URL built around the fuzzed text.
		raw := "postgres://user:" + pw + "@" + prefix
		got, err := parseURL(raw)
		if err != nil {
			if strings.Contains(err.Error(), pw) {
				t.Fatalf("parseURL(%q) error %q shows the password", raw, err)
			}
			return
		}
		if strings.Contains(got.redacted, pw) {
			t.Fatalf("parseURL(%q).redacted = %q shows the password", raw, got.redacted)
		}
		// And arbitrary input never panics.
		_, _ = parseURL(prefix)
	})
}
