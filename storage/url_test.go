package storage_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/resilience-go/resilience/storage"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		give string
		want storage.URL
	}{
		{give: "/var/lib/waveforms", want: storage.URL{Scheme: "file", Path: "/var/lib/waveforms"}},
		{give: "./waveforms/", want: storage.URL{Scheme: "file", Path: "waveforms"}},
		{give: "waveforms", want: storage.URL{Scheme: "file", Path: "waveforms"}},
		{give: "./a:b", want: storage.URL{Scheme: "file", Path: "a:b"}},
		{give: "file:///var/lib/waveforms", want: storage.URL{Scheme: "file", Path: "/var/lib/waveforms"}},
		{give: "file://localhost/tmp/x%20y", want: storage.URL{Scheme: "file", Path: "/tmp/x y"}},
		{give: "FILE:///tmp", want: storage.URL{Scheme: "file", Path: "/tmp"}},
		{give: "gs://my-bucket", want: storage.URL{Scheme: "gs", Bucket: "my-bucket"}},
		{give: "gs://my-bucket/", want: storage.URL{Scheme: "gs", Bucket: "my-bucket"}},
		{give: "gs://my-bucket/wave/forms", want: storage.URL{Scheme: "gs", Bucket: "my-bucket", Prefix: "wave/forms/"}},
		{give: "gs://my.bucket_1/p/", want: storage.URL{Scheme: "gs", Bucket: "my.bucket_1", Prefix: "p/"}},
	}
	for _, tt := range tests {
		got, err := storage.ParseURL(tt.give)
		if err != nil {
			t.Errorf("ParseURL(%q) error = %v", tt.give, err)
			continue
		}
		if diff := cmp.Diff(tt.want, *got); diff != "" {
			t.Errorf("ParseURL(%q) mismatch (-want +got):\n%s", tt.give, diff)
		}
	}
}

func TestParseURLErrors(t *testing.T) {
	tests := []struct {
		give string
		want string
	}{
		{give: "", want: "empty"},
		{give: "s3://bucket/x", want: `unsupported scheme "s3"`},
		{give: "gs://", want: "no bucket"},
		{give: "gs:///prefix", want: "no bucket"},
		{give: "gs://UPPER/x", want: `bucket name "UPPER"`},
		{give: "gs://ab", want: "3 to 63"},
		{give: "gs://-bucket", want: "begin and end"},
		{give: "gs://google-stuff", want: "google"},
		{give: "gs://bucket/../x", want: `".." segment`},
		{give: "gs://bucket/a//b", want: "empty segment"},
		{give: "gs://bucket/x?versions=1", want: "query"},
		{give: "gs://bucket/x#frag", want: "fragment"},
		{give: "gs:bucket", want: "want gs://"},
		{give: "file://otherhost/x", want: `host "otherhost"`},
		{give: "file://", want: "no directory"},
		{give: "file:relative", want: "want file://"},
		{give: "gs://user:hunter2@bucket/x", want: "user information"},
		{give: "gs://user:hunter2@buc ket/x", want: "xxxxx"},
		{give: "dir\x00", want: "NUL"},
	}
	for _, tt := range tests {
		got, err := storage.ParseURL(tt.give)
		if err == nil {
			t.Errorf("ParseURL(%q) = %+v, want an error", tt.give, got)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseURL(%q) error = %q, want it to say %q", tt.give, err, tt.want)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParseURL(%q) error = %q repeats the password", tt.give, err)
		}
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"/tmp/x", "x", "./a:b", "file:///x", "file://localhost/a%20b", "gs://bucket/p", "gs://b.c-d_e/x/y/", "gs://u:p@h/x", "a:b", "s3://x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := storage.ParseURL(s)
		if err != nil {
			if strings.Contains(s, "@") && strings.Contains(s, ":") {
				if i := strings.Index(s, "://"); i >= 0 {
					if at := strings.LastIndexByte(s[i+3:], '@'); at > 0 {
						pw := s[i+3 : i+3+at]
						if j := strings.IndexByte(pw, ':'); j >= 0 && len(pw)-j > 4 && strings.Contains(err.Error(), pw[j:]) && !strings.Contains(s[i+3+at:], pw[j:]) {
							t.Fatalf("ParseURL(%q) error %q repeats the password", s, err)
						}
					}
				}
			}
			return
		}
		// What parses prints back to a URL that parses to the same thing.
		again, err := storage.ParseURL(u.String())
		if err != nil {
			t.Fatalf("ParseURL(%q) = %+v, but ParseURL(String() = %q) error = %v", s, u, u.String(), err)
		}
		if *again != *u {
			t.Fatalf("round trip of %q: %+v -> %q -> %+v", s, u, u.String(), again)
		}
		if u.Scheme == "file" && u.Path != filepath.Clean(u.Path) {
			t.Fatalf("ParseURL(%q).Path = %q, not clean", s, u.Path)
		}
		if u.Scheme != "file" && u.Prefix != "" && (strings.HasPrefix(u.Prefix, "/") || !strings.HasSuffix(u.Prefix, "/") ||
			storage.ValidateKey(strings.TrimSuffix(u.Prefix, "/")) != nil) {
			t.Fatalf("ParseURL(%q).Prefix = %q, not a valid key followed by /", s, u.Prefix)
		}
	})
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "store")
	st, err := storage.Open(ctx, "file://"+dir)
	if err != nil {
		t.Fatalf("Open(file URL) error = %v", err)
	}
	if got, want := st.(*storage.Dir).Path(), dir; got != want {
		t.Errorf("Dir.Path() = %q, want %q", got, want)
	}
	st.Close()
	if _, err := storage.Open(ctx, "gs://some-bucket/x"); err == nil || !strings.Contains(err.Error(), "storage/gcs") {
		t.Errorf("Open(gs URL) without the gcs package error = %v, want it to name the package to import", err)
	}
	var ke *storage.KeyError
	if _, err := storage.Open(ctx, "gs://some-bucket/../x"); err == nil || errors.As(err, &ke) {
		t.Errorf("Open(bad prefix) error = %v, want a URL error", err)
	}
}
