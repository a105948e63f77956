package testenv

import (
	"testing"
	"time"
)

// WaitPeriod is how often Eventually asks its condition again.
const WaitPeriod = 100 * time.Millisecond

// Eventually asks cond every WaitPeriod until it holds, and fails t after timeout
// with what and what cond said last.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, last := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s; last seen: %s", timeout, what, last)
		}
		time.Sleep(WaitPeriod)
	}
}
