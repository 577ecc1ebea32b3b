package storage_test

import (
	"errors"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/resilience-go/resilience/storage"
)

func TestValidateKey(t *testing.T) {
	tests := []struct {
		give string
		want string // "" for valid, else a piece of the reason
	}{
		{give: "a", want: ""},
		{give: "audio/2024/song.wav", want: ""},
		{give: "with space/ünïcødé/名前.json", want: ""},
		{give: ".hidden/..dots../x.", want: ""},
		{give: "", want: "empty"},
		{give: "/abs", want: "absolute"},
		{give: "a//b", want: "empty segment"},
		{give: "a/", want: "empty segment"},
		{give: "..", want: `".." segment`},
		{give: "a/../b", want: `".." segment`},
		{give: "./a", want: `"." segment`},
		{give: `a\b`, want: "backslash"},
		{give: "a\x00b", want: "control character"},
		{give: "a\nb", want: "control character"},
		{give: "a\u0085b", want: "control character"},
		{give: "a\xffb", want: "UTF-8"},
		{give: strings.Repeat("x", 256), want: "segment longer"},
		{give: strings.Repeat("x/", 513), want: "longer than 1024"},
		{give: ".storage-tmp-abc", want: "reserved"},
	}
	for _, tt := range tests {
		err := storage.ValidateKey(tt.give)
		if tt.want == "" {
			if err != nil {
				t.Errorf("ValidateKey(%q) = %v, want nil", tt.give, err)
			}
			continue
		}
		var ke *storage.KeyError
		if !errors.As(err, &ke) || !errors.Is(err, storage.ErrInvalidKey) || !strings.Contains(ke.Reason, tt.want) {
			t.Errorf("ValidateKey(%q) = %v, want a *KeyError saying %q", tt.give, err, tt.want)
		}
	}
}

func FuzzValidateKey(f *testing.F) {
	for _, s := range []string{"a", "a/b", "../x", "a//b", "/x", `a\b`, "a/./b", ".storage-tmp-1", "\x00", "ü/ä"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if storage.ValidateKey(key) != nil {
			return
		}
		// A valid key is a clean, local, slash-separated path that stays under any root.
		if !utf8.ValidString(key) || len(key) > storage.MaxKeyLen || strings.ContainsAny(key, "\\\x00") {
			t.Fatalf("ValidateKey(%q) = nil for a key breaking the rules", key)
		}
		if path.Clean(key) != key || !filepath.IsLocal(filepath.FromSlash(key)) {
			t.Fatalf("ValidateKey(%q) = nil, but the key is not a clean local path", key)
		}
		root := filepath.FromSlash("/srv/root")
		if joined := filepath.Join(root, filepath.FromSlash(key)); !strings.HasPrefix(joined, root+string(filepath.Separator)) {
			t.Fatalf("key %q escapes the root: %q", key, joined)
		}
	})
}
