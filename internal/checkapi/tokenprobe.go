package checkapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// check-api's A6 probe of the token endpoint's wire format. It is not a way
// to obtain tokens: every command gets its tokens from package auth (see
// apiClient); A6 sends raw requests because it asks what the endpoint
// accepts (a form and a JSON body), which the token layer does not vary.

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

// tokenAnswer is a token endpoint's answer; it holds secrets and is never
// printed.
type tokenAnswer struct {
	status       int
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token"`
	Error        string `json:"error"`
}

// requestToken sends one probe token request for creds, with a form or a JSON body.
// Errors are transport failures; an HTTP error answer is a tokenAnswer with
// its status and OAuth error code.
func requestToken(ctx context.Context, hc *http.Client, creds auth.Credentials, asJSON bool) (*tokenAnswer, error) {
	params := tokenParams(creds)
	var body string
	contentType := "application/x-www-form-urlencoded"
	if asJSON {
		data, err := json.Marshal(params)
		if err != nil {
			return nil, err
		}
		body, contentType = string(data), "application/json"
	} else {
		v := url.Values{}
		for k, val := range params {
			v.Set(k, val)
		}
		body = v.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, creds.TokenURL, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	// The body holds the client secret and the refresh token: a redirect must not
	// carry them elsewhere, so the operator's no-redirect client sends it.
	resp, err := auth.WithoutRedirects(hc).Do(req)
	if err != nil {
		return nil, fmt.Errorf("token endpoint: %w", err)
	}
	defer resp.Body.Close()
	out := &tokenAnswer{}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(out); err != nil && resp.StatusCode == http.StatusOK {
		return nil, errors.New("token endpoint: the answer is not JSON")
	}
	out.status = resp.StatusCode
	return out, nil
}
