package gcs_test

import (
	"context"
	"fmt"
	"log"
	"net/http"

	gstorage "cloud.google.com/go/storage"
	"github.com/fsouza/fake-gcs-server/fakestorage"
	"google.golang.org/api/option"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/storage"
	"github.com/resilience-go/resilience/storage/gcs"
)

// A Manager over a bucket of fake-gcs-server. In production, storage.Open(ctx,
// "gs://bucket/prefix") (or gcs.Open) makes the client from the environment's credentials,
// or talks to STORAGE_EMULATOR_HOST when it is set.
func ExampleNew() {
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{Scheme: "http", Host: "127.0.0.1"})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Stop()
	srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: "waveforms"})

	ctx := context.Background()
	client, err := gstorage.NewClient(ctx,
		option.WithEndpoint(srv.URL()+"/storage/v1/"),
		option.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}),
		gstorage.WithJSONReads())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	bucket, err := gcs.New(client, "waveforms", "peaks")
	if err != nil {
		log.Fatal(err)
	}
	m, err := storage.NewManager(bucket, storage.WithBreakerRegistry(breaker.NewRegistry()))
	if err != nil {
		log.Fatal(err)
	}
	info, err := m.Put(ctx, "song.json", storage.BytesSource([]byte(`{"version":2}`)), storage.ContentType("application/json"))
	if err != nil {
		log.Fatal(err)
	}
	data, _, err := m.Get(ctx, "song.json")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d bytes, crc32c %08x\n%s\nbreaker %s: %s\n", info.Key, info.Size, info.CRC32C, data, m.Breaker().Name(), m.Breaker().State())
	// Output:
	// song.json: 13 bytes, crc32c ade14503
	// {"version":2}
	// breaker storage:gs://waveforms/peaks/: closed
}
