package auth

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// AuthCodeFlow is the authorization code grant with PKCE, for an interactive
// login (e.g. the CLI): Start gives the URL to open in a browser, the
// callback receives ?code=&state=, and Exchange trades the code for tokens.
// Ask for the offline_access scope to get a refresh token that a
// GrantRefreshToken Credentials can then use.
type AuthCodeFlow struct {
	AuthURL, TokenURL, ClientID, ClientSecret, RedirectURL, Audience string
	// Scopes to request, e.g. offline_access.
	Scopes []string
	// HTTPClient is used for the token endpoint; default: a 30s timeout client.
	HTTPClient *http.Client
	// Dialect is the token endpoint's: Standard ("") or CamStreamer, whose
	// scopes are comma-separated and whose code exchange (grant_type
	// auth_code) carries every parameter in the URL query. CAM2 has no login.
	Dialect Dialect
}

// camStreamer reports whether the flow speaks CamStreamer's dialect.
func (f AuthCodeFlow) camStreamer() bool { return f.Dialect.normalized() == DialectCamStreamer }

func (f AuthCodeFlow) config() *oauth2.Config {
	scopes := f.Scopes
	if f.camStreamer() {
		scopes = nil // sent comma-separated by Start
	}
	return &oauth2.Config{
		ClientID:     f.ClientID,
		ClientSecret: f.ClientSecret,
		RedirectURL:  f.RedirectURL,
		Scopes:       scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:  f.AuthURL,
			TokenURL: f.TokenURL,
			// In the form body, as for the other grants; this also avoids
			// x/oauth2's auto-detection sending a failing request twice.
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

// Start returns the authorization URL to open, the random state to check on
// the callback, and the PKCE verifier to pass to Exchange. The URL carries
// the S256 code challenge and the audience.
func (f AuthCodeFlow) Start() (authURL, state, verifier string) {
	state = rand.Text()
	verifier = oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	if f.Audience != "" {
		opts = append(opts, oauth2.SetAuthURLParam("audience", f.Audience))
	}
	if f.camStreamer() && len(f.Scopes) > 0 {
		opts = append(opts, oauth2.SetAuthURLParam("scope", strings.Join(f.Scopes, ",")))
	}
	return f.config().AuthCodeURL(state, opts...), state, verifier
}

// Exchange trades the authorization code for tokens, proving possession of
// verifier. Unlike Source.Token it runs under ctx: the login belongs to one
// caller and nothing else waits for it. Errors are *Error.
func (f AuthCodeFlow) Exchange(ctx context.Context, code, verifier string) (*oauth2.Token, error) {
	var missing []string
	for _, field := range []struct{ name, v string }{
		{"TokenURL", f.TokenURL}, {"ClientID", f.ClientID}, {"code", code}, {"verifier", verifier},
	} {
		if field.v == "" {
			missing = append(missing, field.name)
		}
	}
	if len(missing) > 0 {
		return nil, misconfigured("authorization code exchange requires %s", strings.Join(missing, ", "))
	}
	client := f.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: defaultHTTPTimeout}
	}
	if f.camStreamer() {
		return f.exchangeCamStreamer(ctx, client, code)
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, WithoutRedirects(client))
	opts := []oauth2.AuthCodeOption{oauth2.VerifierOption(verifier)}
	if f.Audience != "" {
		opts = append(opts, oauth2.SetAuthURLParam("audience", f.Audience))
	}
	tok, err := f.config().Exchange(ctx, code, opts...)
	e := classify(err, time.Now())
	observeGrant(grantAuthorizationCode, DialectStandard, e)
	if e != nil {
		return nil, e
	}
	return tok, nil
}

// exchangeCamStreamer trades the code at CamStreamer's token endpoint:
// grant_type auth_code, every parameter in the query, errors as {"error"}
// also with HTTP 200. CamStreamer takes no PKCE verifier.
func (f AuthCodeFlow) exchangeCamStreamer(ctx context.Context, client *http.Client, code string) (*oauth2.Token, error) {
	now := time.Now()
	a, err := post(ctx, client, f.TokenURL, url.Values{
		"client_id": {f.ClientID}, "client_secret": {f.ClientSecret},
		"grant_type": {"auth_code"}, "code": {code}, "redirect_uri": {f.RedirectURL},
	}, true)
	var tok *oauth2.Token
	if err == nil {
		if e := a.failure(now); e != nil {
			err = e
		} else {
			tok, err = tokenOf(a, DialectCamStreamer, "access_token", "expires_in", now)
		}
	}
	e := asError(err, now)
	observeGrant(grantAuthorizationCode, DialectCamStreamer, e)
	if e != nil {
		return nil, e
	}
	return tok, nil
}
