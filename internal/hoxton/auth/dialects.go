package auth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"
)

// chain is what a request needs to know of the tokens already held: CAM2
// refreshes the current access token while its chain, started by the last
// client-credentials request, is younger than a day.
type chain struct {
	access  string    // current access token, "" when none is usable
	started time.Time // when the chain's first token was issued
}

// retrieveFor performs one token request in c's dialect. refreshed reports a
// CAM2 refresh, which continues the chain instead of starting one.
func retrieveFor(ctx context.Context, hc *http.Client, c Credentials, ch chain, now time.Time) (tok *oauth2.Token, refreshed bool, err error) {
	switch c.Dialect.normalized() {
	case DialectCAM2:
		return retrieveCAM2(ctx, hc, c, ch, now)
	case DialectCamStreamer:
		tok, err = retrieveCamStreamer(ctx, hc, c, c.RefreshToken, now)
		return tok, false, err
	default:
		tok, err = retrieve(context.WithValue(ctx, oauth2.HTTPClient, hc), c)
		return tok, false, err
	}
}

// retrieveCAM2 refreshes the current token while its chain is inside the
// refresh window, and otherwise (or when the refresh is refused) asks for a
// new one with the client credentials.
func retrieveCAM2(ctx context.Context, hc *http.Client, c Credentials, ch chain, now time.Time) (*oauth2.Token, bool, error) {
	if ch.access != "" && now.Before(ch.started.Add(cam2RefreshWindow-cam2RefreshMargin)) {
		a, err := post(ctx, hc, c.refreshURL(), url.Values{"token": {ch.access}}, false)
		if err != nil {
			return nil, false, err
		}
		e := a.failure(now)
		if e == nil {
			tok, err := tokenOf(a, DialectCAM2, "token", "expires in", now)
			return tok, err == nil, err
		}
		if e.Kind != KindRejected {
			return nil, false, e
		}
		// A refused refresh (window over by the server's clock, token
		// revoked) is not a verdict on the client credentials: fall through.
	}
	a, err := post(ctx, hc, c.TokenURL, url.Values{"client_id": {c.ClientID}, "client_secret": {c.ClientSecret}}, false)
	if err != nil {
		return nil, false, err
	}
	if e := a.failure(now); e != nil {
		return nil, false, e
	}
	tok, err := tokenOf(a, DialectCAM2, "token", "expires in", now)
	return tok, false, err
}

// camStreamerGrant is the grant_type CamStreamer expects for a refresh.
const camStreamerGrant = "refresh_token"

// retrieveCamStreamer exchanges a refresh token, all parameters in the query.
func retrieveCamStreamer(ctx context.Context, hc *http.Client, c Credentials, refreshToken string, now time.Time) (*oauth2.Token, error) {
	a, err := post(ctx, hc, c.TokenURL, url.Values{
		"client_id": {c.ClientID}, "client_secret": {c.ClientSecret},
		"grant_type": {camStreamerGrant}, "refresh_token": {refreshToken},
	}, true)
	if err != nil {
		return nil, err
	}
	if e := a.failure(now); e != nil {
		return nil, e
	}
	return tokenOf(a, DialectCamStreamer, "access_token", "expires_in", now)
}

// asError turns any error of a token request into an *Error.
func asError(err error, now time.Time) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return classify(err, now)
}
