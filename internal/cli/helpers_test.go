package cli_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoxton-operator/hoxton-operator/internal/cli"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// result is one command run.
type result struct {
	code           int
	stdout, stderr string
}

// run runs hoxtonctl in-process with env (Out and ErrOut are set here).
func run(t *testing.T, env cli.Env, args ...string) result {
	t.Helper()
	var stdout, stderr testenv.SyncBuffer
	env.Out, env.ErrOut = &stdout, &stderr
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.IsTerminal == nil {
		env.IsTerminal = func(io.Writer) bool { return false }
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := cli.Run(ctx, "hoxtonctl", args, &env)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// fakeEnv returns variables that point the API flags at fake with its
// default client.
func fakeEnv(fake *hoxtontest.Server) func(string) string {
	vars := map[string]string{
		"HOXTON_API_URL": fake.APIURL(), "HOXTON_TOKEN_URL": fake.TokenURL(),
		"HOXTON_ORGANISATION_ID": fake.OrganisationID(),
		"HOXTON_CLIENT_ID":       hoxtontest.DefaultClientID, "HOXTON_CLIENT_SECRET": hoxtontest.DefaultClientSecret,
	}
	return func(k string) string { return vars[k] }
}

// emptyKubeconfig writes a kubeconfig with one context (whose namespace is
// "from-context") and points nowhere, for commands that only read the namespace.
func emptyKubeconfig(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := `apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: none, user: {}}]
contexts: [{name: none, context: {cluster: none, user: none, namespace: from-context}}]
current-context: none
`
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// apiClient is a typed client of fake's default organisation, for setting
// up test data.
func apiClient(t *testing.T, fake *hoxtontest.Server) *hoxton.Client {
	t.Helper()
	cache := auth.NewCache(context.Background(), auth.Options{})
	src := cache.Source(auth.Credentials{Grant: auth.GrantClientCredentials, TokenURL: fake.TokenURL(),
		Audience: hoxtontest.DefaultAudience, ClientID: hoxtontest.DefaultClientID, ClientSecret: hoxtontest.DefaultClientSecret}, nil)
	c, err := hoxton.New(hoxton.Config{BaseURL: fake.APIURL(), OrganisationID: fake.OrganisationID(), Tokens: src})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// refreshWorks tells whether the fake's token endpoint accepts refreshToken.
// The fake rotates refresh tokens, so this uses the token up.
func refreshWorks(t *testing.T, fake *hoxtontest.Server, refreshToken string) bool {
	t.Helper()
	form := "grant_type=refresh_token&client_id=" + hoxtontest.DefaultClientID + "&client_secret=" + hoxtontest.DefaultClientSecret +
		"&audience=" + hoxtontest.DefaultAudience + "&refresh_token=" + refreshToken
	resp, err := http.Post(fake.TokenURL(), "application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
