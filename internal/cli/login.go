package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// offlineAccess is the scope that makes the authorization server return a
// refresh token, which the RefreshToken Connection then lives on.
const offlineAccess = "offline_access"

// loginOptions are the flags of `login`.
type loginOptions struct {
	clientID, clientSecret         string
	authorizeURL, tokenURL, apiURL string
	tokenDialect                   string
	scopes                         []string
	allowInsecureHTTP              bool
	audience, organisationID       string
	connectionName, secretName     string
	noBrowser, dryRun              bool
	output                         string
	timeout                        time.Duration
}

// loginEnv are the flags of login that fall back to a HOXTON_* variable, as
// the API flags of the other commands do.
var loginEnv = []struct{ flag, env string }{
	{"client-id", "HOXTON_CLIENT_ID"}, {"client-secret", "HOXTON_CLIENT_SECRET"},
	{"authorize-url", "HOXTON_AUTHORIZE_URL"}, {"token-url", "HOXTON_TOKEN_URL"}, {"api-url", "HOXTON_API_URL"},
	{"audience", "HOXTON_AUDIENCE"}, {"organisation-id", "HOXTON_ORGANISATION_ID"}, {"token-dialect", "HOXTON_TOKEN_DIALECT"},
}

func newLoginCommand(r *Root) *cobra.Command {
	o := &loginOptions{}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in to HoxtonAi in a browser and store the RefreshToken Connection objects use",
		Long: `login runs the OAuth2 authorization code flow with PKCE (RFC 7636): it opens
the HoxtonAi login page in a browser (--no-browser prints the URL instead) and
waits on a loopback address (http://127.0.0.1:<random port>/callback, RFC 8252)
for the browser to come back. It asks for offline_access, so that a refresh
token is issued, and writes a Secret holding it together with a Connection
(grant RefreshToken) into the namespace: the Connection "default", which every
object uses unless its spec.connectionRef names another. With --connection-name
it says which connectionRef the objects need. The tokens are never printed,
except inside the manifests --dry-run asks for.

--token-dialect CamStreamer speaks CamStreamer Cloud's flow instead (scopes
comma-separated, the code exchanged with grant_type auth_code). Every flag
but the names falls back to its HOXTON_* variable (HOXTON_CLIENT_ID,
HOXTON_CLIENT_SECRET, HOXTON_AUTHORIZE_URL, HOXTON_TOKEN_URL, HOXTON_API_URL,
HOXTON_AUDIENCE, HOXTON_ORGANISATION_ID, HOXTON_TOKEN_DIALECT).

The organisation is the logged-in user's unless --organisation-id is given.`,
		Example: `  # write Connection "default" and Secret "default-credentials" to namespace shop
  HOXTON_CLIENT_ID=... HOXTON_CLIENT_SECRET=... hoxtonctl login -n shop

  # print the manifests instead, e.g. to seal the Secret before committing it
  hoxtonctl login --dry-run -o yaml > connection.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLogin(cmd.Context(), r, o, cmd.Flags())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.clientID, "client-id", "", "OAuth client id (env HOXTON_CLIENT_ID)")
	f.StringVar(&o.clientSecret, "client-secret", "", "OAuth client secret (env HOXTON_CLIENT_SECRET; prefer the variable)")
	f.StringVar(&o.authorizeURL, "authorize-url", DefaultAuthorizeURL, "OAuth2 authorization endpoint (env HOXTON_AUTHORIZE_URL)")
	f.StringVar(&o.tokenURL, "token-url", DefaultTokenURL, "OAuth2 token endpoint (env HOXTON_TOKEN_URL)")
	f.StringVar(&o.apiURL, "api-url", DefaultAPIURL, "HoxtonAi API base URL (env HOXTON_API_URL)")
	f.StringVar(&o.audience, "audience", auth.DefaultAudience, "audience of the tokens (env HOXTON_AUDIENCE)")
	f.StringVar(&o.organisationID, "organisation-id", "", "organisation of the Connection (env HOXTON_ORGANISATION_ID; default: the logged-in user's)")
	f.StringVar(&o.tokenDialect, "token-dialect", string(auth.DialectStandard), "Standard or CamStreamer (env HOXTON_TOKEN_DIALECT)")
	f.StringSliceVar(&o.scopes, "scope", []string{offlineAccess}, "scopes to ask for (repeatable)")
	f.StringVar(&o.connectionName, "connection-name", v1alpha1.DefaultConnectionName, "name of the Connection to write; objects use \""+v1alpha1.DefaultConnectionName+"\" unless their connectionRef names another")
	f.StringVar(&o.secretName, "secret-name", "", "name of the Secret to write (default <connection-name>-credentials)")
	f.BoolVar(&o.noBrowser, "no-browser", false, "print the login URL instead of opening a browser")
	f.BoolVar(&o.allowInsecureHTTP, "allow-insecure-http", false, "let the Connection use http:// URLs (a local test API only)")
	f.BoolVar(&o.dryRun, "dry-run", false, "print the Secret and the Connection instead of writing them")
	addOutputFlag(f, &o.output, "", manifestFormats)
	f.DurationVar(&o.timeout, "timeout", 5*time.Minute, "how long to wait for the browser to come back")
	return cmd
}

func (o *loginOptions) complete(r *Root, flags *pflag.FlagSet) error {
	for _, s := range loginEnv {
		if v := r.Env.Getenv(s.env); v != "" && !flags.Changed(s.flag) {
			if err := flags.Set(s.flag, v); err != nil {
				return fmt.Errorf("%s: %w", s.env, err)
			}
		}
	}
	o.secretName = or(o.secretName, o.connectionName+"-credentials")
	if o.dryRun && o.output == "" {
		o.output = "yaml"
	}
	switch auth.Dialect(o.tokenDialect) {
	case auth.DialectStandard, auth.DialectCamStreamer:
	default:
		return fmt.Errorf("--token-dialect (HOXTON_TOKEN_DIALECT) %q: login speaks %s or %s (%s has no login: use a ClientCredentials Connection)",
			o.tokenDialect, auth.DialectStandard, auth.DialectCamStreamer, auth.DialectCAM2)
	}
	switch {
	case o.clientID == "" || o.clientSecret == "":
		return errors.New("--client-id and --client-secret (or HOXTON_CLIENT_ID and HOXTON_CLIENT_SECRET) are required: the Connection needs both")
	}
	if err := checkOutput(o.output, manifestFormats); err != nil {
		return err
	}
	for _, u := range []struct{ flag, env, value string }{
		{"authorize-url", "HOXTON_AUTHORIZE_URL", o.authorizeURL}, {"token-url", "HOXTON_TOKEN_URL", o.tokenURL}, {"api-url", "HOXTON_API_URL", o.apiURL},
	} {
		if err := checkURLSetting(u.flag, u.env, u.value); err != nil {
			return err
		}
	}
	for _, name := range []string{o.connectionName, o.secretName} {
		if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
			return fmt.Errorf("name %q: %s", name, errs[0])
		}
	}
	return nil
}

func runLogin(ctx context.Context, r *Root, o *loginOptions, flags *pflag.FlagSet) error {
	if err := o.complete(r, flags); err != nil {
		return err
	}
	namespace, err := r.namespace()
	if err != nil {
		return fmt.Errorf("kubeconfig: %w", err)
	}
	tok, err := authorize(ctx, r, o)
	if err != nil {
		return err
	}
	if tok.RefreshToken == "" {
		return errors.New("the token endpoint returned no refresh token: the OAuth client must allow offline_access and the refresh_token grant")
	}
	if o.organisationID == "" {
		if o.organisationID, err = currentOrganisation(ctx, r, o, tok.AccessToken); err != nil {
			return err
		}
	}
	secret, conn := loginManifests(o, namespace, tok.RefreshToken)
	if !o.dryRun {
		if err := writeLogin(ctx, r, secret, conn); err != nil {
			return err
		}
	}
	if o.output != "" {
		if err := printObjects(r.Env.Out, o.output, secret, conn); err != nil {
			return err
		}
	}
	if conn.Name != v1alpha1.DefaultConnectionName {
		// Objects without a connectionRef use "default": say what makes them use this one.
		fmt.Fprintf(r.Env.ErrOut, "Objects use the Connection %q unless they name another: add to the spec of each object that should use this one:\n\n  connectionRef:\n    name: %s\n\n",
			v1alpha1.DefaultConnectionName, conn.Name)
	}
	return nil
}

// currentOrganisation asks the API whose organisation the new login belongs to.
func currentOrganisation(ctx context.Context, r *Root, o *loginOptions, accessToken string) (string, error) {
	c, err := hoxton.New(hoxton.Config{BaseURL: o.apiURL, HTTPClient: r.Env.HTTPClient,
		Tokens: staticToken(accessToken), UserAgent: "hoxtonctl"})
	if err != nil {
		return "", err
	}
	me, err := c.GetCurrentUser(ctx)
	if err != nil {
		return "", fmt.Errorf("finding the organisation of the login (or give --organisation-id): %w", err)
	}
	if me.OrganisationID == "" {
		return "", errors.New("the API named no organisation for the login: give --organisation-id")
	}
	return me.OrganisationID, nil
}

// staticToken is a TokenSource with one access token, for the single request
// login makes with the token it has just obtained.
type staticToken string

func (t staticToken) AccessToken(context.Context) (string, error) { return string(t), nil }
func (staticToken) Invalidate(string)                             {}
func (staticToken) ReportRejected(string)                         {}
