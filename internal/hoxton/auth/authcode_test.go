package auth

import (
	"context"
	"net/url"
	"testing"

	"golang.org/x/oauth2"
)

func testFlow(ep *endpoint) AuthCodeFlow {
	return AuthCodeFlow{
		AuthURL: "https://auth.hoxton.ai/authorize", TokenURL: ep.url(),
		ClientID: "cli", ClientSecret: testClientSecret, RedirectURL: "http://127.0.0.1:8085/callback",
		Audience: testAudience, Scopes: []string{"offline_access"},
	}
}

func TestAuthCodeStart(t *testing.T) {
	f := testFlow(newEndpoint(t))
	authURL, state, verifier := f.Start()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	want := map[string]string{
		"response_type": "code", "client_id": "cli", "redirect_uri": f.RedirectURL,
		"audience": testAudience, "scope": "offline_access", "state": state,
		"code_challenge_method": "S256", "code_challenge": oauth2.S256ChallengeFromVerifier(verifier),
	}
	checkForm(t, q, want, []string{"client_secret", "code_verifier"})
	if u.Host != "auth.hoxton.ai" || u.Path != "/authorize" {
		t.Errorf("auth URL %q does not point at the authorize endpoint", authURL)
	}
	if len(state) < 20 || len(verifier) < 43 {
		t.Errorf("state %d chars, verifier %d chars: too short to be random enough", len(state), len(verifier))
	}
	_, state2, verifier2 := f.Start()
	if state2 == state || verifier2 == verifier {
		t.Error("Start repeated its state or verifier")
	}
}

func TestAuthCodeExchange(t *testing.T) {
	tests := []struct {
		name     string
		reply    reply
		code     string
		wantKind ErrorKind
		wantReq  int
	}{
		{"success", reply{refresh: "rt-1"}, "the-code", "", 1},
		{"rejected code", reply{status: 400, code: "invalid_grant"}, "the-code", KindRejected, 1},
		{"missing code", reply{}, "", KindMisconfigured, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := newEndpoint(t, tt.reply)
			f := testFlow(ep)
			_, _, verifier := f.Start()
			tok, err := f.Exchange(context.Background(), tt.code, verifier)
			if kindOf(err) != tt.wantKind {
				t.Fatalf("Exchange error %v, want kind %q", err, tt.wantKind)
			}
			if ep.requests() != tt.wantReq {
				t.Fatalf("requests = %d, want %d", ep.requests(), tt.wantReq)
			}
			if tt.wantReq == 0 {
				return
			}
			checkForm(t, ep.form(0), map[string]string{
				"grant_type": "authorization_code", "code": tt.code, "code_verifier": verifier,
				"redirect_uri": f.RedirectURL, "client_id": "cli", "client_secret": testClientSecret,
			}, nil)
			if err == nil && (tok.AccessToken != "tok-1" || tok.RefreshToken != "rt-1") {
				t.Errorf("token %q refresh %q, want tok-1 and rt-1", tok.AccessToken, tok.RefreshToken)
			}
		})
	}
}
