package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// redirecting is a token endpoint answering every request with a 307 to another
// server, which counts what reaches it.
type redirecting struct {
	url              string
	asked, elsewhere atomic.Int32
}

func newRedirecting(t *testing.T) *redirecting {
	t.Helper()
	r := &redirecting{}
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { r.elsewhere.Add(1) }))
	t.Cleanup(target.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.asked.Add(1)
		http.Redirect(w, req, target.URL+"/steal", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/oauth/token"
	return r
}

func (r *redirecting) check(t *testing.T) {
	t.Helper()
	if r.asked.Load() == 0 {
		t.Fatal("the token endpoint was never asked: the test proves nothing")
	}
	if n := r.elsewhere.Load(); n != 0 {
		t.Fatalf("the redirect target received %d requests carrying credentials", n)
	}
}

// A caller's HTTP client may follow redirects (Go's default does, re-sending the
// body of a 307): the token requests of this package never do, whatever client
// they are given.
func TestTokenRequestsNeverFollowRedirects(t *testing.T) {
	following := &http.Client{}
	t.Run("cache client", func(t *testing.T) {
		r := newRedirecting(t)
		creds := Credentials{Grant: GrantClientCredentials, TokenURL: r.url, Audience: testAudience, ClientID: "c", ClientSecret: testClientSecret}
		if _, err := newTestCache(t, nil, Options{HTTPClient: following}).Source(creds, nil).Token(context.Background()); err == nil {
			t.Error("a token was obtained through a redirect")
		}
		r.check(t)
	})
	t.Run("source client", func(t *testing.T) {
		r := newRedirecting(t)
		creds := Credentials{Grant: GrantRefreshToken, TokenURL: r.url, Audience: testAudience, ClientID: "c", ClientSecret: testClientSecret, RefreshToken: testRefreshToken}
		src, _ := newTestCache(t, nil, Options{}).SourceFor("owner", creds, SourceOptions{HTTPClient: following})
		if _, err := src.Token(context.Background()); err == nil {
			t.Error("a token was obtained through a redirect")
		}
		r.check(t)
	})
	t.Run("authorization code exchange", func(t *testing.T) {
		r := newRedirecting(t)
		f := AuthCodeFlow{TokenURL: r.url, ClientID: "cli", ClientSecret: testClientSecret, RedirectURL: "http://127.0.0.1:8085/callback", HTTPClient: following}
		if _, err := f.Exchange(context.Background(), "the-code", "verifier-verifier-verifier-verifier-verifier"); err == nil {
			t.Error("a token was obtained through a redirect")
		}
		r.check(t)
	})
}
