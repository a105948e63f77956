package hoxtontest

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// oauthError is an RFC 6749 error answer of the token endpoint.
type oauthError struct {
	status      int
	code, descr string
}

func oauthErr(status int, code, descr string) *oauthError {
	return &oauthError{status: status, code: code, descr: descr}
}

func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, e.status, map[string]string{"error": e.code, "error_description": e.descr})
}

// handleToken implements POST /oauth/token (assumption A6: JSON and form
// bodies; password and refresh_token grants as in RFC 6749 plus audience).
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	params, perr := tokenParams(r)
	grant := params["grant_type"]
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tok.counts[grant]++
	if s.tok.outage {
		writeOAuthError(w, oauthErr(http.StatusServiceUnavailable, "temporarily_unavailable", "the authorization server is down (injected outage)"))
		return
	}
	if perr != nil {
		writeOAuthError(w, perr)
		return
	}
	info, refresh, err := s.grant(r, params)
	if err != nil {
		if err.status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="hoxton"`)
		}
		writeOAuthError(w, err)
		return
	}
	secs := int(math.Ceil(s.opts.TokenLifetime.Seconds()))
	resp := map[string]any{"access_token": s.issueAccessWith(info, refresh), "token_type": "Bearer", "expires_in": secs}
	if refresh != "" {
		resp["refresh_token"] = refresh
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, resp)
}

// tokenParams reads the request parameters from a JSON or form body. It
// returns whatever it could read even on error, so the call is still counted
// under its grant type.
func tokenParams(r *http.Request) (map[string]string, *oauthError) {
	params := map[string]string{}
	if r.Method != http.MethodPost {
		return params, oauthErr(http.StatusMethodNotAllowed, "invalid_request", "the token endpoint only accepts POST")
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		var raw map[string]any
		if err := json.NewDecoder(io.LimitReader(r.Body, maxBody)).Decode(&raw); err != nil {
			return params, oauthErr(http.StatusBadRequest, "invalid_request", "malformed JSON body")
		}
		for k, v := range raw {
			str, ok := v.(string)
			if !ok {
				return params, oauthErr(http.StatusBadRequest, "invalid_request", "parameter "+k+" must be a string")
			}
			params[k] = str
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return params, oauthErr(http.StatusBadRequest, "invalid_request", "malformed form body")
		}
		for k, v := range r.PostForm {
			params[k] = v[0]
			if len(v) > 1 { // RFC 6749 section 3.2
				return params, oauthErr(http.StatusBadRequest, "invalid_request", "parameter "+k+" repeated")
			}
		}
	default:
		return params, oauthErr(http.StatusBadRequest, "invalid_request", "Content-Type must be application/json or application/x-www-form-urlencoded")
	}
	return params, nil
}

// grant authenticates the client and runs the grant. It returns what the new
// access token speaks for and the refresh token to hand out ("" for none).
// Expects s.mu held.
func (s *Server) grant(r *http.Request, p map[string]string) (grantInfo, string, *oauthError) {
	grant := p["grant_type"]
	switch grant {
	case "":
		return grantInfo{}, "", oauthErr(http.StatusBadRequest, "invalid_request", "grant_type is required")
	case "client_credentials", "password", "refresh_token", "authorization_code":
	default:
		return grantInfo{}, "", oauthErr(http.StatusBadRequest, "unsupported_grant_type", "unsupported grant_type "+grant)
	}
	client, err := s.authenticateClient(r, p)
	if err != nil {
		return grantInfo{}, "", err
	}
	if grants, _ := client["grantTypes"].([]any); !slices.Contains(grants, any(grant)) {
		return grantInfo{}, "", oauthErr(http.StatusBadRequest, "unauthorized_client", "the client may not use grant_type "+grant)
	}
	clientID, _ := client["clientId"].(string)
	org, _ := client["organisationId"].(string)
	switch grant {
	case "client_credentials":
		if err := s.checkAudience(p["audience"], true); err != nil {
			return grantInfo{}, "", err
		}
		return grantInfo{org: org, clientID: clientID}, "", nil
	case "password":
		return s.passwordGrant(p, clientID)
	case "refresh_token":
		return s.refreshGrant(p, clientID)
	default:
		return s.codeGrant(p, clientID)
	}
}

// authenticateClient checks client_id/client_secret, given either in the
// body or with HTTP Basic (never both, RFC 6749 section 2.3.1).
func (s *Server) authenticateClient(r *http.Request, p map[string]string) (map[string]any, *oauthError) {
	id, secret := p["client_id"], p["client_secret"]
	if bid, bsecret, ok := r.BasicAuth(); ok {
		if secret != "" || (id != "" && id != unescape(bid)) {
			return nil, oauthErr(http.StatusBadRequest, "invalid_request", "client credentials given both in the body and with Basic authentication")
		}
		// Basic credentials are form-encoded before base64 (RFC 6749 section 2.3.1).
		id, secret = unescape(bid), unescape(bsecret)
	}
	if id == "" || secret == "" {
		return nil, oauthErr(http.StatusUnauthorized, "invalid_client", "client authentication is required")
	}
	c := s.client(id)
	stored, _ := c["clientSecret"].(string)
	if c == nil || subtle.ConstantTimeCompare([]byte(stored), []byte(secret)) != 1 {
		return nil, oauthErr(http.StatusUnauthorized, "invalid_client", "unknown client or wrong client secret")
	}
	return c, nil
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// checkAudience answers 403 access_denied for an audience the API does not
// serve, and 400 when a required audience is missing.
func (s *Server) checkAudience(aud string, required bool) *oauthError {
	switch {
	case aud == "" && required:
		return oauthErr(http.StatusBadRequest, "invalid_request", "audience is required (use "+s.opts.Audience+")")
	case aud != "" && aud != s.opts.Audience:
		return oauthErr(http.StatusForbidden, "access_denied", "Service not found: "+aud)
	}
	return nil
}

func (s *Server) passwordGrant(p map[string]string, clientID string) (grantInfo, string, *oauthError) {
	if p["username"] == "" || p["password"] == "" {
		return grantInfo{}, "", oauthErr(http.StatusBadRequest, "invalid_request", "username and password are required")
	}
	if err := s.checkAudience(p["audience"], true); err != nil {
		return grantInfo{}, "", err
	}
	for _, u := range s.opts.Users {
		if u.Username == p["username"] && subtle.ConstantTimeCompare([]byte(u.Password), []byte(p["password"])) == 1 {
			org := u.OrganisationID
			if org == "" {
				org = s.opts.OrganisationID
			}
			info := grantInfo{org: org, clientID: clientID, userID: s.userFor(org, u.Username)}
			return info, s.issueRefresh(info), nil
		}
	}
	return grantInfo{}, "", oauthErr(http.StatusBadRequest, "invalid_grant", "wrong username or password")
}

// refreshGrant exchanges a refresh token. By default the old refresh token is
// invalidated and a new one returned (rotation, assumption A6).
func (s *Server) refreshGrant(p map[string]string, clientID string) (grantInfo, string, *oauthError) {
	old := p["refresh_token"]
	if old == "" {
		return grantInfo{}, "", oauthErr(http.StatusBadRequest, "invalid_request", "refresh_token is required")
	}
	info, ok := s.tok.refresh[old]
	if !ok || info.clientID != clientID {
		return grantInfo{}, "", oauthErr(http.StatusBadRequest, "invalid_grant", "unknown, revoked or rotated refresh token")
	}
	if err := s.checkAudience(p["audience"], false); err != nil {
		return grantInfo{}, "", err
	}
	return info, s.rotateLocked(old, info), nil
}

// codeGrant exchanges an authorization code (single use, bound to the client
// and redirect_uri, PKCE-checked when the authorize request had a challenge).
func (s *Server) codeGrant(p map[string]string, clientID string) (grantInfo, string, *oauthError) {
	if p["code"] == "" || p["redirect_uri"] == "" {
		return grantInfo{}, "", oauthErr(http.StatusBadRequest, "invalid_request", "code and redirect_uri are required")
	}
	code, ok := s.tok.codes[p["code"]]
	delete(s.tok.codes, p["code"]) // single use, even when the exchange fails
	switch {
	case !ok || code.clientID != clientID || time.Now().After(code.expires):
		return grantInfo{}, "", oauthErr(http.StatusBadRequest, "invalid_grant", "unknown, used or expired authorization code")
	case code.redirectURI != p["redirect_uri"]:
		return grantInfo{}, "", oauthErr(http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the authorization request")
	}
	if err := verifyPKCE(code, p["code_verifier"]); err != nil {
		return grantInfo{}, "", err
	}
	refresh := ""
	if slices.Contains(strings.Fields(code.scope), "offline_access") {
		refresh = s.issueRefresh(code.grantInfo)
	}
	return code.grantInfo, refresh, nil
}
