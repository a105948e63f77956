package hoxton

import (
	"errors"
	"testing"
	"time"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/retryafter"
)

// A Retry-After of 31.7 years pauses the Connection for minutes, not years.
func TestRetryAfterOfYearsIsCapped(t *testing.T) {
	ts := newTestServer(t, reply(429, errBody(429, "slow down"), "Retry-After", "999999999"))
	budget := NewBudget(100, 10)
	c := newTestClient(t, ts, nil, budget)
	_, err := Sites.List(testContext(t, 5*time.Second), c)
	ra, ok := RetryAfter(err)
	if !IsThrottled(err) || !ok || ra != retryafter.Max {
		t.Fatalf("err = %v, RetryAfter %v (%v); want Throttled with RetryAfter %v", err, ra, ok, retryafter.Max)
	}
	if until := time.Until(budget.PausedUntil()); until > retryafter.Max || until < retryafter.Max-time.Minute {
		t.Errorf("budget paused for %v, want about %v", until, retryafter.Max)
	}
}

// A caller never waits on a long pause: it gets a Throttled error carrying the wait,
// at once, and nothing is sent.
func TestLongBudgetPauseReturnsThrottledAtOnce(t *testing.T) {
	ts := newTestServer(t, reply(200, []any{}))
	budget := NewBudget(100, 10)
	budget.Pause(2 * time.Minute)
	c := newTestClient(t, ts, nil, budget)
	start := time.Now()
	_, err := Sites.List(testContext(t, 10*time.Minute), c)
	if took := time.Since(start); took > time.Second {
		t.Fatalf("ListSites waited %v on a paused budget", took)
	}
	var wait *WaitError
	ra, _ := RetryAfter(err)
	if !IsThrottled(err) || !errors.As(err, &wait) || ra < time.Minute || ra > 2*time.Minute {
		t.Fatalf("err = %v (RetryAfter %v), want Throttled carrying the remaining pause", err, ra)
	}
	if n := len(ts.requests()); n != 0 {
		t.Errorf("%d requests sent during the pause", n)
	}
}

// A rate limit that would hold a caller longer than MaxWait returns at once too, and
// gives its token back, so that the rate is not consumed by callers that did not send.
func TestSlowRateReturnsThrottledAtOnce(t *testing.T) {
	ts := newTestServer(t, reply(200, []any{}))
	budget := NewBudget(0.05, 1) // one request per 20s
	c := newTestClient(t, ts, nil, budget)
	ctx := testContext(t, time.Minute)
	if _, err := Sites.List(ctx, c); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		start := time.Now()
		_, err := Sites.List(ctx, c)
		ra, _ := RetryAfter(err)
		if !IsThrottled(err) || time.Since(start) > time.Second || ra <= MaxWait || ra > 20*time.Second {
			t.Fatalf("err = %v (RetryAfter %v) after %v; want Throttled at once carrying at most 20s", err, ra, time.Since(start))
		}
	}
	if n := len(ts.requests()); n != 1 {
		t.Errorf("%d requests sent, want 1", n)
	}
}

// Short waits still wait, as before: a burst is smoothed, not refused.
func TestShortBudgetWaitStillWaits(t *testing.T) {
	budget := NewBudget(1000, 1)
	budget.Pause(200 * time.Millisecond)
	start := time.Now()
	if err := budget.Wait(testContext(t, 5*time.Second)); err != nil {
		t.Fatalf("Wait = %v", err)
	}
	if time.Since(start) < 150*time.Millisecond {
		t.Error("Wait returned before a short pause ended")
	}
}
