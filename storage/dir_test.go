package storage_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/resilience-go/resilience/storage"
	"github.com/resilience-go/resilience/storage/storagetest"
)

func newDir(t *testing.T) *storage.Dir {
	t.Helper()
	d, err := storage.NewDir(filepath.Join(t.TempDir(), "root"))
	if err != nil {
		t.Fatalf("NewDir error = %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestDirConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store { return newDir(t) })
}

// listTree returns every path under dir, relative and slash-separated.
func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDirHostileKeys(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()
	rootPath := filepath.Join(base, "root")
	outside := filepath.Join(base, "outside")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := storage.NewDir(rootPath)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// Links planted inside the root, pointing out of it.
	if err := os.Symlink(outside, filepath.Join(rootPath, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(rootPath, "secretlink")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../outside", filepath.Join(rootPath, "rel")); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		give        string
		wantInvalid bool
	}{
		{give: "../outside/secret", wantInvalid: true},
		{give: "a/../../outside/secret", wantInvalid: true},
		{give: "/etc/passwd", wantInvalid: true},
		{give: "..", wantInvalid: true},
		{give: ".", wantInvalid: true},
		{give: "", wantInvalid: true},
		{give: "a//b", wantInvalid: true},
		{give: "a/", wantInvalid: true},
		{give: `..\outside\secret`, wantInvalid: true},
		{give: "a\x00b", wantInvalid: true},
		{give: "line\nbreak", wantInvalid: true},
		{give: ".storage-tmp-x", wantInvalid: true},
		{give: "sub/.storage-tmp-x", wantInvalid: true},
		{give: "bad\xffutf8", wantInvalid: true},
		{give: strings.Repeat("a", 256), wantInvalid: true},
		{give: strings.Repeat("a/", 600) + "a", wantInvalid: true},
		{give: "escape/secret"},
		{give: "escape/new"},
		{give: "secretlink"},
		{give: "rel/secret"},
		{give: "rel/new"},
	}
	for _, tt := range tests {
		if rc, _, err := d.Get(ctx, tt.give); err == nil {
			rc.Close()
			t.Errorf("Get(%q) succeeded, want an error", tt.give)
		}
		if _, err := d.Stat(ctx, tt.give); err == nil {
			t.Errorf("Stat(%q) succeeded, want an error", tt.give)
		}
	}
	for _, tt := range tests {
		_, err := d.Put(ctx, tt.give, bytes.NewReader([]byte("pwned")), storage.PutOptions{})
		if tt.give == "secretlink" {
			// Renaming over the link replaces the link, inside the root: allowed.
			continue
		}
		if err == nil {
			t.Errorf("Put(%q) succeeded, want an error", tt.give)
		}
		if got := errors.Is(err, storage.ErrInvalidKey); got != tt.wantInvalid {
			t.Errorf("Put(%q) error = %v; ErrInvalidKey = %v, want %v", tt.give, err, got, tt.wantInvalid)
		}
	}
	got, err := os.ReadFile(filepath.Join(outside, "secret"))
	if err != nil || string(got) != "secret" {
		t.Errorf("file outside the root = %q, %v, want it untouched", got, err)
	}
	if names := listTree(t, outside); !slices.Equal(names, []string{".", "secret"}) {
		t.Errorf("outside directory holds %q, want only the secret", names)
	}
	infos, err := d.List(ctx, "")
	if err != nil || len(infos) != 1 || infos[0].Key != "secretlink" || infos[0].Size != 5 {
		t.Errorf("List = %+v, %v, want only secretlink, now a file of ours (links are not objects)", infos, err)
	}
	for _, prefix := range []string{"../", "../outside/", "a/../../"} {
		if _, err := d.List(ctx, prefix); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("List(%q) error = %v, want ErrInvalidKey", prefix, err)
		}
	}
}

func TestDirFIFOIsNotAnObject(t *testing.T) {
	d := newDir(t)
	fifo := filepath.Join(d.Path(), "pipe")
	if err := mkfifo(fifo); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if _, _, err := d.Get(context.Background(), "pipe"); !errors.Is(err, storage.ErrNotExist) {
		t.Errorf("Get(pipe) error = %v, want ErrNotExist without blocking", err)
	}
}

func TestDirLeavesNoTemporaryFiles(t *testing.T) {
	ctx := context.Background()
	d := newDir(t)
	for _, opts := range []storage.PutOptions{{}, {IfNotExist: true}, {CRC32C: 1, HasCRC32C: true}} {
		d.Put(ctx, "x/y", bytes.NewReader([]byte("data")), opts)
	}
	d.Put(ctx, "x/y/z", bytes.NewReader([]byte("data")), storage.PutOptions{}) // y is an object
	names := listTree(t, d.Path())
	if want := []string{".", "x", "x/y"}; !slices.Equal(names, want) {
		t.Errorf("tree = %q, want %q", names, want)
	}
}

func TestDirKeyIsAPrefix(t *testing.T) {
	ctx := context.Background()
	d := newDir(t)
	if _, err := d.Put(ctx, "p/child", bytes.NewReader([]byte("c")), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := d.Put(ctx, "p", bytes.NewReader([]byte("p")), storage.PutOptions{})
	var se *storage.Error
	if !errors.As(err, &se) || storage.IsTransient(err) {
		t.Errorf("Put(p) over prefix p/ error = %v, want a permanent *storage.Error", err)
	}
}

func TestDirChecksumKept(t *testing.T) {
	ctx := context.Background()
	d := newDir(t)
	info, err := d.Put(ctx, "k", bytes.NewReader([]byte("abc")), storage.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := d.Stat(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if !st.HasCRC32C {
		t.Skip("file system without user extended attributes")
	}
	if st.CRC32C != info.CRC32C {
		t.Errorf("Stat CRC32C = %08x, want %08x", st.CRC32C, info.CRC32C)
	}
	// A file rewritten behind the Dir's back: the stale checksum is not reported.
	if err := os.WriteFile(filepath.Join(d.Path(), "k"), []byte("xyz"), 0o644); err != nil {
		t.Fatal(err)
	}
	if st, err := d.Stat(ctx, "k"); err != nil || st.HasCRC32C {
		t.Errorf("Stat after an outside rewrite = %+v, %v, want no checksum", st, err)
	}
}

func TestNewDirErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, give := range []string{"", file, filepath.Join(file, "sub")} {
		if d, err := storage.NewDir(give); err == nil {
			d.Close()
			t.Errorf("NewDir(%q) succeeded, want an error", give)
		}
	}
}
