package hoxton

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Budget is the request budget of one Connection, shared by every controller that talks
// to the service through it. It combines a token-bucket rate limit with a pause that the
// client sets when the service answers 429 (or 503 with Retry-After), so that one
// throttled answer slows every caller down, not only the one that received it.
//
// A nil *Budget is unlimited and never pauses.
type Budget struct {
	limiter *rate.Limiter

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
	return &Budget{limiter: rate.NewLimiter(limit, burst)}
}

// Wait blocks until the budget allows one more request: first until any active pause has
// ended (including extensions made while waiting), then until the rate limiter grants a
// token. It returns the context's error if ctx ends first.
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
		timer := time.NewTimer(d)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
	}
	return b.limiter.Wait(ctx)
}

// Pause stops requests until now+d. It extends an active pause but never shortens one.
func (b *Budget) Pause(d time.Duration) {
	if b == nil || d <= 0 {
		return
	}
	until := time.Now().Add(d)
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
