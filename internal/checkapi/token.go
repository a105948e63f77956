package checkapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// checkTokenEndpoint covers A6: one token request with a form body and one
// with a JSON body. For the refresh_token grant the second request uses the
// refresh token the first returned, the rotation (if any) is reported, and
// the newest refresh token is returned so the caller uses and persists it.
func (c *checker) checkTokenEndpoint(ctx context.Context, hc *http.Client, creds auth.Credentials) (string, error) {
	refresh := creds.RefreshToken
	for _, asJSON := range []bool{false, true} {
		next := creds
		next.RefreshToken = refresh
		kind := "form"
		if asJSON {
			kind = "JSON"
		}
		ans, err := requestToken(ctx, hc, next, asJSON)
		if err != nil {
			return refresh, err
		}
		u, _ := url.Parse(creds.TokenURL)
		rep := &reply{status: ans.status, request: fmt.Sprintf("POST %s (%s body, grant_type=%s)", u.Path, kind, wireGrant[creds.Grant])}
		if ans.status != http.StatusOK || ans.AccessToken == "" {
			// error is an OAuth error code such as invalid_request: no secret.
			c.res.add("A6", rep, false, "no access token with a %s body (error %q)", kind, ans.Error)
			continue
		}
		c.res.add("A6", rep, true, "access_token issued (token_type %q) for a %s body", ans.TokenType, kind)
		if creds.Grant == auth.GrantRefreshToken {
			rotated := ans.RefreshToken != "" && ans.RefreshToken != refresh
			c.res.add("A6", rep, true, "refresh token rotated: %t (either is allowed; a rotated one replaces the old)", rotated)
			if rotated {
				refresh = ans.RefreshToken
			}
		}
	}
	return refresh, nil
}
