package hoxton

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A redirect is never followed: neither the bearer token nor any request reaches the
// target, and the error says why.
func TestRedirectsAreNotFollowed(t *testing.T) {
	target := newTestServer(t, reply(200, []any{}))
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.Path, http.StatusTemporaryRedirect)
	})
	c := newTestClient(t, ts, &fakeTokens{AccessTokenFunc: sequence("token-1")}, nil)
	_, err := Sites.List(testContext(t, 5*time.Second), c)
	if err == nil || !strings.Contains(err.Error(), MsgRedirect) || !IsTerminal(err) {
		t.Fatalf("err = %v, want a Terminal %q", err, MsgRedirect)
	}
	if n := len(target.requests()); n != 0 {
		t.Fatalf("the redirect target received %d requests (Authorization %q)", n, target.requests()[0].Auth)
	}
}

// An error answer reaches conditions only as the service's own {code, message}: the
// rest of a body (an HTML page, a proxy's dump of the request) never does, and a long
// message is cut.
func TestErrorBodyIsNotEchoed(t *testing.T) {
	for _, tc := range []struct {
		name, body, wantMissing string
		maxLen                  int
	}{
		{"HTML page", "<html><body>upstream dump Authorization: Bearer abc</body></html>", "upstream dump", 200},
		{"extra JSON fields", `{"code":500,"message":"boom","debug":"request headers: Bearer abc"}`, "Bearer abc", 200},
		{"long message", `{"code":500,"message":"` + strings.Repeat("x", 5000) + `"}`, strings.Repeat("x", maxServiceMessage+1), maxServiceMessage + 200},
		{"control characters", `{"code":500,"message":"line one\nline two\u001b[31m"}`, "\n", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(tc.body))
			})
			c := newTestClient(t, ts, nil, nil)
			_, err := Sites.List(testContext(t, 5*time.Second), c)
			if err == nil {
				t.Fatal("no error")
			}
			if msg := err.Error(); strings.Contains(msg, tc.wantMissing) || len(msg) > tc.maxLen {
				t.Errorf("error text (%d bytes) echoes the body: %q", len(msg), msg)
			}
		})
	}
}

// A network error names the request path, never the API's URL with its query.
func TestNetworkErrorHidesTheURL(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	base := ts.URL + "/api/v0"
	ts.Close() // nothing listens any more
	c, err := New(Config{BaseURL: base, OrganisationID: testOrg})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Sites.List(testContext(t, 5*time.Second), c)
	if err == nil || strings.Contains(err.Error(), base) || strings.Contains(err.Error(), testOrg) || !IsTransient(err) {
		t.Fatalf("err = %v, want a Transient error without %q or the organisation", err, base)
	}
}
