package cli

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/pflag"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// apiFlags select the HoxtonAi endpoint and credentials of a command: either
// --connection (a Connection in the cluster, read through the kubeconfig), or
// flags, each of which falls back to an environment variable.
type apiFlags struct {
	connection string
	values     map[string]*string
	flags      *pflag.FlagSet
}

// apiSetting is one credential flag and the environment variable behind it.
type apiSetting struct {
	flag, env, usage string
}

var apiSettings = []apiSetting{
	{"api-url", "HOXTON_API_URL", "HoxtonAi API base URL (default " + DefaultAPIURL + ")"},
	{"token-url", "HOXTON_TOKEN_URL", "OAuth2 token endpoint (default " + DefaultTokenURL + ")"},
	{"audience", "HOXTON_AUDIENCE", "audience of token requests (default " + auth.DefaultAudience + ")"},
	{"organisation-id", "HOXTON_ORGANISATION_ID", "organisation to act for"},
	{"grant", "HOXTON_GRANT", "ClientCredentials (default), Password or RefreshToken"},
	{"token-dialect", "HOXTON_TOKEN_DIALECT", "wire format of the token endpoint: Standard (default), CAM2 or CamStreamer"},
	{"client-id", "HOXTON_CLIENT_ID", "OAuth client id"},
	{"client-secret", "HOXTON_CLIENT_SECRET", "OAuth client secret (prefer the variable: flags stay in shell history)"},
	{"username", "HOXTON_USERNAME", "user for the Password grant"},
	{"password", "HOXTON_PASSWORD", "password for the Password grant (prefer the variable)"},
	{"refresh-token", "HOXTON_REFRESH_TOKEN", "refresh token for the RefreshToken grant (prefer the variable)"},
}

func (a *apiFlags) add(fs *pflag.FlagSet) {
	a.flags = fs
	a.values = map[string]*string{}
	fs.StringVar(&a.connection, "connection", "", "read endpoint and credentials from this Connection (and its Secret) in the namespace, or from ClusterConnection/NAME")
	for _, s := range apiSettings {
		a.values[s.flag] = fs.String(s.flag, "", s.usage+"; env "+s.env)
	}
}

// apiHelp is appended to the help of commands that call HoxtonAi.
const apiHelp = `
Credentials: --connection NAME reads a Connection and its Secret from the
cluster (kubeconfig, --context, --namespace); --connection ClusterConnection/NAME
reads a ClusterConnection. Otherwise each flag falls back to
its environment variable (HOXTON_CLIENT_ID, HOXTON_CLIENT_SECRET, ...); pass
secrets through the variables, not flags, which stay in shell history.`

// resolve returns the target the flags select.
func (a *apiFlags) resolve(ctx context.Context, r *Root) (*target, error) {
	if a.connection != "" {
		for _, s := range apiSettings {
			if a.flags.Changed(s.flag) {
				return nil, fmt.Errorf("--%s cannot be combined with --connection", s.flag)
			}
		}
		return r.readConnection(ctx, a.connection)
	}
	get := func(name string) string {
		if v := *a.values[name]; v != "" {
			return v
		}
		for _, s := range apiSettings {
			if s.flag == name {
				return r.Env.Getenv(s.env)
			}
		}
		return ""
	}
	grant := v1alpha1.Grant(or(get("grant"), string(v1alpha1.GrantClientCredentials)))
	t := &target{
		APIURL:         or(get("api-url"), DefaultAPIURL),
		OrganisationID: get("organisation-id"),
		Origin:         "flags and environment",
		Creds: auth.Credentials{
			Grant: auth.Grant(grant), Dialect: auth.Dialect(get("token-dialect")), TokenURL: or(get("token-url"), DefaultTokenURL),
			Audience: or(get("audience"), auth.DefaultAudience),
			ClientID: get("client-id"), ClientSecret: get("client-secret"),
			Username: get("username"), Password: get("password"), RefreshToken: get("refresh-token"),
		},
	}
	var missing []string
	if t.OrganisationID == "" {
		missing = append(missing, "organisation-id")
	}
	missing = append(missing, missingSettings(get, t.Creds.Grant)...)
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing %s (or use --connection)", settingNames(missing))
	}
	if err := checkURLSetting("api-url", "HOXTON_API_URL", t.APIURL); err != nil {
		return nil, err
	}
	if err := t.Creds.Validate(); err != nil {
		// Validate names the Go fields of auth.Credentials, never values; the
		// user knows the flag and the variable.
		return nil, fmt.Errorf("credentials: %s (or use --connection)",
			strings.ReplaceAll(err.Error(), "TokenURL", settingNames([]string{"token-url"})))
	}
	return t, nil
}

// checkURLSetting refuses a value of --flag (or $env) that is not an absolute
// http(s) URL, naming the flag and the variable rather than a Go field.
func checkURLSetting(flag, env, value string) error {
	if u, err := url.Parse(value); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--%s (%s): want an absolute http or https URL", flag, env)
	}
	return nil
}

// grantSettings are the settings each grant needs, besides the token URL and
// audience, which have defaults.
var grantSettings = map[auth.Grant][]string{
	auth.GrantClientCredentials: {"client-id", "client-secret"},
	auth.GrantPassword:          {"client-id", "username", "password"},
	auth.GrantRefreshToken:      {"client-id", "client-secret", "refresh-token"},
}

// missingSettings lists the settings grant needs that have no value.
func missingSettings(get func(string) string, grant auth.Grant) []string {
	var missing []string
	for _, name := range grantSettings[grant] {
		if get(name) == "" {
			missing = append(missing, name)
		}
	}
	return missing
}

// settingNames names settings as users give them: "--client-id (HOXTON_CLIENT_ID)".
func settingNames(flags []string) string {
	names := make([]string, 0, len(flags))
	for _, f := range flags {
		for _, s := range apiSettings {
			if s.flag == f {
				names = append(names, "--"+f+" ("+s.env+")")
			}
		}
	}
	return strings.Join(names, ", ")
}

// apiClient builds the HoxtonAi client for t, with the token layer the
// operator uses (package auth: every grant and dialect, no redirects). A
// Connection goes through the operator's resolver itself, so that its tokens
// are obtained, and a rotated refresh token is saved, exactly as the manager
// does: in the Connection's token state Secret, copied into its Secret. The
// first token is obtained here: a rotation is saved before the token it came
// with is handed out, so it is saved before the command can exit.
func (r *Root) apiClient(ctx context.Context, t *target) (*hoxton.Client, hoxton.TokenSource, error) {
	if t.conn != nil {
		return r.connectionClient(ctx, t)
	}
	tokens := auth.NewCache(ctx, auth.Options{HTTPClient: auth.WithoutRedirects(r.Env.HTTPClient)}).Source(t.Creds, func(string) {
		fmt.Fprintln(r.Env.ErrOut, "warning: the token endpoint rotated the refresh token; the one given no longer works (the new one is not printed: run login again, or use --connection)")
	})
	c, err := hoxton.New(hoxton.Config{
		BaseURL: t.APIURL, OrganisationID: t.OrganisationID, HTTPClient: r.Env.HTTPClient,
		Tokens: tokens, UserAgent: userAgent,
	})
	if err != nil {
		return nil, nil, err
	}
	if _, err := tokens.AccessToken(ctx); err != nil {
		return nil, nil, fmt.Errorf("obtaining an access token with the credentials from %s: %w", t.Origin, err)
	}
	return c, tokens, nil
}

// userAgent is what hoxtonctl's requests to HoxtonAi say they come from.
const userAgent = "hoxtonctl"

// connectionClient builds t's client with the operator's connection.Resolver.
func (r *Root) connectionClient(ctx context.Context, t *target) (*hoxton.Client, hoxton.TokenSource, error) {
	c, tokens, err := t.resolver.Client(quiet(ctx), t.conn)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", t.Origin, err)
	}
	if _, err := tokens.AccessToken(ctx); err != nil {
		return nil, nil, fmt.Errorf("obtaining an access token for %s: %w", t.Origin, err)
	}
	return c, tokens, nil
}
