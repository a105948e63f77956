package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
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

// CamStreamer takes its scopes comma-separated, and its code exchange with
// every parameter in the query (grant_type auth_code), answering errors with
// HTTP 200.
func TestAuthCodeCamStreamer(t *testing.T) {
	var got url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Query()
		w.Header().Set("Content-Type", "application/json")
		if got.Get("code") != "the-code" {
			_, _ = w.Write([]byte(`{"error": "Invalid authorization code"}`))
			return
		}
		_, _ = w.Write([]byte(`{"access_token": "at", "refresh_token": "rt", "expires_in": 3600}`))
	}))
	defer srv.Close()
	f := AuthCodeFlow{AuthURL: "https://cloud.example/oauth2/authorize", TokenURL: srv.URL + "/oauth2/token",
		ClientID: "cli", ClientSecret: testClientSecret, RedirectURL: "http://127.0.0.1:8085/callback",
		Scopes: []string{"offline_access", "cameras"}, Dialect: DialectCamStreamer}
	authURL, _, verifier := f.Start()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	if s := u.Query().Get("scope"); s != "offline_access,cameras" {
		t.Errorf("scope %q, want comma-separated", s)
	}
	tok, err := f.Exchange(context.Background(), "the-code", verifier)
	if err != nil || tok.AccessToken != "at" || tok.RefreshToken != "rt" {
		t.Fatalf("exchange: %v", err)
	}
	want := map[string]string{"grant_type": "auth_code", "code": "the-code", "client_id": "cli",
		"client_secret": testClientSecret, "redirect_uri": f.RedirectURL}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("query %s = %q, want %q", k, got.Get(k), v)
		}
	}
	if _, err := f.Exchange(context.Background(), "wrong", verifier); err == nil || strings.Contains(err.Error(), testClientSecret) {
		t.Errorf("a refused code: %v", err)
	}
}
