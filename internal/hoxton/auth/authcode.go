package auth

import (
	"context"
	"crypto/rand"
	"net/http"
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
}

func (f AuthCodeFlow) config() *oauth2.Config {
	return &oauth2.Config{
		ClientID:     f.ClientID,
		ClientSecret: f.ClientSecret,
		RedirectURL:  f.RedirectURL,
		Scopes:       f.Scopes,
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
