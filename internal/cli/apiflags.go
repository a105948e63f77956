package cli

import (
	"context"
	"errors"
	"fmt"
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
			Grant: auth.Grant(grant), TokenURL: or(get("token-url"), DefaultTokenURL),
			Audience: or(get("audience"), auth.DefaultAudience),
			ClientID: get("client-id"), ClientSecret: get("client-secret"),
			Username: get("username"), Password: get("password"), RefreshToken: get("refresh-token"),
		},
	}
	var missing []string
	if t.OrganisationID == "" {
		missing = append(missing, "--organisation-id (HOXTON_ORGANISATION_ID)")
	}
	if err := t.Creds.Validate(); err != nil {
		// Validate names fields, never values.
		return nil, fmt.Errorf("credentials: %w (or use --connection)", err)
	}
	if len(missing) > 0 {
		return nil, errors.New("missing " + strings.Join(missing, ", "))
	}
	return t, nil
}

// apiClient builds the HoxtonAi client for t. For the refresh-token grant it
// obtains the one access token of the run first (see refreshOnce), so that a
// rotated refresh token is stored where it came from before the command can
// exit; the other grants share a token source.
func (r *Root) apiClient(ctx context.Context, t *target) (*hoxton.Client, hoxton.TokenSource, error) {
	var tokens hoxton.TokenSource
	if t.Creds.Grant == auth.GrantRefreshToken {
		if err := t.Creds.Validate(); err != nil {
			return nil, nil, fmt.Errorf("credentials: %w", err)
		}
		tok, err := r.refreshOnce(ctx, t)
		if err != nil {
			return nil, nil, err
		}
		tokens = tok
	} else {
		tokens = auth.NewCache(ctx, auth.Options{HTTPClient: r.Env.HTTPClient}).Source(t.Creds, nil)
	}
	c, err := hoxton.New(hoxton.Config{
		BaseURL: t.APIURL, OrganisationID: t.OrganisationID, HTTPClient: r.Env.HTTPClient,
		Tokens: tokens, UserAgent: "hoxtonctl",
	})
	if err != nil {
		return nil, nil, err
	}
	return c, tokens, nil
}
