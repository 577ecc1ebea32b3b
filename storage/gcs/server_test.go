package gcs_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	gstorage "cloud.google.com/go/storage"
	"github.com/fsouza/fake-gcs-server/fakestorage"
	"google.golang.org/api/option"
)

// newServer starts fake-gcs-server in-process on a real HTTP listener (loopback).
func newServer(t testing.TB) *fakestorage.Server {
	t.Helper()
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{Scheme: "http", Host: "127.0.0.1", NoListener: false})
	if err != nil {
		t.Fatalf("fake-gcs-server: %v", err)
	}
	t.Cleanup(srv.Stop)
	return srv
}

var bucketSeq atomic.Int64

// newBucket creates a fresh bucket on srv and returns its name.
func newBucket(srv *fakestorage.Server) string {
	name := fmt.Sprintf("test-bucket-%d", bucketSeq.Add(1))
	srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: name})
	return name
}

// newClient returns a client of srv whose requests go through rt (an *http.Transport without
// keep-alives when rt is nil: idle connections would keep a synctest bubble from ever being
// idle).
func newClient(t testing.TB, srv *fakestorage.Server, rt http.RoundTripper) *gstorage.Client {
	t.Helper()
	if rt == nil {
		rt = &http.Transport{DisableKeepAlives: true}
	}
	c, err := gstorage.NewClient(context.Background(),
		option.WithEndpoint(srv.URL()+"/storage/v1/"),
		option.WithHTTPClient(&http.Client{Transport: rt}),
		option.WithoutAuthentication(),
		gstorage.WithJSONReads())
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// faults is a fault-injecting http.RoundTripper in front of the real transport: bursts of
// error statuses, a full outage (error statuses or refused connections), slow responses and
// lost responses (the request reaches the server, the answer does not reach the client).
// Waits run on the clock of the caller's goroutine (synctest's fake clock in a bubble).
type faults struct {
	next http.RoundTripper

	mu       sync.Mutex
	burst    int  // the next burst requests fail with status
	status   int  // the status of a burst or an outage; 503 if zero
	outage   bool // every request fails
	refuse   bool // outages refuse the connection instead of answering
	delay    time.Duration
	lose     int // the next lose uploads (POST) are served, then answered with 503
	requests int
	served   int // requests that reached the server
	onReq    func(*http.Request)
}

func (f *faults) set(fn func(f *faults)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *faults) counts() (requests, served int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests, f.served
}

func (f *faults) RoundTrip(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.requests++
	fail := f.outage || f.burst > 0
	if f.burst > 0 {
		f.burst--
	}
	status, refuse, delay := f.status, f.refuse && f.outage, f.delay
	if status == 0 {
		status = http.StatusServiceUnavailable
	}
	lose := !fail && f.lose > 0 && req.Method == http.MethodPost
	if lose {
		f.lose--
	}
	if !fail {
		f.served++
	}
	onReq := f.onReq
	f.mu.Unlock()
	if onReq != nil {
		onReq(req)
	}

	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-req.Context().Done():
			t.Stop()
			closeBody(req)
			return nil, req.Context().Err()
		}
	}
	switch {
	case refuse:
		closeBody(req)
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	case fail:
		closeBody(req)
		return errorResponse(req, status), nil
	}
	resp, err := f.next.RoundTrip(req)
	if err != nil || !lose {
		return resp, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return errorResponse(req, http.StatusServiceUnavailable), nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

func errorResponse(req *http.Request, status int) *http.Response {
	body := fmt.Sprintf(`{"error":{"code":%d,"message":"injected %s"}}`, status, http.StatusText(status))
	return &http.Response{
		StatusCode:    status,
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}
