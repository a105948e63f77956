package auth

import (
	"net/url"
	"strings"
	"time"
)

// Dialect names the wire format of a token endpoint. HoxtonAi's own endpoint
// speaks RFC 6749 with an audience (Standard); CAM2 and CamStreamer are the
// token endpoints of two camera platforms whose formats x/oauth2 does not
// cover.
type Dialect string

const (
	// DialectStandard is RFC 6749 with the audience parameter (Auth0 style),
	// and RFC 7009 revocation when a RevocationURL is set.
	DialectStandard Dialect = "Standard"
	// DialectCAM2 is the CAM2API endpoint: client_id and client_secret in a
	// form body, {"token", "expires in", "token_type": "JWT"} answers, tokens
	// sent as "Authorization: JWT <token>" and refreshable for a day after
	// issue at a separate refresh URL.
	DialectCAM2 Dialect = "CAM2"
	// DialectCamStreamer is the CamStreamer Cloud endpoint: parameters in
	// the URL query of a POST, grant_type auth_code or refresh_token, errors
	// as {"error": "..."} even with HTTP 200, and a revoke endpoint taking
	// the access token.
	DialectCamStreamer Dialect = "CamStreamer"
)

// cam2RefreshWindow is how long after its first issue a CAM2 token chain can
// be refreshed; after it only the client credentials give a new token.
const cam2RefreshWindow = 24 * time.Hour

// cam2RefreshMargin keeps a refresh from being sent so close to the end of the
// window that the server's clock would refuse it.
const cam2RefreshMargin = time.Minute

// normalized returns the dialect, Standard for "".
func (d Dialect) normalized() Dialect {
	if d == "" {
		return DialectStandard
	}
	return d
}

// known reports whether d is one of the dialects this package speaks.
func (d Dialect) known() bool {
	switch d.normalized() {
	case DialectStandard, DialectCAM2, DialectCamStreamer:
		return true
	}
	return false
}

// defaultTokenType is the Authorization scheme of a dialect whose answers do
// not say it.
func (d Dialect) defaultTokenType() string {
	if d.normalized() == DialectCAM2 {
		return "JWT"
	}
	return "Bearer"
}

// DefaultCAM2RefreshURL is the refresh endpoint CAM2 serves next to its token
// endpoint: the sibling path refresh_token/ (…/token/ gives …/refresh_token/).
// It returns "" for a URL that does not parse.
func DefaultCAM2RefreshURL(tokenURL string) string {
	u, err := url.Parse(tokenURL)
	if err != nil || u.Host == "" {
		return ""
	}
	sibling := "refresh_token/"
	if strings.HasSuffix(u.Path, "/") && u.Path != "/" {
		sibling = "../refresh_token/"
	}
	next := u.ResolveReference(&url.URL{Path: sibling})
	next.RawQuery, next.Fragment = "", ""
	return next.String()
}

// refreshURL returns the CAM2 refresh endpoint of c.
func (c Credentials) refreshURL() string {
	if c.RefreshURL != "" {
		return c.RefreshURL
	}
	return DefaultCAM2RefreshURL(c.TokenURL)
}
