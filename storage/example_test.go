package storage_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/retry"
	"github.com/resilience-go/resilience/storage"
)

// A Manager over a local directory: upload a file, download it elsewhere, and a missing key.
func ExampleManager() {
	ctx := context.Background()
	tmp, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(tmp)

	st, err := storage.Open(ctx, filepath.Join(tmp, "store")) // or "gs://bucket/prefix" with storage/gcs
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	m, err := storage.NewManager(st, storage.WithBreakerRegistry(breaker.NewRegistry()))
	if err != nil {
		log.Fatal(err)
	}

	src := filepath.Join(tmp, "song.json")
	os.WriteFile(src, []byte(`{"version":2,"bits":16}`), 0o644)
	info, err := m.UploadFile(ctx, src, "waveforms/song.json")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("uploaded %s: %d bytes, crc32c %08x, %s\n", info.Key, info.Size, info.CRC32C, info.ContentType)

	dst := filepath.Join(tmp, "copy.json")
	if _, err := m.DownloadFile(ctx, "waveforms/song.json", dst); err != nil {
		log.Fatal(err)
	}
	b, _ := os.ReadFile(dst)
	fmt.Printf("downloaded: %s\n", b)

	_, _, err = m.Get(ctx, "waveforms/missing.json")
	fmt.Println("missing:", errors.Is(err, storage.ErrNotExist), "breaker:", m.Breaker().State())
	// Output:
	// uploaded waveforms/song.json: 23 bytes, crc32c 519cb780, application/json
	// downloaded: {"version":2,"bits":16}
	// missing: true breaker: closed
}

// Retry behaviour is configurable: retry.Conservative by default, retry.Patient for large
// files, or any retry.Config.
func ExampleWithRetry() {
	st, err := storage.NewDir(os.TempDir())
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	large, err := storage.NewManager(st,
		storage.WithRetry(retry.Patient),
		storage.WithBreaker(breaker.Config{Name: "storage-large", Timeout: breaker.NoTimeout}),
		storage.WithBreakerRegistry(breaker.NewRegistry()))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(large.Breaker().Name())
	// Output: storage-large
}

func ExampleParseURL() {
	for _, s := range []string{"./waveforms", "file:///var/lib/waveforms", "gs://my-bucket/audio/peaks", "gs://My_Bucket"} {
		u, err := storage.ParseURL(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s -> scheme %s, path %q, bucket %q, prefix %q\n", s, u.Scheme, u.Path, u.Bucket, u.Prefix)
	}
	// Output:
	// ./waveforms -> scheme file, path "waveforms", bucket "", prefix ""
	// file:///var/lib/waveforms -> scheme file, path "/var/lib/waveforms", bucket "", prefix ""
	// gs://my-bucket/audio/peaks -> scheme gs, path "", bucket "my-bucket", prefix "audio/peaks/"
	// storage: URL "gs://My_Bucket": bucket name "My_Bucket": may hold only lowercase letters, digits, '-', '_' and '.'
}

func ExampleValidateKey() {
	for _, key := range []string{"audio/song.wav", "../etc/passwd", "a//b", "/abs"} {
		fmt.Println(storage.ValidateKey(key))
	}
	// Output:
	// <nil>
	// storage: invalid key "../etc/passwd": has a ".." segment
	// storage: invalid key "a//b": has an empty segment (// or a trailing /)
	// storage: invalid key "/abs": absolute (begins with /)
}
