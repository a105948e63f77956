package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// wireGrant is the grant_type of each grant.
var wireGrant = map[auth.Grant]string{
	auth.GrantClientCredentials: "client_credentials",
	auth.GrantPassword:          "password",
	auth.GrantRefreshToken:      "refresh_token",
}

// tokenParams are the token request parameters of creds. They hold secrets:
// they are sent, never shown.
func tokenParams(creds auth.Credentials) map[string]string {
	p := map[string]string{
		"grant_type": wireGrant[creds.Grant], "client_id": creds.ClientID,
		"client_secret": creds.ClientSecret, "audience": creds.Audience,
	}
	switch creds.Grant {
	case auth.GrantPassword:
		p["username"], p["password"] = creds.Username, creds.Password
	case auth.GrantRefreshToken:
		p["refresh_token"] = creds.RefreshToken
	}
	return p
}

// checkTokenEndpoint covers A6: one token request with a form body and one
// with a JSON body. For the refresh_token grant the second request uses the
// refresh token the first returned, the rotation (if any) is reported, and
// the newest refresh token is returned so the caller uses and persists it.
func (c *checker) checkTokenEndpoint(ctx context.Context, hc *http.Client, creds auth.Credentials) (string, error) {
	refresh := creds.RefreshToken
	for _, asJSON := range []bool{false, true} {
		params := tokenParams(creds)
		if creds.Grant == auth.GrantRefreshToken {
			params["refresh_token"] = refresh
		}
		var body io.Reader
		contentType, kind := "application/x-www-form-urlencoded", "form"
		if asJSON {
			data, err := json.Marshal(params)
			if err != nil {
				return refresh, err
			}
			body, contentType, kind = strings.NewReader(string(data)), "application/json", "JSON"
		} else {
			v := url.Values{}
			for k, val := range params {
				v.Set(k, val)
			}
			body = strings.NewReader(v.Encode())
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, creds.TokenURL, body)
		if err != nil {
			return refresh, err
		}
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return refresh, fmt.Errorf("token endpoint: %w", err)
		}
		var out struct {
			AccessToken  string `json:"access_token"`
			TokenType    string `json:"token_type"`
			RefreshToken string `json:"refresh_token"`
			Error        string `json:"error"`
		}
		decodeErr := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out)
		resp.Body.Close()
		u, _ := url.Parse(creds.TokenURL)
		rep := &reply{status: resp.StatusCode, request: fmt.Sprintf("POST %s (%s body, grant_type=%s)", u.Path, kind, params["grant_type"])}
		if resp.StatusCode != http.StatusOK || decodeErr != nil || out.AccessToken == "" {
			// error is an OAuth error code such as invalid_request: no secret.
			c.res.add("A6", rep, false, "no access token with a %s body (error %q)", kind, out.Error)
			continue
		}
		c.res.add("A6", rep, true, "access_token issued (token_type %q) for a %s body", out.TokenType, kind)
		if creds.Grant == auth.GrantRefreshToken {
			rotated := out.RefreshToken != "" && out.RefreshToken != refresh
			c.res.add("A6", rep, true, "refresh token rotated: %t (either is allowed; a rotated one replaces the old)", rotated)
			if rotated {
				refresh = out.RefreshToken
			}
		}
	}
	return refresh, nil
}
