package hoxton

import (
	"context"
	"time"
)

// pollKey carries, in a poll's context, the poll interval of the object polled.
type pollKey struct{}

// WithPoll marks the requests made with ctx as a poll, a drift check of an object
// polled every interval: they wait in the budget's poll lane (PollShare of its rate)
// before they take a token of the whole budget, and its GETs may be answered by a
// sweep of their collection (sweep.go).
func WithPoll(ctx context.Context, interval time.Duration) context.Context {
	return context.WithValue(ctx, pollKey{}, interval)
}

// IsPoll reports whether ctx was marked by WithPoll.
func IsPoll(ctx context.Context) bool {
	_, ok := pollInterval(ctx)
	return ok
}

// pollInterval returns the poll interval WithPoll put in ctx, and whether it is a poll.
func pollInterval(ctx context.Context) (time.Duration, bool) {
	d, ok := ctx.Value(pollKey{}).(time.Duration)
	return d, ok
}
