package retry

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// The three date forms HTTP allows (RFC 9110, section 5.6.7).
var httpDateFormats = [...]string{
	"Mon, 02 Jan 2006 15:04:05 GMT",  // IMF-fixdate
	"Monday, 02-Jan-06 15:04:05 GMT", // obsolete RFC 850
	"Mon Jan _2 15:04:05 2006",       // obsolete asctime
}

// maxRetryAfterSeconds keeps a delta-seconds value within time.Duration.
const maxRetryAfterSeconds = math.MaxInt64 / int64(time.Second)

// ParseRetryAfter reads an HTTP Retry-After header value: delta-seconds ("120") or an
// HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT", and the two obsolete forms), the latter
// measured from now. A date in the past gives 0. A value that is neither is an error that
// quotes it. Pair it with [After] so the next wait is the server's (capped by MaxDelay):
//
//	if d, err := retry.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); err == nil {
//		return retry.After(fmt.Errorf("GET %s: %s", url, resp.Status), d)
//	}
func ParseRetryAfter(h string, now time.Time) (time.Duration, error) {
	v := strings.TrimSpace(h)
	if v == "" {
		return 0, errors.New("retry: empty Retry-After")
	}
	if isDigits(v) {
		var secs int64
		for i := 0; i < len(v); i++ {
			secs = secs*10 + int64(v[i]-'0')
			if secs > maxRetryAfterSeconds {
				return 0, fmt.Errorf("retry: Retry-After %q is out of range", h)
			}
		}
		return time.Duration(secs) * time.Second, nil
	}
	for _, layout := range httpDateFormats {
		if t, err := time.Parse(layout, v); err == nil {
			return max(t.Sub(now), 0), nil
		}
	}
	return 0, fmt.Errorf("retry: Retry-After %q is neither delta-seconds nor an HTTP-date", h)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
