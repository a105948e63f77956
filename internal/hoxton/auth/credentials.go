package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// DefaultAudience is the audience HoxtonAi's authorization server expects on
// every token request for the HoxtonAi API.
const DefaultAudience = "https://api.hoxton.cloud"

// Grant names the OAuth2 grant used to obtain tokens.
type Grant string

const (
	// GrantClientCredentials is the machine-to-machine client_credentials grant.
	GrantClientCredentials Grant = "ClientCredentials"
	// GrantPassword is the resource owner password grant.
	GrantPassword Grant = "Password"
	// GrantRefreshToken exchanges a long-lived refresh token for access tokens.
	GrantRefreshToken Grant = "RefreshToken"
)

// wireGrantType maps a Grant to the grant_type sent to the token endpoint.
var wireGrantType = map[Grant]string{
	GrantClientCredentials: "client_credentials",
	GrantPassword:          "password",
	GrantRefreshToken:      "refresh_token",
}

// Credentials are everything needed to obtain tokens for one principal.
// Formatting them with any fmt verb, or marshalling them to JSON, shows only
// the grant, token URL, audience and client ID, so they can be logged safely.
type Credentials struct {
	Grant        Grant
	TokenURL     string
	Audience     string
	ClientID     string
	ClientSecret string
	// Username is the resource owner for GrantPassword.
	Username string
	// Password is the resource owner's password for GrantPassword.
	Password string
	// RefreshToken is the token exchanged by GrantRefreshToken.
	RefreshToken string
	Scopes       []string

	// Dialect is the token endpoint's wire format; "" is DialectStandard.
	Dialect Dialect
	// RefreshURL is CAM2's refresh endpoint; "" is the token URL's sibling
	// refresh_token/ (DefaultCAM2RefreshURL).
	RefreshURL string
	// RevocationURL is where tokens are revoked: an RFC 7009 endpoint for
	// Standard (no revocation when empty), the revoke endpoint for
	// CamStreamer. CAM2 has none.
	RevocationURL string
	// PreviousRefreshToken is the refresh token RefreshToken replaced. It is
	// tried once when RefreshToken is refused, in case the rotation that
	// produced RefreshToken never completed at the server.
	PreviousRefreshToken string
}

// Validate reports the fields the grant needs but that are empty. The error
// is an *Error of kind KindMisconfigured and names fields, never values.
func (c Credentials) Validate() error {
	if _, ok := wireGrantType[c.Grant]; !ok {
		return misconfigured("unsupported grant; want %s, %s or %s",
			GrantClientCredentials, GrantPassword, GrantRefreshToken)
	}
	if !c.Dialect.known() {
		return misconfigured("unsupported token dialect; want %s, %s or %s", DialectStandard, DialectCAM2, DialectCamStreamer)
	}
	if err := c.validateDialect(); err != nil {
		return err
	}
	var missing []string
	need := func(name, v string) {
		if v == "" {
			missing = append(missing, name)
		}
	}
	need("TokenURL", c.TokenURL)
	if c.Dialect.normalized() == DialectStandard {
		need("Audience", c.Audience)
	}
	need("ClientID", c.ClientID)
	switch c.Grant {
	case GrantClientCredentials:
		need("ClientSecret", c.ClientSecret)
	case GrantPassword:
		need("Username", c.Username)
		need("Password", c.Password)
	case GrantRefreshToken:
		need("RefreshToken", c.RefreshToken)
	}
	if len(missing) > 0 {
		return misconfigured("grant %s requires %s", c.Grant, strings.Join(missing, ", "))
	}
	for _, f := range []struct{ name, v string }{{"TokenURL", c.TokenURL}, {"RefreshURL", c.RefreshURL}, {"RevocationURL", c.RevocationURL}} {
		if f.v == "" {
			continue
		}
		if u, err := url.Parse(f.v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return misconfigured("%s is not an absolute http(s) URL", f.name)
		} else if u.User != nil {
			// The URL ends up in error messages; it must not carry a password.
			return misconfigured("%s must not contain user information", f.name)
		}
	}
	return nil
}

// validateDialect checks the grants and URLs each dialect supports.
func (c Credentials) validateDialect() error {
	switch c.Dialect.normalized() {
	case DialectCAM2:
		if c.Grant != GrantClientCredentials {
			return misconfigured("token dialect CAM2 supports only grant %s", GrantClientCredentials)
		}
		if c.RevocationURL != "" {
			return misconfigured("token dialect CAM2 has no revocation endpoint")
		}
	case DialectCamStreamer:
		if c.Grant != GrantRefreshToken {
			return misconfigured("token dialect CamStreamer supports only grant %s (from an authorization code login)", GrantRefreshToken)
		}
		if c.RefreshURL != "" {
			return misconfigured("RefreshURL is for token dialect CAM2")
		}
	default:
		if c.RefreshURL != "" {
			return misconfigured("RefreshURL is for token dialect CAM2")
		}
	}
	return nil
}

// String describes the credentials without secrets.
func (c Credentials) String() string {
	return fmt.Sprintf("auth.Credentials{Dialect: %q, Grant: %q, TokenURL: %q, Audience: %q, ClientID: %q}",
		string(c.Dialect.normalized()), string(c.Grant), c.TokenURL, c.Audience, c.ClientID)
}

// GoString is String, so that %#v cannot reveal secrets either.
func (c Credentials) GoString() string { return c.String() }

// Format makes every fmt verb (including %d or %x, which would otherwise
// print the fields one by one) produce the redacted String.
func (c Credentials) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c.String()) }

// MarshalJSON emits the redacted fields only, so structured loggers that
// encode values as JSON cannot reveal secrets.
func (c Credentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Dialect  Dialect `json:"dialect"`
		Grant    Grant   `json:"grant"`
		TokenURL string  `json:"tokenURL"`
		Audience string  `json:"audience"`
		ClientID string  `json:"clientID"`
	}{c.Dialect.normalized(), c.Grant, c.TokenURL, c.Audience, c.ClientID})
}

// Key identifies these exact credentials: their identity, scopes and the hex
// SHA-256 of their secret material. Two Credentials have the same Key only if
// they would obtain the same tokens. The key is meant for in-process maps;
// do not publish it, since a hash of a weak password can be brute-forced.
func (c Credentials) Key() string {
	h := sha256.New()
	for _, s := range []string{c.ClientSecret, c.Password, c.RefreshToken} {
		// Length prefixes keep ("ab","c") and ("a","bc") apart.
		fmt.Fprintf(h, "%d:%s;", len(s), s)
	}
	return c.identity() + "|scopes=" + quoteAll(c.Scopes) + "|secret=" + hex.EncodeToString(h.Sum(nil))
}

// identity names the principal regardless of its secrets: new secrets for the
// same identity replace the old ones in a Cache.
func (c Credentials) identity() string {
	return quoteAll([]string{string(c.Dialect.normalized()), string(c.Grant), c.TokenURL, c.Audience, c.ClientID, c.Username, c.RefreshURL, c.RevocationURL})
}

// quoteAll joins quoted strings so that separators inside values cannot make
// two different lists look alike.
func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ",")
}

// formatRedacted writes s for any verb, quoting it for %q.
func formatRedacted(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = f.Write([]byte(s))
}
