package hoxton

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

func TestBudgetPauseExtendsNeverShortens(t *testing.T) {
	b := NewBudget(0, 1)
	b.Pause(300 * time.Millisecond)
	first := b.PausedUntil()
	b.Pause(10 * time.Millisecond)
	if got := b.PausedUntil(); !got.Equal(first) {
		t.Errorf("shorter pause moved the end from %v to %v", first, got)
	}
	b.Pause(time.Second)
	if got := b.PausedUntil(); !got.After(first) {
		t.Errorf("longer pause did not extend the end beyond %v (got %v)", first, got)
	}
}

func TestBudgetWaitBlocksUntilPauseEnds(t *testing.T) {
	tests := []struct {
		name    string
		ctxTTL  time.Duration
		wantErr error
	}{
		{"deadline before the pause ends", 20 * time.Millisecond, context.DeadlineExceeded},
		{"deadline after the pause ends", 5 * time.Second, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBudget(1000, 10)
			b.Pause(150 * time.Millisecond)
			end := b.PausedUntil()
			err := b.Wait(testContext(t, tt.ctxTTL))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Wait = %v, want %v", err, tt.wantErr)
			}
			if err == nil && time.Now().Before(end) {
				t.Errorf("Wait returned before the pause ended at %v", end)
			}
		})
	}
}

func TestBudgetRateLimits(t *testing.T) {
	b := NewBudget(1, 1) // one token now, the next in a second
	ctx := testContext(t, 5*time.Second)
	if err := b.Wait(ctx); err != nil {
		t.Fatalf("first Wait: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := b.Wait(short); err == nil {
		t.Error("second Wait within the same second was not limited")
	}
}

func TestNilBudgetIsUnlimited(t *testing.T) {
	var b *Budget
	b.Pause(time.Hour)
	if err := b.Wait(context.Background()); err != nil || !b.PausedUntil().IsZero() {
		t.Errorf("nil budget: Wait = %v, PausedUntil = %v", err, b.PausedUntil())
	}
}

func TestThrottledAnswerPausesSharedBudget(t *testing.T) {
	var calls atomic.Int32
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			reply(429, errBody(429, "slow down"), "Retry-After", "1")(w, r)
			return
		}
		reply(200, []any{})(w, r)
	})
	budget := NewBudget(100, 10)
	// Two clients sharing one Connection's budget, as two controllers would.
	first, second := newTestClient(t, ts, nil, budget), newTestClient(t, ts, nil, budget)
	ctx := testContext(t, 10*time.Second)

	_, err := Sites.List(ctx, first)
	if ra, ok := RetryAfter(err); !IsThrottled(err) || !ok || ra != time.Second {
		t.Fatalf("err = %v (RetryAfter %v, %v), want Throttled with RetryAfter 1s", err, ra, ok)
	}
	end := budget.PausedUntil()
	if time.Until(end) <= 0 {
		t.Fatal("budget not paused after 429")
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := Sites.List(short, second); err == nil || calls.Load() != 1 {
		t.Fatalf("call during the pause = %v after %d requests; want it blocked without a request", err, calls.Load())
	}
	if _, err := Sites.List(ctx, second); err != nil {
		t.Fatalf("call after the pause: %v", err)
	}
	if time.Now().Before(end) {
		t.Errorf("request sent before the pause ended at %v", end)
	}
}

// TestPollsLeaveTheirShareOfTheBudget: polls due faster than the budget allows take
// at most PollShare of it, and a user's request made meanwhile is not queued behind
// them. Without the lane, the polls' reservations fill the limiter up to MaxWait
// ahead of it.
func TestPollsLeaveTheirShareOfTheBudget(t *testing.T) {
	const rps, window = 10, 2 * time.Second
	b := NewBudget(rps, 1)
	ctx, cancel := context.WithTimeout(context.Background(), window)
	defer cancel()
	var sent atomic.Int32
	done := make(chan struct{})
	for range 20 {
		go func() {
			defer func() { done <- struct{}{} }()
			for ctx.Err() == nil {
				var wait *WaitError
				start := time.Now()
				err := b.Wait(WithPoll(ctx, time.Minute))
				if took := time.Since(start); took > PollMaxWait+PollMaxWait/2 {
					t.Errorf("a poll waited %v in its worker, want at most %v", took, PollMaxWait)
				}
				switch {
				case err == nil:
					sent.Add(1)
				case errors.As(err, &wait):
					// Requeued after the wait, as the reconciler does.
					_ = sleep(ctx, wait.Wait)
				}
			}
		}()
	}
	// The polls have filled the limiter by now (a second of them queued).
	<-time.After(window / 2)
	start := time.Now()
	if err := b.Wait(context.Background()); err != nil {
		t.Fatalf("a user's request: %v", err)
	}
	if waited := time.Since(start); waited > 500*time.Millisecond {
		t.Errorf("a user's request waited %v behind the polls, want at most 500ms", waited)
	}
	for range 20 {
		<-done
	}
	// The poll lane's burst, then PollShare of the rate for the window.
	if n, most := sent.Load(), int32(1+PollShare*rps*window.Seconds()+1); n > most {
		t.Errorf("%d polls sent in %v, want at most %d (%.0f%% of %d requests a second)", n, window, most, PollShare*100, rps)
	}
}
