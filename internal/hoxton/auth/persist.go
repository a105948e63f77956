package auth

import (
	"context"
	"time"
)

// Rotation is a refresh token the authorization server just issued in place
// of Previous. Until RefreshToken is saved, a restart could only present
// Previous, which the server may already consider spent.
type Rotation struct {
	RefreshToken string
	Previous     string
}

// Persist saves a rotation. It is retried, with backoff and without a limit,
// until it returns nil or the Cache's context has ended and the flush grace
// period (see Cache.Flush) is over.
type Persist func(ctx context.Context, r Rotation) error

// Retry pacing of a failing Persist, and how long a final attempt may take
// once the Cache's context has ended (shutdown, lost leadership).
const (
	persistRetryBase = 200 * time.Millisecond
	persistRetryMax  = 30 * time.Second
	persistAttempt   = 30 * time.Second
	// FlushGrace bounds the attempts a pending rotation still gets after the
	// Cache's context has ended.
	FlushGrace = 10 * time.Second
)

// persistRotation hands r to the Source's Persist and retries until it is
// saved. Callers waiting on f are released after the first failure, so that
// they can fall back on the previous token while the retries go on; the new
// access token is stored only once r is saved.
func (s *Source) persistRotation(f *flight, r Rotation) {
	s.mu.Lock()
	persist := s.persist
	s.mu.Unlock()
	if persist == nil {
		return
	}
	if s.cache != nil {
		s.cache.pending.start()
		defer s.cache.pending.done()
	}
	ctx := s.ctx
	var graceEnd time.Time
	delay := persistRetryBase
	for attempt := 1; ; attempt++ {
		if ctx.Err() != nil && graceEnd.IsZero() {
			// Shutting down: a spent refresh token is worse than a slow
			// exit, so keep trying for a little longer.
			graceEnd = time.Now().Add(FlushGrace)
			ctx = context.WithoutCancel(ctx)
		}
		actx, cancel := context.WithTimeout(ctx, persistAttempt)
		err := persist(actx, r)
		cancel()
		if err == nil {
			s.mu.Lock()
			if s.persistErr != nil {
				unsavedRotations.Dec()
			}
			s.persistErr = nil
			s.mu.Unlock()
			return
		}
		persistFailures.WithLabelValues(string(s.dialect())).Inc()
		s.mu.Lock()
		if s.persistErr == nil {
			unsavedRotations.Inc()
		}
		s.persistErr = err
		s.completeLocked(f, nil, &Error{Kind: KindUnavailable, Description: "saving the rotated refresh token failed; retrying", Err: err})
		s.mu.Unlock()
		if !graceEnd.IsZero() && time.Now().After(graceEnd) {
			return
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
		delay = min(delay*2, persistRetryMax)
	}
}

// PersistError returns the latest error of saving a rotated refresh token
// while that save is still being retried, and nil otherwise.
func (s *Source) PersistError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.persistErr
}
