package gcs_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/storage"
	"github.com/resilience-go/resilience/storage/gcs"
)

// BenchmarkManagerPutGet: a 64 KiB upload and download through the Manager against
// fake-gcs-server on loopback (checksum pass, Stat, upload with CRC32C and precondition,
// verified download).
func BenchmarkManagerPutGet(b *testing.B) {
	srv := newServer(b)
	client := newClient(b, srv, nil)
	defer client.Close()
	bk, _ := gcs.New(client, newBucket(srv), "bench")
	m, _ := storage.NewManager(bk, storage.WithBreakerRegistry(breaker.NewRegistry()))
	data := bytes.Repeat([]byte{0x5a}, 64<<10)
	alt := bytes.Clone(data)
	alt[0] ^= 1
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(2 * int64(len(data)))
	i := 0
	for b.Loop() {
		src := data
		if i++; i%2 == 0 {
			src = alt
		}
		if _, err := m.Put(ctx, "k", storage.BytesSource(src)); err != nil {
			b.Fatal(err)
		}
		if _, _, err := m.Get(ctx, "k"); err != nil {
			b.Fatal(err)
		}
	}
}
