package checkapi

import (
	"context"
	"net/http"
	"net/url"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// checkOAuthClient covers A15 with a scratch OAuth client (client
// credentials only): rotate-secret answers 200 with a new secret, the token
// endpoint refuses the old secret and accepts the new one. The secrets stay
// in memory; the evidence shows statuses only.
func (c *checker) checkOAuthClient(ctx context.Context) error {
	name := c.scratchName()
	// The id is the service's: until the 201 names it, the undo finds the
	// client by its scratch name.
	entry := c.scratch.add(Scratch{Kind: "oauth-clients", ID: name}, func(ctx context.Context) error { return c.removeClientNamed(ctx, name) })
	rep, err := c.probe.do(ctx, http.MethodPut, "/oauth-clients", nil, object{"name": name, "organisationId": c.org,
		"grantTypes": []string{"client_credentials"}, "callbacks": []string{}})
	if err != nil {
		return err
	}
	var created object
	if rep.status != http.StatusCreated || !rep.json(&created) || str(created, "clientId") == "" || str(created, "clientSecret") == "" {
		c.res.add("A15", rep, false, "creating an OAuth client answered %d without a clientId and clientSecret, want 201 with both", rep.status)
		return nil
	}
	id, oldSecret := str(created, "clientId"), str(created, "clientSecret")
	entry.ID, entry.undo = id, func(ctx context.Context) error { return c.remove(ctx, "oauth-clients", id) }
	// A16 for the one collection whose id field is not "id".
	if _, _, err := c.checkGet(ctx, "oauth-clients", "clientId", id); err != nil {
		return err
	}

	rep, err = c.probe.do(ctx, http.MethodPut, "/oauth-clients/"+url.PathEscape(id)+"/rotate-secret", nil, nil)
	if err != nil {
		return err
	}
	var rotated object
	newSecret := ""
	if rep.status == http.StatusOK && rep.json(&rotated) {
		newSecret = str(rotated, "clientSecret")
	}
	if newSecret == "" || newSecret == oldSecret {
		c.res.add("A15", rep, false, "rotate-secret answered %d with a new secret: %t; want 200 with one", rep.status, newSecret != "" && newSecret != oldSecret)
		return nil
	}
	c.res.add("A15", rep, true, "200 with a new secret")
	if c.cfg.Creds.Dialect != "" && c.cfg.Creds.Dialect != auth.DialectStandard {
		c.res.skip("A15", "the old secret is not tried: the token endpoint speaks the "+string(c.cfg.Creds.Dialect)+" dialect")
		return nil
	}
	for _, try := range []struct {
		secret, which string
		accepted      bool
	}{{oldSecret, "the old secret", false}, {newSecret, "the new secret", true}} {
		creds := auth.Credentials{Grant: auth.GrantClientCredentials, TokenURL: c.cfg.Creds.TokenURL,
			Audience: c.cfg.Creds.Audience, ClientID: id, ClientSecret: try.secret}
		ans, err := requestToken(ctx, c.cfg.HTTPClient, creds, false)
		if err != nil {
			return err
		}
		got := ans.status == http.StatusOK && ans.AccessToken != ""
		ev := &reply{status: ans.status, request: "POST " + tokenPath(c.cfg.Creds.TokenURL) + " (client_credentials, " + try.which + ")"}
		c.res.add("A15", ev, got == try.accepted, "token issued for %s: %t (want %t; error %q)", try.which, got, try.accepted, ans.Error)
	}
	return nil
}

// removeClientNamed deletes the scratch OAuth client called name, if the
// service created it.
func (c *checker) removeClientNamed(ctx context.Context, name string) error {
	rep, err := c.probe.do(ctx, http.MethodGet, "/oauth-clients", url.Values{"organisationId": {c.org}}, nil)
	if err != nil {
		return err
	}
	clients, _ := listOf(rep)
	for _, cl := range clients {
		if str(cl, "name") == name {
			if err := c.remove(ctx, "oauth-clients", str(cl, "clientId")); err != nil {
				return err
			}
		}
	}
	return nil
}

func tokenPath(tokenURL string) string {
	u, err := url.Parse(tokenURL)
	if err != nil {
		return "the token endpoint"
	}
	return u.Path
}
