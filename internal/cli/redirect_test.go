package cli_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hoxton-operator/hoxton-operator/internal/cli"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// A token request carries the client secret (and a refresh token or password),
// which Go's default client re-sends on a 307 or 308 to wherever the endpoint
// points. hoxtonctl's token requests, in every dialect, follow no redirect: the
// command fails and the redirect target receives nothing.
func TestTokenRequestsFollowNoRedirect(t *testing.T) {
	var elsewhere atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	defer target.Close()
	const secret = "very-secret-client-secret"
	for _, dialect := range []string{hoxtontest.DialectStandard, hoxtontest.DialectCAM2, hoxtontest.DialectCamStreamer} {
		for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
			t.Run(fmt.Sprintf("%s-%d", dialect, status), func(t *testing.T) {
				var asked atomic.Int32
				endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					asked.Add(1)
					http.Redirect(w, r, target.URL+"/steal", status)
				}))
				defer endpoint.Close()
				vars := map[string]string{
					"HOXTON_API_URL": endpoint.URL + "/api/v0", "HOXTON_TOKEN_URL": endpoint.URL + "/token",
					"HOXTON_ORGANISATION_ID": hoxtontest.DefaultOrganisationID, "HOXTON_TOKEN_DIALECT": dialect,
					"HOXTON_CLIENT_ID": "cli", "HOXTON_CLIENT_SECRET": secret,
				}
				if dialect == hoxtontest.DialectCamStreamer {
					vars["HOXTON_GRANT"], vars["HOXTON_REFRESH_TOKEN"] = "RefreshToken", "refresh-secret"
				}
				res := run(t, cli.Env{Getenv: func(k string) string { return vars[k] }},
					"report", "dwell-time", "--from", "2026-03-01", "--to", "2026-03-02", "-o", "json")
				if res.code != cli.ExitError || asked.Load() == 0 {
					t.Errorf("exit %d after %d token requests; want exit %d\nstderr: %s", res.code, asked.Load(), cli.ExitError, res.stderr)
				}
				if strings.Contains(res.stderr, secret) || strings.Contains(res.stderr, "refresh-secret") {
					t.Errorf("the error shows a secret: %s", res.stderr)
				}
			})
		}
	}
	if n := elsewhere.Load(); n != 0 {
		t.Fatalf("the redirect target received %d requests", n)
	}
}
