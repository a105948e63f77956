package auth

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

const (
	// maxRefreshBefore caps the default refresh window (10% of the lifetime).
	maxRefreshBefore = 10 * time.Minute
	// expirySafety keeps a token that would expire in flight from being used.
	expirySafety = 10 * time.Second
	// fetchTimeout is a backstop for an HTTP client without a timeout: a hung
	// request would otherwise hold the single flight forever.
	fetchTimeout = 2 * time.Minute
	// backoffBase and backoffMax bound how often an unavailable token
	// endpoint is retried, so hundreds of reconciles cannot turn into a
	// request loop against a failing server.
	backoffBase = time.Second
	backoffMax  = time.Minute
)

// Source hands out the access token for one set of credentials. It fetches
// at most one token at a time, caches it, refreshes it shortly before it
// expires, backs off while the endpoint is unavailable and stops asking once
// the credentials are repeatedly rejected (circuit breaker). Obtain Sources
// from a Cache; all methods are safe for concurrent use.
type Source struct {
	ctx     context.Context // long-lived
	opts    Options         // defaults applied
	invalid error           // from Validate; when set no request is ever made
	cache   *Cache          // told about rotated refresh tokens; nil in tests

	// identity, keys and owner are guarded by cache.mu: they are the
	// Cache's bookkeeping of which keys lead to this Source.
	identity string
	keys     []string
	owner    string  // set for Sources from Cache.SourceFor
	dial     Dialect // immutable

	mu          sync.Mutex
	creds       Credentials // RefreshToken follows rotations
	http        *http.Client
	persist     Persist
	persistErr  error         // set while a rotation is not saved
	revoked     bool          // Revoke was called: no more tokens
	chainStart  time.Time     // CAM2: issue time of the chain's first token
	tokenType   string        // Authorization scheme of the cached token
	tok         *oauth2.Token // nil when none is cached
	expiry      time.Time
	usableUntil time.Time
	refreshAt   time.Time
	lastFetched string // access token of the last successful fetch
	reported    bool   // lastFetched has been counted by ReportRejected
	dropped     bool   // lastFetched was dropped before it aged out
	flight      *flight
	lastErr     *Error // last Unavailable outcome, answered until retryAt
	retryAt     time.Time
	unavailable int    // consecutive Unavailable outcomes
	rejection   *Error // latest rejection, wrapped by CircuitOpen errors
	breaker     breaker
}

// flight is one token request shared by every caller that needs a token
// while it runs.
type flight struct {
	done      chan struct{}
	completed bool // done is closed; guarded by Source.mu
	tok       *oauth2.Token
	err       error
}

func newSource(ctx context.Context, opts Options, creds Credentials, persist Persist) *Source {
	s := &Source{ctx: ctx, opts: opts, creds: creds, persist: persist, http: opts.HTTPClient, dial: creds.Dialect.normalized()}
	s.breaker = breaker{threshold: opts.BreakerThreshold, cooldown: opts.BreakerCooldown}
	if err := creds.Validate(); err != nil {
		s.invalid = err
	}
	return s
}

// Token returns a valid token, fetching one if none is cached or the cached
// one is inside its refresh window. Concurrent callers share one request,
// which runs under the Cache's long-lived context: ctx only bounds how long
// this caller waits, and a caller giving up does not cancel the request.
// While the cached token is still valid it is returned instead of an error
// when the refresh fails, ctx ends, the breaker is open or the endpoint is in
// backoff. Errors are *Error, or ctx.Err() when ctx ended first.
func (s *Source) Token(ctx context.Context) (*oauth2.Token, error) {
	if s.invalid != nil {
		return nil, s.invalid
	}
	s.mu.Lock()
	if s.revoked {
		s.mu.Unlock()
		return nil, &Error{Kind: KindRejected, Description: "the tokens of these credentials were revoked"}
	}
	now := s.opts.Now()
	if s.tok != nil && now.Before(s.refreshAt) {
		t := publicToken(s.tok, s.expiry)
		s.mu.Unlock()
		return t, nil
	}
	f := s.flight
	if f == nil {
		if err := s.blockedLocked(now); err != nil {
			t := s.fallbackLocked(now)
			s.mu.Unlock()
			if t != nil {
				return t, nil
			}
			return nil, err
		}
		f = &flight{done: make(chan struct{})}
		s.flight = f
		ch := chain{started: s.chainStart}
		if s.tok != nil && now.Before(s.usableUntil) {
			ch.access = s.tok.AccessToken
		}
		go s.fetch(f, s.creds, ch)
	}
	s.mu.Unlock()

	var err error
	select {
	case <-f.done:
		if f.err == nil {
			return publicToken(f.tok, f.tok.Expiry), nil
		}
		err = f.err
	case <-ctx.Done():
		err = ctx.Err()
	}
	if t := s.fallback(); t != nil {
		return t, nil
	}
	return nil, err
}

// AccessToken returns Token's access token.
func (s *Source) AccessToken(ctx context.Context) (string, error) {
	t, err := s.Token(ctx)
	if err != nil {
		return "", err
	}
	return t.AccessToken, nil
}

// Invalidate drops the cached token if it is accessToken, typically after the
// API answered 401. A token other than the cached one is ignored, so a late
// 401 for an old token cannot discard a newer one.
func (s *Source) Invalidate(accessToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropLocked(accessToken)
}

// ReportRejected tells the Source that the API answered 401 to accessToken,
// a token it issued. It drops that token like Invalidate and counts one
// rejection towards the circuit breaker. Only the most recently fetched
// token counts, and only once, so many concurrent reconciles hitting the
// same 401 count as one rejection.
func (s *Source) ReportRejected(accessToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if accessToken == "" || accessToken != s.lastFetched || s.reported {
		return
	}
	s.reported = true
	s.dropLocked(accessToken)
	s.dropped = true
	s.rejection = &Error{Kind: KindRejected, Description: "the HoxtonAi API answered 401 to a freshly issued token"}
	s.breaker.failure(s.opts.Now())
}

// Expiry returns the expiry of the cached token, or the zero time if none.
func (s *Source) Expiry() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == nil {
		return time.Time{}
	}
	return s.expiry
}

// CircuitOpen reports whether repeated rejections opened the circuit
// breaker. It stays true in the half-open state until a probe succeeds.
func (s *Source) CircuitOpen() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.breaker.isOpen()
}

// String describes the Source by its credentials' non-secret fields.
func (s *Source) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return "auth.Source{" + s.creds.String() + "}"
}

// GoString is String, so that %#v cannot reveal secrets.
func (s *Source) GoString() string { return s.String() }

// Format makes every fmt verb print the redacted String; without it, verbs
// such as %d would print the unexported fields, tokens included.
func (s *Source) Format(f fmt.State, verb rune) { formatRedacted(f, verb, s.String()) }

// TokenType returns the Authorization scheme for this Source's tokens, as
// oauth2.Token.Type normalises it: "JWT" for CAM2, "Bearer" otherwise unless
// the token endpoint said something else.
func (s *Source) TokenType() string {
	s.mu.Lock()
	typ := s.tokenType
	s.mu.Unlock()
	if typ == "" {
		typ = s.dialect().defaultTokenType()
	}
	return (&oauth2.Token{TokenType: typ}).Type()
}

// dialect is immutable after newSource, so it needs no lock.
func (s *Source) dialect() Dialect { return s.dial }

func (s *Source) httpClient() *http.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.http
}

// setPersist replaces the rotation callback if p is non-nil, so that the
// latest caller's persistence logic is used.
func (s *Source) setPersist(p Persist) {
	if p == nil {
		return
	}
	s.mu.Lock()
	s.persist = p
	s.mu.Unlock()
}

// blockedLocked returns the error to answer without a request: the breaker
// is open, or the endpoint was unavailable and the backoff has not passed.
func (s *Source) blockedLocked(now time.Time) error {
	if !s.breaker.allow(now) {
		return &Error{
			Kind:        KindCircuitOpen,
			Description: fmt.Sprintf("%d consecutive rejections; next attempt after %s", s.breaker.failures, s.breaker.openedAt.Add(s.breaker.cooldown).Format(time.RFC3339)),
			Err:         s.rejection,
		}
	}
	if s.lastErr != nil && now.Before(s.retryAt) {
		return s.lastErr
	}
	return nil
}

func (s *Source) fallback() *oauth2.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fallbackLocked(s.opts.Now())
}

// fallbackLocked returns the cached token if it is still safe to use.
func (s *Source) fallbackLocked(now time.Time) *oauth2.Token {
	if s.tok == nil || !now.Before(s.usableUntil) {
		return nil
	}
	return publicToken(s.tok, s.expiry)
}

func (s *Source) dropLocked(accessToken string) {
	if accessToken != "" && s.tok != nil && s.tok.AccessToken == accessToken {
		s.tok = nil
		s.dropped = true
	}
}

// continues reports whether creds are this Source's credentials as a later
// read of their store would show them: the same identity, secrets and
// scopes, and the refresh token the Source holds or the one it just replaced
// (the save of a rotation may still be pending, or the store reverted).
func (s *Source) continues(creds Credentials) bool {
	s.mu.Lock()
	cur := s.creds
	s.mu.Unlock()
	if creds.identity() != cur.identity() || creds.ClientSecret != cur.ClientSecret ||
		creds.Password != cur.Password || quoteAll(creds.Scopes) != quoteAll(cur.Scopes) {
		return false
	}
	if creds.Grant != GrantRefreshToken {
		return true
	}
	return creds.RefreshToken == cur.RefreshToken || (cur.PreviousRefreshToken != "" && creds.RefreshToken == cur.PreviousRefreshToken)
}
