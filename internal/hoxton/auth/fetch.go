package auth

import (
	"context"
	"time"

	"golang.org/x/oauth2"
)

// fetch performs the request of flight f with a snapshot of the credentials
// and publishes its outcome. It runs in its own goroutine under the Source's
// long-lived context, so callers that stop waiting do not cancel it.
//
// A rotated refresh token is persisted before the new access token is handed
// out (see persistRotation): once an access token from the new refresh token
// is used, the server may consider the old one spent, and a restart before the
// new one was saved would lock the Connection out.
func (s *Source) fetch(f *flight, creds Credentials, ch chain) {
	ctx, cancel := context.WithTimeout(s.ctx, fetchTimeout)
	defer cancel()
	// The expiry is counted from before the request, so network latency
	// makes the Source refresh early rather than late.
	start := s.opts.Now()
	tok, refreshed, err := retrieveFor(ctx, s.httpClient(), creds, ch, start)
	now := s.opts.Now()
	e := asError(err, now)
	if e != nil && e.Kind == KindRejected && creds.Grant == GrantRefreshToken &&
		creds.PreviousRefreshToken != "" && creds.PreviousRefreshToken != creds.RefreshToken {
		// The saved refresh token is refused: the rotation that produced it
		// may never have completed at the server. Try the one it replaced.
		observe(creds, e)
		prev := creds
		prev.RefreshToken, prev.PreviousRefreshToken = creds.PreviousRefreshToken, ""
		tok, refreshed, err = retrieveFor(ctx, s.httpClient(), prev, ch, now)
		now = s.opts.Now()
		e = asError(err, now)
		if e == nil {
			creds = prev
		}
	}
	observe(creds, e)

	rotated := ""
	if e == nil && creds.Grant == GrantRefreshToken && tok.RefreshToken != "" && tok.RefreshToken != creds.RefreshToken {
		rotated = tok.RefreshToken
		s.mu.Lock()
		// From now on only the new refresh token is ours; the one it
		// replaced is kept until the new one has been used once.
		s.creds.PreviousRefreshToken, s.creds.RefreshToken = creds.RefreshToken, rotated
		s.mu.Unlock()
		if s.cache != nil {
			next := creds
			next.RefreshToken = rotated
			s.cache.rotated(s, next)
		}
		s.persistRotation(f, Rotation{RefreshToken: rotated, Previous: creds.RefreshToken})
	}

	s.mu.Lock()
	if e == nil {
		if !refreshed {
			s.chainStart = start
		}
		s.storeLocked(tok, start)
		if rotated == "" && creds.Grant == GrantRefreshToken {
			// The refresh token was used and not replaced: nothing older
			// is needed any more.
			s.creds.PreviousRefreshToken = ""
		}
		s.completeLocked(f, publicToken(tok, s.expiry), nil)
	} else {
		s.recordLocked(e, now)
		s.completeLocked(f, nil, e)
	}
	s.flight = nil
	s.mu.Unlock()
}

// completeLocked publishes a flight's outcome once.
func (s *Source) completeLocked(f *flight, tok *oauth2.Token, err error) {
	if f.completed {
		return
	}
	f.completed = true
	f.tok, f.err = tok, err
	close(f.done)
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
	s.tokenType = tok.TokenType
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
