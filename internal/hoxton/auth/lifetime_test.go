package auth

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// fixedAnswer is a token endpoint answering every POST with body, counting them.
func fixedAnswer(t *testing.T, contentType, body string) (url string, requests *atomic.Int32) {
	t.Helper()
	requests = new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/token/", requests
}

// jwtWithExp is an unsigned JWT whose exp claim is exp, as written.
func jwtWithExp(exp string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(`{"exp":`+exp+`}`)) + ".sig"
}

// A token endpoint claiming an absurd lifetime (expires_in 1e18 seconds, or an exp
// claim centuries ahead) used to overflow the lifetime into a negative duration:
// every call asked for a new token. The lifetime is capped, so many calls share one
// token request, and the token expires within maxLifetime.
func TestAbsurdLifetimesAreCapped(t *testing.T) {
	const calls = 20
	for _, tc := range []struct {
		name, contentType, body string
		creds                   func(url string) Credentials
	}{
		{"Standard, form answer", "application/x-www-form-urlencoded", "access_token=tok&token_type=Bearer&expires_in=1000000000000000000",
			func(url string) Credentials {
				return Credentials{Grant: GrantClientCredentials, TokenURL: url, Audience: testAudience, ClientID: "c", ClientSecret: testClientSecret}
			}},
		{"CAM2 expires in", "application/json", `{"token":"tok","token_type":"JWT","expires in":1e18}`, cam2Creds},
		{"CAM2 JWT exp", "application/json", `{"token":"` + jwtWithExp("1e12") + `","token_type":"JWT"}`, cam2Creds},
		{"CAM2 JWT exp beyond int64", "application/json", `{"token":"` + jwtWithExp("1e300") + `","token_type":"JWT"}`, cam2Creds},
		{"CamStreamer expires_in", "application/json", `{"access_token":"tok","expires_in":1e18}`,
			func(url string) Credentials {
				return Credentials{Dialect: DialectCamStreamer, Grant: GrantRefreshToken, TokenURL: url, ClientID: "c", ClientSecret: testClientSecret, RefreshToken: testRefreshToken}
			}},
		{"CamStreamer JWT exp", "application/json", `{"access_token":"` + jwtWithExp("1e12") + `"}`,
			func(url string) Credentials {
				return Credentials{Dialect: DialectCamStreamer, Grant: GrantRefreshToken, TokenURL: url, ClientID: "c", ClientSecret: testClientSecret, RefreshToken: testRefreshToken}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, requests := fixedAnswer(t, tc.contentType, tc.body)
			clk := newClock()
			src := newTestCache(t, clk, Options{}).Source(tc.creds(url), nil)
			for range calls {
				mustToken(t, src)
			}
			if n := requests.Load(); n != 1 {
				t.Errorf("%d token requests for %d calls, want 1", n, calls)
			}
			if left := src.Expiry().Sub(clk.Now()); left <= 0 || left > maxLifetime {
				t.Errorf("the token expires in %v, want within (0, %v]", left, maxLifetime)
			}
		})
	}
}

func cam2Creds(url string) Credentials {
	return Credentials{Dialect: DialectCAM2, Grant: GrantClientCredentials, TokenURL: url, ClientID: "c", ClientSecret: testClientSecret}
}
