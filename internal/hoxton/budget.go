package hoxton

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/retryafter"
)

// Budget is the request budget of one Connection, shared by every controller that talks
// to the service through it. It combines a token-bucket rate limit with a pause that the
// client sets when the service answers 429 (or 503 with Retry-After), so that one
// throttled answer slows every caller down, not only the one that received it.
//
// A nil *Budget is unlimited and never pauses.
type Budget struct {
	limiter *rate.Limiter
	// polls is the lane of drift checks (WithPoll): a share of limiter's rate, so
	// that polls due faster than the budget allows leave the rest to users' changes,
	// new objects and deletions. A poll takes a token here, then one from limiter.
	polls *rate.Limiter

	mu          sync.Mutex
	pausedUntil time.Time

	waited atomic.Int64 // nanoseconds callers spent in Wait (budget_metrics.go)
}

// NewBudget returns a Budget allowing qps requests per second with bursts of up to burst
// requests. A qps of zero or less means no rate limit (pauses still apply); a burst below
// one is raised to one.
func NewBudget(qps float64, burst int) *Budget {
	limit := rate.Limit(qps)
	if qps <= 0 {
		limit = rate.Inf
	}
	if burst < 1 {
		burst = 1
	}
	b := &Budget{limiter: rate.NewLimiter(limit, burst)}
	if limit != rate.Inf {
		b.polls = rate.NewLimiter(limit*PollShare, max(1, int(float64(burst)*PollShare)))
	}
	return b
}

// PollShare is the part of a budget's rate that polls may use: with polls due
// faster than the budget allows, a user's change still finds 30 % of it free, and
// is applied in about a second instead of waiting behind every poll queued before it.
const PollShare = 0.7

// PollMaxWait is the longest a poll's request waits on the budget; see MaxWait.
const PollMaxWait = time.Second

// MaxWait is the longest a request waits on its budget. Requests run inside the
// shared workers of the controllers: a caller that would wait longer gets a
// *WaitError at once and requeues itself after the wait, so that one throttled
// Connection never holds a worker that another Connection's objects need.
const MaxWait = 5 * time.Second

// WaitError says the budget would have made the caller wait Wait (more than
// MaxWait). The client reports it as a Throttled error carrying Wait as RetryAfter.
// Paused is set when the wait is a pause the service asked for (a 429 or 503 with
// Retry-After), not the budget's own rate.
type WaitError struct {
	Wait   time.Duration
	Paused bool
}

func (e *WaitError) Error() string {
	return fmt.Sprintf("request budget exhausted for %s", e.Wait.Round(time.Second))
}

// IsRateWait reports whether err is a request put off by the Connection's own rate
// limit (a *WaitError that is not a pause the service asked for).
func IsRateWait(err error) bool {
	var wait *WaitError
	return errors.As(err, &wait) && !wait.Paused
}

// Wait blocks until the budget allows one more request: first until any active pause has
// ended (including extensions made while waiting), then until the rate limiter grants a
// token. It returns the context's error if ctx ends first, and a *WaitError without
// waiting when either wait would exceed MaxWait.
func (b *Budget) Wait(ctx context.Context) error {
	if b == nil {
		return ctx.Err()
	}
	defer b.recordWait(time.Now())
	for {
		d := time.Until(b.PausedUntil())
		if d <= 0 {
			break
		}
		if d > MaxWait {
			return &WaitError{Wait: d, Paused: true}
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
	limit := MaxWait
	if b.polls != nil && IsPoll(ctx) {
		// The poll lane first, then the whole budget: a poll holds a token of the
		// whole budget only when it is about to be sent, so polls queued in their
		// lane never reserve the budget ahead of the users' requests. A poll waits
		// in a worker for PollMaxWait at most: longer, it waits in the work queue,
		// behind users' work, and leaves the worker to it.
		limit = PollMaxWait
		start := time.Now()
		if err := take(ctx, b.polls, limit); err != nil {
			return err
		}
		limit -= time.Since(start)
	}
	return take(ctx, b.limiter, limit)
}

// take waits for a token of l, or returns a *WaitError at once when that would take
// longer than limit, or the context's error when ctx ends first.
func take(ctx context.Context, l *rate.Limiter, limit time.Duration) error {
	r := l.Reserve()
	if !r.OK() {
		return &WaitError{Wait: MaxWait}
	}
	if d := r.Delay(); d > limit {
		r.Cancel() // give the token back: this caller does not use it
		return &WaitError{Wait: d}
	} else if err := sleep(ctx, d); err != nil {
		r.Cancel()
		return err
	}
	return nil
}

// sleep waits for d, or returns the context's error if ctx ends first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// Pause stops requests until now+d, d capped at retryafter.Max. It extends an active pause but never shortens one.
func (b *Budget) Pause(d time.Duration) {
	if b == nil || d <= 0 {
		return
	}
	until := time.Now().Add(retryafter.Cap(d))
	b.mu.Lock()
	defer b.mu.Unlock()
	if until.After(b.pausedUntil) {
		b.pausedUntil = until
	}
}

// PausedUntil returns the end of the current pause, or a time in the past (possibly the
// zero time) when requests are not paused.
func (b *Budget) PausedUntil() time.Time {
	if b == nil {
		return time.Time{}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pausedUntil
}
