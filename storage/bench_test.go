package storage_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/storage"
)

func BenchmarkValidateKey(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if err := storage.ValidateKey("waveforms/2024/05/some-song-name.json"); err != nil {
			b.Fatal(err)
		}
	}
}

func benchSizes(b *testing.B, fn func(b *testing.B, data []byte)) {
	for _, size := range []int{4 << 10, 1 << 20} {
		data := bytes.Repeat([]byte{0xa5}, size)
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			fn(b, data)
		})
	}
}

// BenchmarkDirPut: one atomic, durable write (temp file, fsync, rename, fsync dir).
func BenchmarkDirPut(b *testing.B) {
	d, _ := storage.NewDir(b.TempDir())
	defer d.Close()
	benchSizes(b, func(b *testing.B, data []byte) {
		for b.Loop() {
			if _, err := d.Put(context.Background(), "k", bytes.NewReader(data), storage.PutOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkManagerPut: the same write through the Manager (checksum pass, Stat for the
// precondition, breaker, verified upload). The content alternates so every Put writes.
func BenchmarkManagerPut(b *testing.B) {
	d, _ := storage.NewDir(b.TempDir())
	defer d.Close()
	m, _ := storage.NewManager(d, storage.WithBreakerRegistry(breaker.NewRegistry()))
	benchSizes(b, func(b *testing.B, data []byte) {
		alt := bytes.Clone(data)
		alt[0] ^= 1
		i := 0
		for b.Loop() {
			src := data
			if i++; i%2 == 0 {
				src = alt
			}
			if _, err := m.Put(context.Background(), "k", storage.BytesSource(src)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDirGet(b *testing.B) {
	d, _ := storage.NewDir(b.TempDir())
	defer d.Close()
	benchSizes(b, func(b *testing.B, data []byte) {
		d.Put(context.Background(), "k", bytes.NewReader(data), storage.PutOptions{})
		for b.Loop() {
			rc, _, err := d.Get(context.Background(), "k")
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, rc)
			rc.Close()
		}
	})
}

// BenchmarkManagerGet: Get through the Manager (breaker, retry loop, CRC32C verification).
func BenchmarkManagerGet(b *testing.B) {
	d, _ := storage.NewDir(b.TempDir())
	defer d.Close()
	m, _ := storage.NewManager(d, storage.WithBreakerRegistry(breaker.NewRegistry()))
	benchSizes(b, func(b *testing.B, data []byte) {
		d.Put(context.Background(), "k", bytes.NewReader(data), storage.PutOptions{})
		for b.Loop() {
			if _, _, err := m.Get(context.Background(), "k"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
