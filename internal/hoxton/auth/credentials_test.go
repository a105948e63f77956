package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

func TestValidate(t *testing.T) {
	full := Credentials{
		TokenURL: "https://auth.hoxton.ai/oauth/token", Audience: testAudience, ClientID: "cli",
		ClientSecret: testClientSecret, Username: "ops@example.com", Password: testPassword, RefreshToken: testRefreshToken,
	}
	with := func(g Grant, edit func(*Credentials)) Credentials {
		c := full
		c.Grant = g
		if edit != nil {
			edit(&c)
		}
		return c
	}
	tests := []struct {
		name        string
		creds       Credentials
		wantMissing []string // field names the error must mention; nil means valid
	}{
		{"client credentials ok", with(GrantClientCredentials, nil), nil},
		{"password ok without client secret", with(GrantPassword, func(c *Credentials) { c.ClientSecret = "" }), nil},
		{"refresh ok without client secret", with(GrantRefreshToken, func(c *Credentials) { c.ClientSecret = "" }), nil},
		{"client credentials needs secret", with(GrantClientCredentials, func(c *Credentials) { c.ClientSecret = "" }), []string{"ClientSecret"}},
		{"password needs username and password", with(GrantPassword, func(c *Credentials) { c.Username, c.Password = "", "" }), []string{"Username", "Password"}},
		{"refresh needs refresh token", with(GrantRefreshToken, func(c *Credentials) { c.RefreshToken = "" }), []string{"RefreshToken"}},
		{"common fields", with(GrantClientCredentials, func(c *Credentials) { c.TokenURL, c.Audience, c.ClientID = "", "", "" }), []string{"TokenURL", "Audience", "ClientID"}},
		{"unknown grant", with("Implicit", nil), []string{"grant"}},
		{"relative token URL", with(GrantClientCredentials, func(c *Credentials) { c.TokenURL = "/oauth/token" }), []string{"TokenURL"}},
		{"token URL with user info", with(GrantClientCredentials, func(c *Credentials) { c.TokenURL = "https://u:p@auth/oauth/token" }), []string{"TokenURL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.creds.Validate()
			if (err == nil) != (tt.wantMissing == nil) {
				t.Fatalf("Validate() = %v, want missing %v", err, tt.wantMissing)
			}
			if err == nil {
				return
			}
			if kindOf(err) != KindMisconfigured {
				t.Errorf("kind = %q, want Misconfigured", kindOf(err))
			}
			for _, f := range tt.wantMissing {
				if !strings.Contains(err.Error(), f) {
					t.Errorf("error %q does not name %s", err, f)
				}
			}
			for _, secret := range []string{testClientSecret, testPassword, testRefreshToken, "ops@example.com"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains a value", err)
				}
			}
		})
	}
}

func TestKey(t *testing.T) {
	base := Credentials{Grant: GrantClientCredentials, TokenURL: "https://a/t", Audience: testAudience, ClientID: "c", ClientSecret: testClientSecret}
	change := map[string]func(*Credentials){
		"secret":   func(c *Credentials) { c.ClientSecret += "x" },
		"password": func(c *Credentials) { c.Password = "p" },
		"refresh":  func(c *Credentials) { c.RefreshToken = "r" },
		"scopes":   func(c *Credentials) { c.Scopes = []string{"offline_access"} },
		"client":   func(c *Credentials) { c.ClientID = "d" },
		"username": func(c *Credentials) { c.Username = "u" },
		"audience": func(c *Credentials) { c.Audience = "other" },
	}
	if strings.Contains(base.Key(), testClientSecret) {
		t.Fatalf("Key %q contains the secret", base.Key())
	}
	if again := base; again.Key() != base.Key() {
		t.Fatal("Key is not deterministic")
	}
	for name, edit := range change {
		t.Run(name, func(t *testing.T) {
			c := base
			edit(&c)
			if c.Key() == base.Key() {
				t.Errorf("changing %s did not change the key", name)
			}
		})
	}
}

// TestNoSecretsLeak formats everything that holds secrets or tokens with
// every common verb and checks that no secret shows up.
func TestNoSecretsLeak(t *testing.T) {
	ep := newEndpoint(t, reply{}, reply{status: 401, code: "invalid_client", desc: "Unauthorized"}, reply{status: 503, raw: "<html>down</html>"})
	creds := clientCreds(ep)
	creds.Grant, creds.Username, creds.Password = GrantPassword, "ops", testPassword
	creds.RefreshToken = testRefreshToken
	cache := newTestCache(t, newClock(), Options{})
	s := cache.Source(creds, nil)
	accessToken := mustToken(t, s) // the cached token must not leak either
	s.Invalidate(accessToken)
	_, rejectedErr := s.Token(context.Background())
	_, unavailableErr := cache.Source(clientCreds(ep), nil).Token(context.Background())
	bad := creds
	bad.Username = ""
	_, invalidErr := cache.Source(bad, nil).Token(context.Background())
	if rejectedErr == nil || unavailableErr == nil || invalidErr == nil {
		t.Fatalf("want three errors, got %v, %v, %v", rejectedErr, unavailableErr, invalidErr)
	}

	values := map[string]any{
		"Credentials": creds, "*Credentials": &creds, "Source": s, "Cache": cache,
		"rejected": rejectedErr, "unavailable": unavailableErr, "misconfigured": invalidErr,
		"in a struct": struct{ C Credentials }{creds}, "in a slice": []Credentials{creds},
	}
	secrets := []string{testClientSecret, testPassword, testRefreshToken, accessToken}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			var outs []string
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
				outs = append(outs, fmt.Sprintf(verb, v))
			}
			if j, err := json.Marshal(v); err == nil {
				outs = append(outs, string(j))
			}
			if err, isErr := v.(error); isErr {
				outs = append(outs, err.Error())
				var re *oauth2.RetrieveError
				if errors.As(err, &re) && re.Response.Request != nil {
					t.Error("RetrieveError still holds the request and its form body")
				}
			}
			for _, out := range outs {
				for _, secret := range secrets {
					if strings.Contains(out, secret) {
						t.Errorf("output %q contains secret %q", out, secret)
					}
				}
			}
		})
	}
	if !strings.Contains(fmt.Sprint(creds), "client-1") {
		t.Errorf("String() = %q lost the client id", fmt.Sprint(creds))
	}
}

func TestCacheSource(t *testing.T) {
	ep := newEndpoint(t)
	cache := newTestCache(t, newClock(), Options{})
	creds := clientCreds(ep)
	s := cache.Source(creds, nil)

	other := creds
	other.ClientID = "client-2"
	tests := []struct {
		name     string
		creds    Credentials
		wantSame bool
		wantLen  int
	}{
		{"same credentials", creds, true, 1},
		{"same credentials, new slice", func() Credentials { c := creds; c.Scopes = []string{}; return c }(), true, 1},
		{"another identity", other, false, 2},
		{"another identity again", other, false, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cache.Source(tt.creds, nil); (got == s) != tt.wantSame {
				t.Errorf("same Source = %v, want %v", got == s, tt.wantSame)
			}
			if n := cache.Len(); n != tt.wantLen {
				t.Errorf("Len = %d, want %d", n, tt.wantLen)
			}
		})
	}

	t.Run("replaced secret evicts the old Source", func(t *testing.T) {
		c := creds
		c.ClientSecret = "rotated"
		if cache.Source(c, nil) == s {
			t.Fatal("new secret returned the old Source")
		}
		if cache.Source(creds, nil) == s {
			t.Error("old credentials still find the evicted Source")
		}
		if n := cache.Len(); n != 2 {
			t.Errorf("Len = %d, want 2", n)
		}
	})

	t.Run("invalid credentials make no request", func(t *testing.T) {
		bad := creds
		bad.ClientSecret = ""
		before := ep.requests()
		_, err := cache.Source(bad, nil).Token(context.Background())
		if kindOf(err) != KindMisconfigured || ep.requests() != before {
			t.Errorf("Token = %v after %d new requests, want Misconfigured and none", err, ep.requests()-before)
		}
	})
}
