package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/util/validation"

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
	allowInsecureHTTP              bool
	audience, organisationID       string
	connectionName, secretName     string
	noBrowser, dryRun              bool
	output                         string
	timeout                        time.Duration
}

func newLoginCommand(r *Root) *cobra.Command {
	o := &loginOptions{}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in to HoxtonAi in a browser and store a RefreshToken Connection in the cluster",
		Long: `login runs the OAuth2 authorization code flow with PKCE (RFC 7636): it opens
the HoxtonAi login page in a browser (--no-browser prints the URL instead) and
waits on a loopback address (http://127.0.0.1:<random port>/callback, RFC 8252)
for the browser to come back. It asks for offline_access, so that a refresh
token is issued, and writes a Secret holding it together with a Connection
(grant RefreshToken) into the namespace. The tokens are never printed, except
inside the manifests --dry-run -o yaml|json asks for.

The organisation is the logged-in user's unless --organisation-id is given.`,
		Example: `  # write Connection "hoxton" and Secret "hoxton-credentials" to namespace shop
  HOXTON_CLIENT_ID=... HOXTON_CLIENT_SECRET=... hoxtonctl login -n shop

  # print the manifests instead, e.g. to seal the Secret before committing it
  hoxtonctl login --dry-run -o yaml > connection.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLogin(cmd.Context(), r, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.clientID, "client-id", "", "OAuth client id (env HOXTON_CLIENT_ID)")
	f.StringVar(&o.clientSecret, "client-secret", "", "OAuth client secret (env HOXTON_CLIENT_SECRET; prefer the variable)")
	f.StringVar(&o.authorizeURL, "authorize-url", DefaultAuthorizeURL, "OAuth2 authorization endpoint")
	f.StringVar(&o.tokenURL, "token-url", DefaultTokenURL, "OAuth2 token endpoint")
	f.StringVar(&o.apiURL, "api-url", DefaultAPIURL, "HoxtonAi API base URL")
	f.StringVar(&o.audience, "audience", auth.DefaultAudience, "audience of the tokens")
	f.StringVar(&o.organisationID, "organisation-id", "", "organisation of the Connection (default: the logged-in user's)")
	f.StringVar(&o.connectionName, "connection-name", "hoxton", "name of the Connection to write")
	f.StringVar(&o.secretName, "secret-name", "", "name of the Secret to write (default <connection-name>-credentials)")
	f.BoolVar(&o.noBrowser, "no-browser", false, "print the login URL instead of opening a browser")
	f.BoolVar(&o.allowInsecureHTTP, "allow-insecure-http", false, "let the Connection use http:// URLs (a local test API only)")
	f.BoolVar(&o.dryRun, "dry-run", false, "print the Secret and the Connection instead of writing them")
	f.StringVarP(&o.output, "output", "o", "", "print the manifests as yaml or json")
	f.DurationVar(&o.timeout, "timeout", 5*time.Minute, "how long to wait for the browser to come back")
	return cmd
}

func (o *loginOptions) complete(r *Root) error {
	o.clientID = or(o.clientID, r.Env.Getenv("HOXTON_CLIENT_ID"))
	o.clientSecret = or(o.clientSecret, r.Env.Getenv("HOXTON_CLIENT_SECRET"))
	o.secretName = or(o.secretName, o.connectionName+"-credentials")
	switch {
	case o.clientID == "" || o.clientSecret == "":
		return errors.New("--client-id and --client-secret (or HOXTON_CLIENT_ID and HOXTON_CLIENT_SECRET) are required: the Connection needs both")
	case o.output != "" && o.output != "yaml" && o.output != "json":
		return fmt.Errorf("--output %q: want yaml or json", o.output)
	case o.dryRun && o.output == "":
		return errors.New("--dry-run prints the manifests: give -o yaml or -o json")
	}
	for _, name := range []string{o.connectionName, o.secretName} {
		if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
			return fmt.Errorf("name %q: %s", name, errs[0])
		}
	}
	return nil
}

func runLogin(ctx context.Context, r *Root, o *loginOptions) error {
	if err := o.complete(r); err != nil {
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
	if o.dryRun {
		return printObjects(r.Env.Out, o.output, secret, conn)
	}
	if err := writeLogin(ctx, r, secret, conn); err != nil {
		return err
	}
	if o.output != "" {
		return printObjects(r.Env.Out, o.output, secret, conn)
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
