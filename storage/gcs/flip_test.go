package gcs_test

import (
	"io"
	"net/http"
	"strings"
)

// flipTransport flips a bit in the body of the next *n object downloads (alt=media).
type flipTransport struct {
	next http.RoundTripper
	n    *int
}

func (t flipTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || *t.n == 0 || !strings.Contains(req.URL.RawQuery, "alt=media") {
		return resp, err
	}
	*t.n--
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if len(b) > 0 {
		b[len(b)/2] ^= 0x10
	}
	resp.Body = io.NopCloser(strings.NewReader(string(b)))
	return resp, nil
}
