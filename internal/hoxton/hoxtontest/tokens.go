package hoxtontest

import (
	"fmt"
	"strings"
	"time"
)

// tokenState holds every credential the fake has issued. Tokens are opaque
// random strings (the real service issues JWTs, but clients must treat them
// as opaque anyway), bound to an organisation, a client and maybe a user.
type tokenState struct {
	access  map[string]accessToken
	refresh map[string]grantInfo
	codes   map[string]authCode
	counts  map[string]int // token endpoint calls by grant_type ("" when absent)
	outage  bool
	// successors maps a refresh token issued under ReuseRefreshTokenUntilUsed
	// to the one it replaced, which stays valid until the new one is used.
	successors     map[string]string
	revocations    int
	reuseUntilUsed bool
}

// grantInfo is what a credential speaks for.
type grantInfo struct {
	org, clientID, userID string
}

type accessToken struct {
	grantInfo
	expires time.Time
	scheme  string    // Authorization scheme: Bearer, or JWT for CAM2
	refresh string    // the refresh token issued with it; revoking one revokes both
	chain   time.Time // CAM2: when the chain's first token was issued
	retires string    // a refresh token still valid until this token is used
}

// authCode is an authorization code waiting to be exchanged, with the PKCE
// challenge of the authorize request that produced it.
type authCode struct {
	grantInfo
	redirectURI       string
	challenge, method string
	scope             string
	expires           time.Time
}

// authCodeLifetime is how long an unexchanged authorization code stays valid.
const authCodeLifetime = 10 * time.Minute

func newTokenState() tokenState {
	return tokenState{
		access:     map[string]accessToken{},
		refresh:    map[string]grantInfo{},
		codes:      map[string]authCode{},
		counts:     map[string]int{},
		successors: map[string]string{},
	}
}

// authenticate checks an Authorization header against the issued, unexpired
// and unrevoked access tokens.
func (s *Server) authenticate(header string) (principal, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || token == "" {
		return principal{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tok.access[token]
	if !ok || !strings.EqualFold(scheme, t.scheme) {
		return principal{}, false
	}
	if !time.Now().Before(t.expires) {
		delete(s.tok.access, token)
		return principal{}, false
	}
	s.usedLocked(t)
	return principal{org: t.org, clientID: t.clientID, userID: t.userID}, true
}

// issueAccessWith records a new Bearer access token issued with refresh.
// Expects s.mu held.
func (s *Server) issueAccessWith(info grantInfo, refresh string) string {
	token := randomToken(32)
	s.tok.access[token] = accessToken{grantInfo: info, expires: time.Now().Add(s.opts.TokenLifetime),
		scheme: "Bearer", refresh: refresh, retires: s.tok.successors[refresh]}
	return token
}

// usedLocked retires the refresh token a used access token's refresh token
// replaced (ReuseRefreshTokenUntilUsed). Expects s.mu held.
func (s *Server) usedLocked(t accessToken) {
	if t.retires == "" {
		return
	}
	delete(s.tok.refresh, t.retires)
	delete(s.tok.successors, t.refresh)
}

// rotateLocked replaces the refresh token old by a new one, honouring
// KeepRefreshTokens and ReuseRefreshTokenUntilUsed. Expects s.mu held.
func (s *Server) rotateLocked(old string, info grantInfo) string {
	if s.opts.KeepRefreshTokens {
		return old
	}
	if prev, ok := s.tok.successors[old]; ok {
		// The new token is used: the one it replaced is spent now.
		delete(s.tok.refresh, prev)
		delete(s.tok.successors, old)
	}
	if s.tok.reuseUntilUsed {
		// Presenting old again spends the successor it had not used.
		for next, prev := range s.tok.successors {
			if prev == old {
				delete(s.tok.refresh, next)
				delete(s.tok.successors, next)
			}
		}
		next := s.issueRefresh(info)
		s.tok.successors[next] = old
		return next
	}
	delete(s.tok.refresh, old)
	return s.issueRefresh(info)
}

// SetReuseRefreshTokenUntilUsed makes a rotated refresh token stay valid
// until its successor, or an access token issued with it, is used, as
// authorization servers with a reuse interval or grace period do. By default
// a rotation spends the old token at once (assumption A6).
func (s *Server) SetReuseRefreshTokenUntilUsed(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tok.reuseUntilUsed = on
}

// LiveAccessTokens counts the issued access tokens that are neither expired
// nor revoked.
func (s *Server) LiveAccessTokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, t := range s.tok.access {
		if time.Now().Before(t.expires) {
			n++
		}
	}
	return n
}

// Revocations counts the tokens revoked through a revocation endpoint.
func (s *Server) Revocations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tok.revocations
}

// AccessTokenValid reports whether the API would accept token now.
func (s *Server) AccessTokenValid(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tok.access[token]
	return ok && time.Now().Before(t.expires)
}

// RefreshTokenValid reports whether the token endpoint would accept token.
func (s *Server) RefreshTokenValid(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.tok.refresh[token]
	return ok
}

// issueRefresh records a new refresh token. Expects s.mu held.
func (s *Server) issueRefresh(info grantInfo) string {
	token := randomToken(32)
	s.tok.refresh[token] = info
	return token
}

// client returns the OAuth client record (from the oauth-clients collection,
// so API writes and SetClientSecret are seen by the token endpoint).
func (s *Server) client(id string) map[string]any { return s.get("oauth-clients", id) }

// IssueRefreshToken returns a valid refresh token for that client, bound to
// the client's organisation. It panics for an unknown client.
func (s *Server) IssueRefreshToken(clientID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.client(clientID)
	if c == nil {
		panic(fmt.Sprintf("hoxtontest: IssueRefreshToken: unknown client %q", clientID))
	}
	org, _ := c["organisationId"].(string)
	return s.issueRefresh(grantInfo{org: org, clientID: clientID})
}

// RevokeAllTokens invalidates every issued access token, refresh token and
// authorization code: the API answers 401 to them from now on.
func (s *Server) RevokeAllTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tok.access = map[string]accessToken{}
	s.tok.refresh = map[string]grantInfo{}
	s.tok.codes = map[string]authCode{}
	s.tok.successors = map[string]string{}
}

// SetTokenOutage makes the token endpoint answer 503 while on. Tokens already
// issued keep working.
func (s *Server) SetTokenOutage(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tok.outage = on
}

// SetClientSecret rotates a client's secret: the old one is rejected from now
// on. Tokens already issued keep working. It panics for an unknown client.
func (s *Server) SetClientSecret(clientID, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.client(clientID)
	if c == nil {
		panic(fmt.Sprintf("hoxtontest: SetClientSecret: unknown client %q", clientID))
	}
	c["clientSecret"] = secret
}

// TokenRequests counts token endpoint calls with that grant_type, successful
// or not; "" counts all of them.
func (s *Server) TokenRequests(grant string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if grant != "" {
		return s.tok.counts[grant]
	}
	n := 0
	for _, c := range s.tok.counts {
		n += c
	}
	return n
}

// userFor returns the id of the stored user record with that e-mail address
// in that organisation, or "".
func (s *Server) userFor(org, email string) string {
	for id, u := range s.store["users"] {
		if u["organisationId"] == org && u["email"] == email {
			return id
		}
	}
	return ""
}
