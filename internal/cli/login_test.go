package cli_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/yaml"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/cli"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// testBrowser stands in for a person at a browser: it opens the login URL
// with a plain HTTP client, which follows the fake's redirect to the
// loopback callback. It remembers the URL it was given.
type testBrowser struct {
	t    *testing.T
	urls []string
	// forge first visits the callback with a wrong state, as a stray page
	// could, before following the real redirect.
	forge bool
}

func (b *testBrowser) open(_ context.Context, u string) error {
	b.urls = append(b.urls, u)
	if b.forge {
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.Get(u)
		if err != nil {
			return err
		}
		resp.Body.Close()
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			return err
		}
		q := loc.Query()
		q.Set("state", "forged")
		loc.RawQuery = q.Encode()
		forged, err := http.Get(loc.String())
		if err != nil {
			return err
		}
		forged.Body.Close()
		if forged.StatusCode != http.StatusBadRequest {
			b.t.Errorf("callback with a forged state answered %d, want 400", forged.StatusCode)
		}
	}
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New("callback answered " + resp.Status)
	}
	return nil
}

func loginArgs(fake *hoxtontest.Server, extra ...string) []string {
	return append([]string{"login", "--client-id", hoxtontest.DefaultClientID,
		"--authorize-url", fake.AuthorizeURL(), "--token-url", fake.TokenURL(), "--api-url", fake.APIURL(),
		"--timeout", "20s", "--allow-insecure-http"}, extra...)
}

// decodeManifests splits a YAML stream into the Secret and the Connection.
func decodeManifests(t *testing.T, out string) (*corev1.Secret, *v1alpha1.Connection) {
	t.Helper()
	dec := yaml.NewYAMLOrJSONDecoder(strings.NewReader(out), 4096)
	secret, conn := &corev1.Secret{}, &v1alpha1.Connection{}
	if err := dec.Decode(secret); err != nil {
		t.Fatalf("first document: %v\n%s", err, out)
	}
	if err := dec.Decode(conn); err != nil {
		t.Fatalf("second document: %v\n%s", err, out)
	}
	if secret.Kind != "Secret" || conn.Kind != "Connection" {
		t.Fatalf("kinds %q, %q; want Secret, Connection", secret.Kind, conn.Kind)
	}
	return secret, conn
}

// TestLoginDryRun runs the whole flow against the fake's /authorize and token
// endpoint and checks the manifests it prints.
func TestLoginDryRun(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	defer fake.Close()
	browser := &testBrowser{t: t}
	secretEnv := map[string]string{"HOXTON_CLIENT_SECRET": hoxtontest.DefaultClientSecret}
	res := run(t, cli.Env{OpenBrowser: browser.open, Getenv: func(k string) string { return secretEnv[k] }},
		loginArgs(fake, "--kubeconfig", emptyKubeconfig(t), "-n", "shop", "--dry-run", "-o", "yaml")...)
	if res.code != cli.ExitOK {
		t.Fatalf("exit %d\nstderr: %s", res.code, res.stderr)
	}
	if len(browser.urls) != 1 {
		t.Fatalf("browser opened %d times, want 1", len(browser.urls))
	}
	authURL, err := url.Parse(browser.urls[0])
	if err != nil {
		t.Fatal(err)
	}
	q := authURL.Query()
	redirect, _ := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43:
		t.Errorf("no S256 PKCE challenge in %s", authURL.RawQuery)
	case !strings.Contains(" "+q.Get("scope")+" ", " offline_access "):
		t.Errorf("scope %q lacks offline_access", q.Get("scope"))
	case redirect == nil || redirect.Scheme != "http" || redirect.Hostname() != "127.0.0.1" || redirect.Port() == "" || redirect.Port() == "80":
		t.Errorf("redirect_uri %q is not a loopback IP with a random port", q.Get("redirect_uri"))
	case q.Get("state") == "" || q.Get("audience") != hoxtontest.DefaultAudience:
		t.Errorf("state or audience missing in %s", authURL.RawQuery)
	}
	if n := fake.TokenRequests("authorization_code"); n != 1 {
		t.Errorf("%d code exchanges, want 1", n)
	}

	secret, conn := decodeManifests(t, res.stdout)
	refresh := string(secret.Data[v1alpha1.SecretKeyRefreshToken])
	if refresh == "" || string(secret.Data[v1alpha1.SecretKeyClientSecret]) != hoxtontest.DefaultClientSecret {
		t.Fatalf("secret data keys incomplete: %v", secret.Data)
	}
	if strings.Contains(res.stderr, refresh) {
		t.Error("the refresh token appears on stderr")
	}
	if !refreshWorks(t, fake, refresh) {
		t.Error("the printed refresh token is refused by the token endpoint")
	}
	if conn.Name != v1alpha1.DefaultConnectionName || secret.Name != v1alpha1.DefaultConnectionName+"-credentials" ||
		strings.Contains(res.stderr, "connectionRef") {
		t.Errorf("login wrote Connection %q and Secret %q, want the default objects use, without a connectionRef hint", conn.Name, secret.Name)
	}
	spec := conn.Spec
	if secret.Namespace != "shop" || conn.Namespace != "shop" || spec.Grant != v1alpha1.GrantRefreshToken ||
		spec.OrganisationID != fake.OrganisationID() || spec.CredentialsSecretRef.Name != secret.Name ||
		spec.APIURL != fake.APIURL() || spec.TokenURL != fake.TokenURL() {
		t.Errorf("connection %s/%s spec %+v, secret %s/%s", conn.Namespace, conn.Name, spec, secret.Namespace, secret.Name)
	}
}

// TestLoginIgnoresForgedCallback: a visit to the callback with another state
// is refused and does not end the login; the real redirect then completes it.
func TestLoginIgnoresForgedCallback(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	defer fake.Close()
	browser := &testBrowser{t: t, forge: true}
	res := run(t, cli.Env{OpenBrowser: browser.open},
		loginArgs(fake, "--client-secret", hoxtontest.DefaultClientSecret, "--kubeconfig", emptyKubeconfig(t), "--dry-run", "-o", "json")...)
	if res.code != cli.ExitOK {
		t.Fatalf("exit %d\nstderr: %s", res.code, res.stderr)
	}
	secret, conn := decodeManifests(t, res.stdout)
	if conn.Namespace != "from-context" || secret.Namespace != "from-context" {
		t.Errorf("namespace %q, want the context's", conn.Namespace)
	}
}

// TestLoginRefused: an authorization error redirected by the server ends the
// login with exit 2 and the server's error code.
func TestLoginRefused(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	defer fake.Close()
	browser := &testBrowser{t: t}
	res := run(t, cli.Env{OpenBrowser: func(ctx context.Context, u string) error {
		_ = browser.open(ctx, u) // the callback answers 400 for an error
		return nil
	}}, loginArgs(fake, "--client-secret", "x", "--audience", "https://elsewhere", "--kubeconfig", emptyKubeconfig(t), "--dry-run", "-o", "yaml")...)
	if res.code != cli.ExitError || !strings.Contains(res.stderr, "access_denied") {
		t.Fatalf("exit %d (want 2 with access_denied)\nstderr: %s", res.code, res.stderr)
	}
	if res.stdout != "" {
		t.Errorf("printed %q after a refused login", res.stdout)
	}
}

// TestLoginNoBrowser: --no-browser never starts a browser and prints the URL,
// which a person then opens.
func TestLoginNoBrowser(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	defer fake.Close()
	var stderr testenv.SyncBuffer
	done := make(chan int, 1)
	var stdout testenv.SyncBuffer
	go func() {
		env := &cli.Env{Out: &stdout, ErrOut: &stderr, Getenv: func(string) string { return "" },
			OpenBrowser: func(context.Context, string) error { t.Error("browser started with --no-browser"); return nil }}
		done <- cli.Run(context.Background(), "hoxtonctl", loginArgs(fake, "--client-secret", hoxtontest.DefaultClientSecret,
			"--kubeconfig", emptyKubeconfig(t), "--no-browser", "--dry-run", "-o", "yaml"), env)
	}()
	var loginURL string
	poll := time.NewTicker(5 * time.Millisecond)
	defer poll.Stop()
	for loginURL == "" {
		select {
		case code := <-done:
			t.Fatalf("exit %d before the browser came; stderr %s", code, stderr.String())
		case <-poll.C:
		}
		for _, line := range strings.Split(stderr.String(), "\n") {
			if s := strings.TrimSpace(line); strings.HasPrefix(s, fake.AuthorizeURL()) {
				loginURL = s
			}
		}
	}
	if err := (&testBrowser{t: t}).open(context.Background(), loginURL); err != nil {
		t.Fatal(err)
	}
	if code := <-done; code != cli.ExitOK {
		t.Fatalf("exit %d; stderr %s", code, stderr.String())
	}
	decodeManifests(t, stdout.String())
}

// TestLoginUsage: bad flags fail before anything is sent.
func TestLoginUsage(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	defer fake.Close()
	for name, args := range map[string][]string{
		"no secret":           loginArgs(fake),
		"CAM2 has no login":   loginArgs(fake, "--client-secret", "s", "--token-dialect", "CAM2"),
		"bad output":          loginArgs(fake, "--client-secret", "s", "-o", "table"),
		"bad connection name": loginArgs(fake, "--client-secret", "s", "--connection-name", "Not_DNS"),
	} {
		t.Run(name, func(t *testing.T) {
			res := run(t, cli.Env{OpenBrowser: func(context.Context, string) error { t.Error("browser opened"); return nil }}, args...)
			if res.code != cli.ExitError {
				t.Fatalf("exit %d, want 2; stderr %s", res.code, res.stderr)
			}
		})
	}
	if n := fake.TokenRequests(""); n != 0 {
		t.Errorf("%d token requests for bad flags", n)
	}
}

// TestLoginCamStreamer logs in with CamStreamer's code flow, configured by
// HOXTON_* variables alone: scopes comma-separated, the state checked (a
// forged callback is refused), the code exchanged with grant_type auth_code.
// The Connection it prints speaks CamStreamer; named other than "default", it
// says which connectionRef objects need.
func TestLoginCamStreamer(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{TokenDialect: hoxtontest.DialectCamStreamer})
	defer fake.Close()
	vars := map[string]string{
		"HOXTON_CLIENT_ID": hoxtontest.DefaultClientID, "HOXTON_CLIENT_SECRET": hoxtontest.DefaultClientSecret,
		"HOXTON_AUTHORIZE_URL": fake.AuthorizeURL(), "HOXTON_TOKEN_URL": fake.TokenURL(), "HOXTON_API_URL": fake.APIURL(),
		"HOXTON_TOKEN_DIALECT": hoxtontest.DialectCamStreamer,
	}
	browser := &testBrowser{t: t, forge: true}
	res := run(t, cli.Env{OpenBrowser: browser.open, Getenv: func(k string) string { return vars[k] }},
		"login", "--allow-insecure-http", "--timeout", "20s", "--kubeconfig", emptyKubeconfig(t), "--dry-run",
		"--scope", "offline_access", "--scope", "cameras", "--connection-name", "camstreamer")
	if res.code != cli.ExitOK {
		t.Fatalf("exit %d\nstderr: %s", res.code, res.stderr)
	}
	authURL, err := url.Parse(browser.urls[0])
	if err != nil {
		t.Fatal(err)
	}
	if s := authURL.Query().Get("scope"); s != "offline_access,cameras" {
		t.Errorf("scope %q, want comma-separated", s)
	}
	secret, conn := decodeManifests(t, res.stdout)
	refresh := string(secret.Data[v1alpha1.SecretKeyRefreshToken])
	if conn.Spec.TokenDialect != v1alpha1.TokenDialect(hoxtontest.DialectCamStreamer) || conn.Spec.TokenURL != fake.TokenURL() ||
		conn.Name != "camstreamer" || !fake.RefreshTokenValid(refresh) {
		t.Errorf("connection %s spec %+v; refresh token valid: %t", conn.Name, conn.Spec, fake.RefreshTokenValid(refresh))
	}
	if !strings.Contains(res.stderr, "connectionRef:\n    name: camstreamer") {
		t.Errorf("no connectionRef hint for a Connection not named default:\n%s", res.stderr)
	}
}
