package hoxtontest

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const callback = "http://127.0.0.1:9/callback"

// authorize runs GET /authorize and returns the redirect's query.
func authorize(t *testing.T, s *Server, extra map[string]string) url.Values {
	t.Helper()
	q := url.Values{"response_type": {"code"}, "client_id": {DefaultClientID},
		"redirect_uri": {callback}, "state": {"xyz"}, "audience": {DefaultAudience}}
	for k, v := range extra {
		q.Set(k, v)
	}
	resp, err := noRedirect.Get(s.AuthorizeURL() + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: got %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), callback) {
		t.Fatalf("authorize redirected to %q", resp.Header.Get("Location"))
	}
	if got := loc.Query().Get("state"); got != "xyz" {
		t.Fatalf("state = %q, want xyz", got)
	}
	return loc.Query()
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

var verifier = strings.Repeat("verifier-", 6) // 54 characters, valid per RFC 7636

func codeExchange(code string, extra map[string]string) map[string]string {
	p := map[string]string{"grant_type": "authorization_code", "code": code, "redirect_uri": callback,
		"client_id": DefaultClientID, "client_secret": DefaultClientSecret}
	for k, v := range extra {
		p[k] = v
	}
	return p
}

func TestEveryGrantIssuesAWorkingToken(t *testing.T) {
	client := map[string]string{"client_id": DefaultClientID, "client_secret": DefaultClientSecret}
	with := func(m map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range client {
			out[k] = v
		}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name        string
		params      func(s *Server) map[string]string
		json        bool
		wantRefresh bool
		wantUser    bool
	}{
		{"client_credentials json", func(*Server) map[string]string {
			return with(map[string]string{"grant_type": "client_credentials", "audience": DefaultAudience})
		}, true, false, false},
		{"client_credentials form", func(*Server) map[string]string {
			return with(map[string]string{"grant_type": "client_credentials", "audience": DefaultAudience})
		}, false, false, false},
		{"password", func(*Server) map[string]string {
			return with(map[string]string{"grant_type": "password", "username": DefaultUsername,
				"password": DefaultPassword, "audience": DefaultAudience})
		}, false, true, true},
		{"refresh_token", func(s *Server) map[string]string {
			return with(map[string]string{"grant_type": "refresh_token", "refresh_token": s.IssueRefreshToken(DefaultClientID)})
		}, true, true, false},
		{"authorization_code S256 offline_access", func(s *Server) map[string]string {
			q := authorize(t, s, map[string]string{"code_challenge": s256(verifier),
				"code_challenge_method": "S256", "scope": "openid offline_access"})
			return codeExchange(q.Get("code"), map[string]string{"code_verifier": verifier})
		}, false, true, true},
		{"authorization_code plain", func(s *Server) map[string]string {
			q := authorize(t, s, map[string]string{"code_challenge": verifier, "code_challenge_method": "plain"})
			return codeExchange(q.Get("code"), map[string]string{"code_verifier": verifier})
		}, true, false, true},
		{"authorization_code without PKCE", func(s *Server) map[string]string {
			return codeExchange(authorize(t, s, nil).Get("code"), nil)
		}, false, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newFake(t, Options{})
			status, out := tokenCall(t, s, tc.params(s), tc.json)
			if status != http.StatusOK {
				t.Fatalf("got %d %v", status, out)
			}
			if out["token_type"] != "Bearer" || out["expires_in"] != 86400.0 {
				t.Errorf("token_type/expires_in = %v/%v", out["token_type"], out["expires_in"])
			}
			if _, has := out["refresh_token"]; has != tc.wantRefresh {
				t.Errorf("refresh_token present = %v, want %v", has, tc.wantRefresh)
			}
			a := &api{t: t, s: s, token: out["access_token"].(string)}
			orgs := a.expect(http.StatusOK, "GET", "/organisations", nil).([]any)
			if len(orgs) != 1 || orgs[0].(map[string]any)["id"] != s.OrganisationID() {
				t.Errorf("organisations = %v", orgs)
			}
			if tc.wantUser {
				if me := a.object(http.StatusOK, "GET", "/users/me", nil); me["email"] != DefaultUsername {
					t.Errorf("/users/me = %v", me)
				}
			} else if got := a.status("GET", "/users/me", nil); got != http.StatusNotFound {
				t.Errorf("/users/me without a user: %d, want 404", got)
			}
		})
	}
}

func TestBasicClientAuthentication(t *testing.T) {
	s := newFake(t, Options{})
	req, _ := http.NewRequest("POST", s.TokenURL(), strings.NewReader(url.Values{
		"grant_type": {"client_credentials"}, "audience": {DefaultAudience}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("Basic client authentication: %d", resp.StatusCode)
	}
	req.SetBasicAuth(DefaultClientID, "wrong")
	req.Body, _ = req.GetBody()
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("wrong Basic secret: %d (WWW-Authenticate %q), want 401 with a challenge",
			resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}
