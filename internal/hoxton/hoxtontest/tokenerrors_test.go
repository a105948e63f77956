package hoxtontest

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestTokenErrors(t *testing.T) {
	cc := func(m map[string]string) func(*Server) map[string]string {
		return func(*Server) map[string]string {
			p := map[string]string{"grant_type": "client_credentials", "client_id": DefaultClientID,
				"client_secret": DefaultClientSecret, "audience": DefaultAudience}
			for k, v := range m {
				if v == "" {
					delete(p, k)
				} else {
					p[k] = v
				}
			}
			return p
		}
	}
	code := func(challenge map[string]string, exchange map[string]string) func(*Server) map[string]string {
		return func(s *Server) map[string]string {
			return codeExchange(authorize(t, s, challenge).Get("code"), exchange)
		}
	}
	pkce := map[string]string{"code_challenge": s256(verifier), "code_challenge_method": "S256"}
	tests := []struct {
		name   string
		params func(*Server) map[string]string
		status int
		code   string
	}{
		{"wrong secret", cc(map[string]string{"client_secret": "nope"}), 401, "invalid_client"},
		{"unknown client", cc(map[string]string{"client_id": "nobody"}), 401, "invalid_client"},
		{"no client secret", cc(map[string]string{"client_secret": ""}), 401, "invalid_client"},
		{"wrong audience", cc(map[string]string{"audience": "https://elsewhere"}), 403, "access_denied"},
		{"missing audience", cc(map[string]string{"audience": ""}), 400, "invalid_request"},
		{"unsupported grant", cc(map[string]string{"grant_type": "implicit"}), 400, "unsupported_grant_type"},
		{"missing grant", cc(map[string]string{"grant_type": ""}), 400, "invalid_request"},
		{"wrong password", cc(map[string]string{"grant_type": "password", "username": DefaultUsername,
			"password": "nope"}), 400, "invalid_grant"},
		{"unknown refresh token", cc(map[string]string{"grant_type": "refresh_token", "refresh_token": "nope"}),
			400, "invalid_grant"},
		{"refresh for a wrong audience", func(s *Server) map[string]string {
			return cc(map[string]string{"grant_type": "refresh_token", "audience": "https://elsewhere",
				"refresh_token": s.IssueRefreshToken(DefaultClientID)})(s)
		}, 403, "access_denied"},
		{"PKCE wrong verifier", code(pkce, map[string]string{"code_verifier": strings.Repeat("x", 43)}),
			400, "invalid_grant"},
		{"PKCE missing verifier", code(pkce, nil), 400, "invalid_grant"},
		{"verifier without challenge", code(nil, map[string]string{"code_verifier": verifier}),
			400, "invalid_request"},
		{"redirect_uri mismatch", code(nil, map[string]string{"redirect_uri": "http://127.0.0.1:9/other"}),
			400, "invalid_grant"},
		{"unknown code", code(nil, map[string]string{"code": "nope"}), 400, "invalid_grant"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newFake(t, Options{})
			status, out := tokenCall(t, s, tc.params(s), true)
			if status != tc.status || out["error"] != tc.code || out["error_description"] == "" {
				t.Fatalf("got %d %v, want %d %s", status, out, tc.status, tc.code)
			}
			if _, has := out["access_token"]; has {
				t.Fatal("an error answer carries an access token")
			}
		})
	}
}

func TestAuthorizationCodeIsSingleUse(t *testing.T) {
	s := newFake(t, Options{})
	params := codeExchange(authorize(t, s, nil).Get("code"), nil)
	if status, out := tokenCall(t, s, params, true); status != http.StatusOK {
		t.Fatalf("first exchange: %d %v", status, out)
	}
	if status, out := tokenCall(t, s, params, true); status != http.StatusBadRequest || out["error"] != "invalid_grant" {
		t.Fatalf("second exchange: %d %v, want 400 invalid_grant", status, out)
	}
}

func TestAuthorizeRedirectsErrors(t *testing.T) {
	s := newFake(t, Options{})
	if got := authorize(t, s, map[string]string{"audience": "https://elsewhere"}); got.Get("error") != "access_denied" || got.Get("code") != "" {
		t.Errorf("wrong audience: %v", got)
	}
	if got := authorize(t, s, map[string]string{"response_type": "token"}); got.Get("error") != "unsupported_response_type" {
		t.Errorf("response_type token: %v", got)
	}
	if got := authorize(t, s, map[string]string{"code_challenge": s256(verifier), "code_challenge_method": "S512"}); got.Get("error") != "invalid_request" {
		t.Errorf("bad challenge method: %v", got)
	}
	resp, err := noRedirect.Get(s.AuthorizeURL() + "?response_type=code&client_id=nobody&redirect_uri=" + callback)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown client: %d, want 400 without redirect", resp.StatusCode)
	}
}

func TestRefreshTokenRotation(t *testing.T) {
	for _, keep := range []bool{false, true} {
		s := newFake(t, Options{KeepRefreshTokens: keep})
		old := s.IssueRefreshToken(DefaultClientID)
		params := map[string]string{"grant_type": "refresh_token", "refresh_token": old,
			"client_id": DefaultClientID, "client_secret": DefaultClientSecret}
		status, out := tokenCall(t, s, params, false)
		if status != http.StatusOK {
			t.Fatalf("keep=%v: refresh: %d %v", keep, status, out)
		}
		if rotated := out["refresh_token"] != old; rotated == keep {
			t.Errorf("keep=%v: refresh_token %v (old %v)", keep, out["refresh_token"], old)
		}
		status, _ = tokenCall(t, s, params, false)
		if want := map[bool]int{false: 400, true: 200}[keep]; status != want {
			t.Errorf("keep=%v: reusing the old refresh token: %d, want %d", keep, status, want)
		}
	}
}

func TestTokenOutageRevocationAndSecretRotation(t *testing.T) {
	s := newFake(t, Options{})
	a := newAPI(t, s)
	s.SetTokenOutage(true)
	status, out := tokenCall(t, s, map[string]string{"grant_type": "client_credentials",
		"client_id": DefaultClientID, "client_secret": DefaultClientSecret, "audience": DefaultAudience}, true)
	if status != http.StatusServiceUnavailable {
		t.Fatalf("during an outage: %d %v, want 503", status, out)
	}
	if got := a.status("GET", "/organisations", nil); got != http.StatusOK {
		t.Fatalf("an issued token during a token outage: %d, want 200", got)
	}
	s.SetTokenOutage(false)
	refresh := s.IssueRefreshToken(DefaultClientID)
	s.RevokeAllTokens()
	if got := a.status("GET", "/organisations", nil); got != http.StatusUnauthorized {
		t.Fatalf("after RevokeAllTokens: %d, want 401", got)
	}
	status, _ = tokenCall(t, s, map[string]string{"grant_type": "refresh_token", "refresh_token": refresh,
		"client_id": DefaultClientID, "client_secret": DefaultClientSecret}, true)
	if status != http.StatusBadRequest {
		t.Fatalf("revoked refresh token: %d, want 400", status)
	}
	s.SetClientSecret(DefaultClientID, "new-secret")
	status, _ = tokenCall(t, s, map[string]string{"grant_type": "client_credentials",
		"client_id": DefaultClientID, "client_secret": DefaultClientSecret, "audience": DefaultAudience}, true)
	if status != http.StatusUnauthorized {
		t.Fatalf("old secret after rotation: %d, want 401", status)
	}
	ccToken(t, s, DefaultClientID, "new-secret")
	if got, want := s.TokenRequests("client_credentials"), 4; got != want {
		t.Errorf("TokenRequests(client_credentials) = %d, want %d", got, want)
	}
	if got, want := s.TokenRequests(""), 5; got != want {
		t.Errorf("TokenRequests(\"\") = %d, want %d", got, want)
	}
	if got := s.CountRequests("", ""); got != 2 {
		t.Errorf("the request log has %d entries, want the 2 API calls only", got)
	}
}

func TestAccessTokensExpire(t *testing.T) {
	s := newFake(t, Options{TokenLifetime: time.Second})
	status, out := tokenCall(t, s, map[string]string{"grant_type": "client_credentials",
		"client_id": DefaultClientID, "client_secret": DefaultClientSecret, "audience": DefaultAudience}, true)
	if status != http.StatusOK || out["expires_in"] != 1.0 {
		t.Fatalf("token: %d %v, want expires_in 1", status, out)
	}
	a := &api{t: t, s: s, token: out["access_token"].(string)}
	if got := a.status("GET", "/organisations", nil); got != http.StatusOK {
		t.Fatalf("fresh token: %d", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for a.status("GET", "/organisations", nil) != http.StatusUnauthorized {
		if time.Now().After(deadline) {
			t.Fatal("the token still works 5s after a 1s lifetime")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestMissingOrBadBearerToken(t *testing.T) {
	s := newFake(t, Options{})
	for _, token := range []string{"", "garbage"} {
		resp, raw := (&api{t: t, s: s, token: token}).call("GET", "/sites/"+siteA, nil)
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("token %q: %d, want 401 with WWW-Authenticate", token, resp.StatusCode)
		}
		errorMessage(t, http.StatusUnauthorized, raw)
	}
}
