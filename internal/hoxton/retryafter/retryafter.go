// Package retryafter reads HTTP Retry-After headers. It is the one parser of the
// header in the operator: the API client and the token source both use it, so both
// honour the same cap.
package retryafter

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Max is the longest back-off a server can impose. A Retry-After of years (or a date
// far ahead) would otherwise pause a Connection until someone restarts the manager;
// a real maintenance window is retried every Max, which costs one request.
const Max = 10 * time.Minute

// Parse reads a Retry-After value, in delta-seconds or as an HTTP date relative to
// now, and caps it at Max. It returns 0 when the value is absent, unusable or not in
// the future.
func Parse(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(value, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs >= int64(Max/time.Second) {
			return Max
		}
		d = time.Duration(secs) * time.Second
	} else if at, err := http.ParseTime(value); err == nil {
		d = at.Sub(now)
	}
	return Cap(d)
}

// Cap bounds a back-off to [0, Max].
func Cap(d time.Duration) time.Duration {
	return min(max(d, 0), Max)
}
