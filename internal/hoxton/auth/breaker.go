package auth

import "time"

// breaker stops a Source from hammering the token endpoint with credentials
// that keep being rejected. It is not safe for concurrent use; Source guards
// it with its mutex.
//
// Rejections are counted from two places: the token endpoint refusing the
// credentials, and the API refusing a token that was just fetched
// (Source.ReportRejected). The second case is why a token endpoint success
// does not always reset the count: when the endpoint happily issues tokens
// that the API rejects (wrong audience, disabled organisation), every
// rejection is followed by a successful fetch, and resetting there would let
// the Source fetch a token per reconcile forever. So a success resets the
// count only when the token before it proved nothing bad: it was replaced
// because it aged, or there was none (see carry in success).
type breaker struct {
	threshold int
	cooldown  time.Duration

	failures int
	open     bool
	openedAt time.Time
}

// allow reports whether a token request may be sent now. An open breaker
// lets a request through once the cooldown has passed (half-open); the
// outcome of that probe closes or re-opens it.
func (b *breaker) allow(now time.Time) bool {
	return !b.open || !now.Before(b.openedAt.Add(b.cooldown))
}

// success records a token issued by the endpoint. carry is true when the
// previous token was dropped early (Invalidate or ReportRejected), in which
// case the count of rejections carries over so that a rejection of this new
// token can re-open the breaker at once.
func (b *breaker) success(carry bool) {
	b.open = false
	if !carry {
		b.failures = 0
	}
}

// failure records a rejection and opens the breaker when the threshold is
// reached. A failed half-open probe restarts the cooldown.
func (b *breaker) failure(now time.Time) {
	b.failures++
	if b.failures >= b.threshold {
		b.open = true
		b.openedAt = now
	}
}

// isOpen reports whether the breaker is open or half-open: in both states
// only a probe after the cooldown may reach the token endpoint.
func (b *breaker) isOpen() bool { return b.open }
