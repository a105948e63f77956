package auth

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// defaultLifetime is assumed when the token endpoint omits expires_in. x/oauth2
// would treat such a token as valid forever; a manager that runs for months
// must not, and one request an hour costs nothing.
const defaultLifetime = time.Hour

// maxLifetime caps the lifetime a token endpoint may claim for a token. A claim of
// 1e18 seconds (or an exp claim centuries ahead) would otherwise overflow a
// time.Duration into a negative lifetime, and every call would ask for a new token.
// A week is longer than any real token lives, and one request a week costs nothing.
const maxLifetime = 7 * 24 * time.Hour

// lifetimeOf returns secs seconds as a Duration, capped at maxLifetime.
func lifetimeOf(secs float64) time.Duration {
	if secs >= maxLifetime.Seconds() {
		return maxLifetime
	}
	return time.Duration(secs * float64(time.Second))
}

// retrieve performs one token request for c under ctx, which must carry the
// HTTP client as oauth2.HTTPClient.
//
// clientcredentials.Config lets EndpointParams override grant_type, so the
// password and refresh_token grants reuse x/oauth2's request encoding and its
// error parsing (*oauth2.RetrieveError) instead of a hand-written client.
// AuthStyleInParams sends client_id and client_secret in the form body, as
// HoxtonAi's Auth0-style endpoint expects, and avoids x/oauth2's auto-detect,
// which would send every failing request twice.
func retrieve(ctx context.Context, c Credentials) (*oauth2.Token, error) {
	params := url.Values{"audience": {c.Audience}}
	switch c.Grant {
	case GrantPassword:
		params.Set("grant_type", wireGrantType[GrantPassword])
		params.Set("username", c.Username)
		params.Set("password", c.Password)
	case GrantRefreshToken:
		params.Set("grant_type", wireGrantType[GrantRefreshToken])
		params.Set("refresh_token", c.RefreshToken)
	}
	cfg := &clientcredentials.Config{
		ClientID:       c.ClientID,
		ClientSecret:   c.ClientSecret,
		TokenURL:       c.TokenURL,
		Scopes:         c.Scopes,
		EndpointParams: params,
		AuthStyle:      oauth2.AuthStyleInParams,
	}
	return cfg.Token(ctx)
}

// lifetime reads expires_in from the response. x/oauth2 turns it into an
// absolute Expiry using the wall clock, which the Now hook cannot control, so
// the Source recomputes the expiry from the lifetime and its own clock.
func lifetime(t *oauth2.Token) time.Duration {
	if t.ExpiresIn > 0 {
		return lifetimeOf(float64(t.ExpiresIn))
	}
	// Form-encoded responses leave ExpiresIn empty; the raw value is in
	// Extra, which parses numbers in form values as int64 or float64.
	var secs float64
	switch v := t.Extra("expires_in").(type) {
	case int64:
		secs = float64(v)
	case string:
		secs, _ = strconv.ParseFloat(v, 64)
	case float64:
		secs = v
	case json.Number:
		secs, _ = v.Float64()
	}
	if secs > 0 {
		return lifetimeOf(secs)
	}
	return defaultLifetime
}

// publicToken copies the fields a caller needs. Returning the cached pointer
// would let one caller's mutation affect all others, and leaving out the
// refresh token and raw response keeps long-lived secrets out of callers' hands.
func publicToken(t *oauth2.Token, expiry time.Time) *oauth2.Token {
	return &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType, Expiry: expiry}
}
