package hoxtontest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// handleAuthorize implements GET /authorize for the authorization code flow.
// There is no login page: the request is approved at once, as the client's
// organisation's first configured user, and redirected with a code. Errors
// that make the redirect_uri untrustworthy answer 400; the others are
// redirected as RFC 6749 section 4.1.2.1 requires.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, http.MethodGet)
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	client := s.client(q.Get("client_id"))
	if client == nil {
		writeOAuthError(w, oauthErr(http.StatusBadRequest, "invalid_request", "unknown client_id"))
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || !redirect.IsAbs() || redirect.Fragment != "" {
		writeOAuthError(w, oauthErr(http.StatusBadRequest, "invalid_request", "redirect_uri must be an absolute URL without fragment"))
		return
	}
	// A client without registered callbacks (the ones configured in Options)
	// accepts any redirect_uri, so tests can use their own listener.
	if callbacks, _ := client["callbacks"].([]any); len(callbacks) > 0 && !slices.Contains(callbacks, any(q.Get("redirect_uri"))) {
		writeOAuthError(w, oauthErr(http.StatusBadRequest, "invalid_request", "redirect_uri is not one of the client's callbacks"))
		return
	}
	fail := func(code, descr string) {
		v := redirect.Query()
		v.Set("error", code)
		v.Set("error_description", descr)
		if st := q.Get("state"); st != "" {
			v.Set("state", st)
		}
		redirect.RawQuery = v.Encode()
		http.Redirect(w, r, redirect.String(), http.StatusFound)
	}
	method, challenge := q.Get("code_challenge_method"), q.Get("code_challenge")
	grants, _ := client["grantTypes"].([]any)
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "response_type must be code")
		return
	case !slices.Contains(grants, any("authorization_code")):
		fail("unauthorized_client", "the client may not use the authorization code flow")
		return
	case q.Get("audience") != s.opts.Audience:
		fail("access_denied", "audience must be "+s.opts.Audience)
		return
	case method != "" && challenge == "":
		fail("invalid_request", "code_challenge_method without code_challenge")
		return
	case challenge != "" && method == "":
		method = "plain" // RFC 7636 section 4.3
	}
	if method != "" && method != "S256" && method != "plain" {
		fail("invalid_request", "code_challenge_method must be S256 or plain")
		return
	}
	if challenge != "" && (len(challenge) < 43 || len(challenge) > 128) {
		fail("invalid_request", "code_challenge must be 43 to 128 characters")
		return
	}
	org, _ := client["organisationId"].(string)
	clientID, _ := client["clientId"].(string)
	code := randomToken(32)
	s.tok.codes[code] = authCode{
		grantInfo:   grantInfo{org: org, clientID: clientID, userID: s.firstUser(org)},
		redirectURI: q.Get("redirect_uri"), challenge: challenge, method: method,
		scope: q.Get("scope"), expires: time.Now().Add(authCodeLifetime),
	}
	v := redirect.Query()
	v.Set("code", code)
	if st := q.Get("state"); st != "" {
		v.Set("state", st)
	}
	redirect.RawQuery = v.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// firstUser returns the stored user of the first configured login user of
// org, so that /users/me works for authorization-code tokens. Expects s.mu held.
func (s *Server) firstUser(org string) string {
	for _, u := range s.opts.Users {
		if u.OrganisationID == org || (u.OrganisationID == "" && org == s.opts.OrganisationID) {
			return s.userFor(org, u.Username)
		}
	}
	return ""
}

// verifyPKCE checks the code_verifier against the authorize request's
// challenge (RFC 7636 section 4.6).
func verifyPKCE(code authCode, verifier string) *oauthError {
	switch {
	case code.challenge == "" && verifier != "":
		return oauthErr(http.StatusBadRequest, "invalid_request", "code_verifier given, but the authorization request had no code_challenge")
	case code.challenge == "":
		return nil
	case verifier == "":
		return oauthErr(http.StatusBadRequest, "invalid_grant", "code_verifier is required: the authorization request had a code_challenge")
	case len(verifier) < 43 || len(verifier) > 128:
		return oauthErr(http.StatusBadRequest, "invalid_grant", "code_verifier must be 43 to 128 characters")
	}
	want := verifier
	if code.method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(code.challenge)) != 1 {
		return oauthErr(http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
	}
	return nil
}
