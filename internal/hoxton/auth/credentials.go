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
}

// Validate reports the fields the grant needs but that are empty. The error
// is an *Error of kind KindMisconfigured and names fields, never values.
func (c Credentials) Validate() error {
	if _, ok := wireGrantType[c.Grant]; !ok {
		return misconfigured("unsupported grant; want %s, %s or %s",
			GrantClientCredentials, GrantPassword, GrantRefreshToken)
	}
	var missing []string
	need := func(name, v string) {
		if v == "" {
			missing = append(missing, name)
		}
	}
	need("TokenURL", c.TokenURL)
	need("Audience", c.Audience)
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
	if u, err := url.Parse(c.TokenURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return misconfigured("TokenURL is not an absolute http(s) URL")
	} else if u.User != nil {
		// The URL ends up in error messages; it must not carry a password.
		return misconfigured("TokenURL must not contain user information")
	}
	return nil
}

// String describes the credentials without secrets.
func (c Credentials) String() string {
	return fmt.Sprintf("auth.Credentials{Grant: %q, TokenURL: %q, Audience: %q, ClientID: %q}",
		string(c.Grant), c.TokenURL, c.Audience, c.ClientID)
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
		Grant    Grant  `json:"grant"`
		TokenURL string `json:"tokenURL"`
		Audience string `json:"audience"`
		ClientID string `json:"clientID"`
	}{c.Grant, c.TokenURL, c.Audience, c.ClientID})
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
	return quoteAll([]string{string(c.Grant), c.TokenURL, c.Audience, c.ClientID, c.Username})
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
