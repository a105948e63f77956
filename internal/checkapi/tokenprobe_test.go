package checkapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// A token request carries the client secret and the refresh token in its body, which
// Go's default client re-sends on a 307 or 308 to wherever the endpoint points. The
// probe requests of check-api (A6) follow no redirect, whatever client the CLI was given.
func TestTokenRequestsDoNotFollowRedirects(t *testing.T) {
	var asked, elsewhere atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	defer target.Close()
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			asked.Add(1)
			http.Redirect(w, r, target.URL+"/steal", status)
		}))
		defer endpoint.Close()
		creds := auth.Credentials{Grant: auth.GrantRefreshToken, TokenURL: endpoint.URL + "/oauth/token",
			ClientID: "cli", ClientSecret: "very-secret", RefreshToken: "refresh-secret", Audience: auth.DefaultAudience}
		for _, asJSON := range []bool{false, true} {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			ans, err := requestToken(ctx, &http.Client{}, creds, asJSON)
			cancel()
			if err != nil || ans.status != status || ans.AccessToken != "" {
				t.Errorf("%d, JSON %v: answer %+v, %v; want the redirect itself, without a token", status, asJSON, ans, err)
			}
		}
	}
	if n := asked.Load(); n != 4 {
		t.Fatalf("the token endpoint received %d requests, want 4", n)
	}
	if n := elsewhere.Load(); n != 0 {
		t.Fatalf("the redirect target received %d token requests", n)
	}
}
