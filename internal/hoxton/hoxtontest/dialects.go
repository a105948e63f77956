package hoxtontest

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"time"
)

// Token endpoint dialects (Options.TokenDialect).
const (
	// DialectStandard is HoxtonAi's RFC 6749 endpoint with audience, plus
	// RFC 7009 revocation at /oauth/revoke.
	DialectStandard = "Standard"
	// DialectCAM2 is CAM2API's: POST /token/ with client_id and
	// client_secret answers {"token", "expires in", "token_type": "JWT"};
	// POST /refresh_token/ with token= refreshes within RefreshWindow of the
	// chain's first issue and answers {"token"}. The API then accepts the
	// token only as "Authorization: JWT <token>".
	DialectCAM2 = "CAM2"
	// DialectCamStreamer is CamStreamer Cloud's: POST /oauth2/token with
	// every parameter in the query (grant_type auth_code or refresh_token)
	// answers {"access_token", "expires_in", "refresh_token"}, and errors as
	// {"error": "..."} with HTTP 200; POST /oauth2/revoke?access_token=
	// cancels the access token and its refresh token.
	DialectCamStreamer = "CamStreamer"
)

// DefaultRefreshWindow is CAM2's refresh window.
const DefaultRefreshWindow = 24 * time.Hour

// endpointPaths are the token, refresh and revocation paths of a dialect.
type endpointPaths struct{ token, refresh, revoke string }

// Paths are the token, refresh ("" but for CAM2) and revocation ("" for
// CAM2) paths a dialect's endpoints are served at.
type Paths struct{ Token, Refresh, Revoke string }

// DialectPaths returns the paths of a dialect's endpoints, Standard's for an
// unknown dialect.
func DialectPaths(dialect string) Paths {
	p, ok := dialectPaths[dialect]
	if !ok {
		p = dialectPaths[DialectStandard]
	}
	return Paths{Token: p.token, Refresh: p.refresh, Revoke: p.revoke}
}

var dialectPaths = map[string]endpointPaths{
	DialectStandard:    {token: "/oauth/token", revoke: "/oauth/revoke"},
	DialectCAM2:        {token: "/token/", refresh: "/refresh_token/"},
	DialectCamStreamer: {token: "/oauth2/token", revoke: "/oauth2/revoke"},
}

// RefreshURL returns CAM2's refresh endpoint, or "" for other dialects.
func (s *Server) RefreshURL() string {
	if p := dialectPaths[s.opts.TokenDialect].refresh; p != "" {
		return s.URL() + p
	}
	return ""
}

// RevocationURL returns the dialect's revocation endpoint, or "" for CAM2.
func (s *Server) RevocationURL() string {
	if p := dialectPaths[s.opts.TokenDialect].revoke; p != "" {
		return s.URL() + p
	}
	return ""
}

// dialectRoutes serves the RFC 7009 endpoint and the selected dialect's.
func (s *Server) dialectRoutes(mux *http.ServeMux) {
	mux.HandleFunc("/oauth/revoke", s.handleRevokeRFC7009)
	switch s.opts.TokenDialect {
	case DialectCAM2:
		mux.HandleFunc("/token/", s.handleCAM2Token)
		mux.HandleFunc("/refresh_token/", s.handleCAM2Refresh)
	case DialectCamStreamer:
		mux.HandleFunc("/oauth2/token", s.handleCamStreamerToken)
		mux.HandleFunc("/oauth2/revoke", s.handleCamStreamerRevoke)
	}
}

// handleRevokeRFC7009 implements RFC 7009: the client authenticates in the
// form body; any token it owns is revoked (a refresh token with the access
// tokens issued with it); unknown tokens are answered 200 as the RFC says.
func (s *Server) handleRevokeRFC7009(w http.ResponseWriter, r *http.Request) {
	params, perr := tokenParams(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if perr != nil {
		writeOAuthError(w, perr)
		return
	}
	client, err := s.authenticateClient(r, params)
	if err != nil {
		writeOAuthError(w, err)
		return
	}
	clientID, _ := client["clientId"].(string)
	s.revokeLocked(params["token"], clientID)
	w.WriteHeader(http.StatusOK)
}

// revokeLocked revokes token, an access or refresh token of clientID, and
// the tokens bound to it. Expects s.mu held.
func (s *Server) revokeLocked(token, clientID string) bool {
	revoked := false
	if info, ok := s.tok.refresh[token]; ok && info.clientID == clientID {
		delete(s.tok.refresh, token)
		for at, t := range s.tok.access {
			if t.refresh == token {
				delete(s.tok.access, at)
			}
		}
		revoked = true
	}
	if t, ok := s.tok.access[token]; ok && t.clientID == clientID {
		delete(s.tok.access, token)
		if t.refresh != "" {
			delete(s.tok.refresh, t.refresh)
		}
		revoked = true
	}
	if revoked {
		s.tok.revocations++
	}
	return revoked
}

// cam2Client authenticates CAM2's form parameters.
func (s *Server) cam2Client(r *http.Request) (grantInfo, string) {
	if r.Method != http.MethodPost {
		return grantInfo{}, "Method not allowed."
	}
	if err := r.ParseForm(); err != nil {
		return grantInfo{}, "malformed form body"
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	c := s.client(id)
	stored, _ := c["clientSecret"].(string)
	if c == nil || secret == "" || subtle.ConstantTimeCompare([]byte(stored), []byte(secret)) != 1 {
		return grantInfo{}, "Unable to log in with provided credentials."
	}
	org, _ := c["organisationId"].(string)
	return grantInfo{org: org, clientID: id}, ""
}

// handleCAM2Token issues a JWT for client credentials.
func (s *Server) handleCAM2Token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tok.counts["cam2"]++
	if s.tok.outage {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"detail": "Service unavailable (injected outage)."})
		return
	}
	info, msg := s.cam2Client(r)
	if msg != "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"non_field_errors": []string{msg}})
		return
	}
	now := time.Now()
	token := s.issueCAM2Locked(info, now, now)
	var expiresIn any = int(math.Ceil(s.opts.TokenLifetime.Seconds()))
	if s.opts.OddExpiresIn {
		expiresIn = "one hour"
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": token, "expires in": expiresIn, "token_type": "JWT"})
}

// handleCAM2Refresh refreshes a valid token inside its chain's window.
func (s *Server) handleCAM2Refresh(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tok.counts["cam2_refresh"]++
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"non_field_errors": []string{"token is required"}})
		return
	}
	old := r.PostForm.Get("token")
	t, ok := s.tok.access[old]
	now := time.Now()
	switch {
	case !ok || t.scheme != "JWT" || !now.Before(t.expires):
		writeJSON(w, http.StatusBadRequest, map[string]any{"non_field_errors": []string{"Signature has expired."}})
		return
	case !now.Before(t.chain.Add(s.opts.RefreshWindow)):
		writeJSON(w, http.StatusBadRequest, map[string]any{"non_field_errors": []string{"Refresh has expired."}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": s.issueCAM2Locked(t.grantInfo, t.chain, now)})
}

// issueCAM2Locked records a CAM2 token: an unsigned-looking JWT whose exp
// claim is its expiry. Expects s.mu held.
func (s *Server) issueCAM2Locked(info grantInfo, chain, now time.Time) string {
	expires := now.Add(s.opts.TokenLifetime)
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"JWT","alg":"HS256"}`))
	claims, _ := json.Marshal(map[string]any{"exp": expires.Unix(), "orig_iat": chain.Unix(), "client_id": info.clientID})
	token := header + "." + base64.RawURLEncoding.EncodeToString(claims) + "." + randomToken(32)
	s.tok.access[token] = accessToken{grantInfo: info, expires: expires, scheme: "JWT", chain: chain}
	return token
}

// handleCamStreamerToken serves the code exchange (grant_type auth_code) and
// refresh, parameters in the URL query. Grant errors are answered with HTTP
// 200 and {"error": "..."}; a request without client credentials with 400.
func (s *Server) handleCamStreamerToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tok.counts["camstreamer_"+q.Get("grant_type")]++
	switch {
	case s.tok.outage:
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": "Service temporarily unavailable"})
		return
	case r.Method != http.MethodPost:
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": "POST required"})
		return
	case q.Get("client_id") == "" || q.Get("client_secret") == "":
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "Missing client_id or client_secret"})
		return
	}
	c := s.client(q.Get("client_id"))
	stored, _ := c["clientSecret"].(string)
	if c == nil || subtle.ConstantTimeCompare([]byte(stored), []byte(q.Get("client_secret"))) != 1 {
		writeJSON(w, http.StatusOK, map[string]any{"error": "Invalid client credentials"})
		return
	}
	clientID := q.Get("client_id")
	var info grantInfo
	var refresh string
	switch q.Get("grant_type") {
	case "refresh_token":
		old := q.Get("refresh_token")
		got, ok := s.tok.refresh[old]
		if !ok || got.clientID != clientID {
			writeJSON(w, http.StatusOK, map[string]any{"error": "Invalid refresh token"})
			return
		}
		info, refresh = got, s.rotateLocked(old, got)
	case "auth_code":
		code, ok := s.tok.codes[q.Get("code")]
		delete(s.tok.codes, q.Get("code"))
		if !ok || code.clientID != clientID || time.Now().After(code.expires) || code.redirectURI != q.Get("redirect_uri") {
			writeJSON(w, http.StatusOK, map[string]any{"error": "Invalid authorization code"})
			return
		}
		info = code.grantInfo
		refresh = s.issueRefresh(info)
	default:
		writeJSON(w, http.StatusOK, map[string]any{"error": fmt.Sprintf("Unsupported grant_type %q", q.Get("grant_type"))})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": s.issueAccessWith(info, refresh), "refresh_token": refresh,
		"expires_in": int(math.Ceil(s.opts.TokenLifetime.Seconds())),
	})
}

// handleCamStreamerRevoke cancels an access token and its refresh token.
func (s *Server) handleCamStreamerRevoke(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("access_token")
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"success": false, "message": "POST required"})
		return
	}
	t, ok := s.tok.access[token]
	if !ok || !s.revokeLocked(token, t.clientID) {
		writeJSON(w, http.StatusOK, map[string]any{"success": false, "message": "Invalid access token"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "message": "Access token revoked"})
}
