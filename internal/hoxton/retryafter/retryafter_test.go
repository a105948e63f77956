package retryafter

import (
	"net/http"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		value string
		want  time.Duration
	}{
		{"", 0},
		{"abc", 0},
		{"0", 0},
		{"-5", 0},
		{"7", 7 * time.Second},
		{" 42 ", 42 * time.Second},
		// 31.7 years, as a hostile or broken server may send: capped to minutes.
		{"999999999", Max},
		// Beyond int64 nanoseconds: neither overflows nor wraps negative.
		{"99999999999999999", Max},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{now.AddDate(40, 0, 0).Format(http.TimeFormat), Max},
	} {
		if got := Parse(tc.value, now); got != tc.want {
			t.Errorf("Parse(%q) = %s, want %s", tc.value, got, tc.want)
		}
	}
}
