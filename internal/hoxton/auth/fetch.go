package auth

import (
	"context"
	"time"

	"golang.org/x/oauth2"
)

// fetch performs the request of flight f with a snapshot of the credentials
// and publishes its outcome. It runs in its own goroutine under the Source's
// long-lived context, so callers that stop waiting do not cancel it.
func (s *Source) fetch(f *flight, creds Credentials) {
	ctx, cancel := context.WithTimeout(s.ctx, fetchTimeout)
	defer cancel()
	// The expiry is counted from before the request, so network latency
	// makes the Source refresh early rather than late.
	start := s.opts.Now()
	tok, err := retrieve(ctx, creds)
	now := s.opts.Now()
	e := classify(err, now)
	observe(string(creds.Grant), e)

	rotated := ""
	if e == nil && creds.Grant == GrantRefreshToken && tok.RefreshToken != "" && tok.RefreshToken != creds.RefreshToken {
		rotated = tok.RefreshToken
		// Register the new key before anyone can learn the new refresh
		// token, so that credentials persisted by onRotate find this Source.
		if s.cache != nil {
			next := creds
			next.RefreshToken = rotated
			s.cache.alias(s, next)
		}
	}

	s.mu.Lock()
	if e == nil {
		s.storeLocked(tok, start)
		f.tok = publicToken(tok, s.expiry)
		if rotated != "" {
			s.creds.RefreshToken = rotated
		}
	} else {
		s.recordLocked(e, now)
		f.err = e
	}
	s.flight = nil
	notify := s.queueRotationLocked(rotated)
	s.mu.Unlock()
	close(f.done)
	notify()
}

// storeLocked caches a freshly issued token and resets the failure state.
func (s *Source) storeLocked(tok *oauth2.Token, start time.Time) {
	life := lifetime(tok)
	before := s.opts.RefreshBefore
	if before <= 0 {
		before = min(life/10, maxRefreshBefore)
	}
	// A refresh window longer than half the lifetime would make almost
	// every call refetch: that is a storm, not caution.
	before = min(before, life/2)
	s.tok = tok
	s.expiry = start.Add(life)
	s.refreshAt = s.expiry.Add(-before)
	s.usableUntil = s.expiry.Add(-min(expirySafety, before))
	s.lastFetched = tok.AccessToken
	s.reported = false
	s.breaker.success(s.dropped)
	s.dropped = false
	s.unavailable = 0
	s.lastErr = nil
}

// recordLocked records a failed request: rejections feed the breaker,
// unavailability the backoff. The cached token, if any, is kept: it stays
// usable until it expires.
func (s *Source) recordLocked(e *Error, now time.Time) {
	if e.Kind == KindRejected {
		s.rejection = e
		// This outcome is an endpoint rejection, not a dropped token: a
		// success after it resets the breaker count.
		s.dropped = false
		s.unavailable = 0
		s.lastErr = nil
		s.breaker.failure(now)
		return
	}
	s.unavailable++
	s.lastErr = e
	s.retryAt = now.Add(max(backoff(s.unavailable), e.retryAfter))
}

// backoff is the wait after n consecutive Unavailable outcomes: 1s, 2s, 4s,
// ... up to backoffMax.
func backoff(n int) time.Duration {
	d := backoffBase
	for i := 1; i < n && d < backoffMax; i++ {
		d *= 2
	}
	return min(d, backoffMax)
}

// queueRotationLocked returns a function that hands rt to the rotation
// callback once every earlier rotation has been handed over. Callbacks run
// outside the lock (they typically write a Kubernetes Secret, and may call
// back into the Source), yet in order, so a slow first callback cannot
// persist an older refresh token after a newer one.
func (s *Source) queueRotationLocked(rt string) func() {
	if rt == "" {
		return func() {}
	}
	prev, mine, cb := s.rotations, make(chan struct{}), s.onRotate
	s.rotations = mine
	return func() {
		defer close(mine)
		if prev != nil {
			<-prev
		}
		if cb != nil {
			cb(rt)
		}
	}
}
