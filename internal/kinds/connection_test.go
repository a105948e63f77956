package kinds_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// Client secrets the Connection tests put in Secrets, besides the fake's own.
const (
	rotatedClientSecret = "rotating-secret-two-3f8a"
	wrongClientSecret   = "wrong-secret-7c2e91d4"
)

// credentialsSecret returns a Secret with the given keys.
func credentialsSecret(ns, name string, data map[string]string) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, StringData: data}
}

// secretValue reads one key of a Secret.
func secretValue(t testing.TB, ns, name, k string) string {
	t.Helper()
	s := &corev1.Secret{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, s); err != nil {
		t.Fatalf("reading Secret %s/%s: %v", ns, name, err)
	}
	return string(s.Data[k])
}

// TestConnectionSecretRotation: a new client secret written to the Secret is used at
// once by the running manager, without a restart.
func TestConnectionSecretRotation(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newNamespace(t)
	secret := credentialsSecret(ns, "rotating-credentials", map[string]string{
		v1alpha1.SecretKeyClientID: rotatingClientID, v1alpha1.SecretKeyClientSecret: rotatingClientSecret,
	})
	create(t, secret)
	conn := env.Connection(ns, v1alpha1.DefaultConnectionName, secret.Name)
	create(t, conn)
	site := siteCase.build(fixture{ns: ns}, "hq").(*v1alpha1.Site)
	create(t, site)
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
	waitReady(t, site)

	// HoxtonAi rotates the client's secret: the old one is refused from now on.
	env.API.SetClientSecret(rotatingClientID, rotatedClientSecret)
	t.Cleanup(func() { env.API.SetClientSecret(rotatingClientID, rotatingClientSecret) })
	tokens := env.API.TokenRequests("client_credentials")
	update(t, secret, func(s *corev1.Secret) {
		s.Data[v1alpha1.SecretKeyClientSecret] = []byte(rotatedClientSecret)
	})
	eventually(t, "a token request with the rotated secret", func() (bool, string) {
		n := env.API.TokenRequests("client_credentials") - tokens
		return n > 0, fmt.Sprintf("%d token requests", n)
	})
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)

	// Every token the manager holds stops working: only the new secret can get another.
	env.API.RevokeAllTokens()
	update(t, site, func(s *v1alpha1.Site) { siteCase.mutate(s) })
	waitReady(t, site)
	if d := siteCase.mismatch(site, fakeObject(t, "sites", site.Status.ExternalID)); d != "" {
		t.Fatalf("after the rotation the site was not updated: %s", d)
	}
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
}

// TestConnectionCredentialsRejected: a Secret the token endpoint refuses gives
// Ready=False/CredentialsRejected, objects using the Connection wait for it and say
// why, and correcting the Secret brings everything back. The poll interval is long:
// all of it must come from watches.
func TestConnectionCredentialsRejected(t *testing.T) {
	startManager(t, operator.Options{PollInterval: longPollInterval})
	ns := newNamespace(t)
	secret := credentialsSecret(ns, "bad-credentials", map[string]string{
		v1alpha1.SecretKeyClientID: hoxtontest.DefaultClientID, v1alpha1.SecretKeyClientSecret: wrongClientSecret,
	})
	// The site first: it is reconciled when the Connection appears, before the
	// Connection is checked, and must still learn why the Connection is not Ready.
	site := siteCase.build(fixture{ns: ns}, "hq").(*v1alpha1.Site)
	create(t, site)
	waitSyncedFalse(t, site, conditions.ReasonReferencesNotReady)
	create(t, secret)
	conn := env.Connection(ns, v1alpha1.DefaultConnectionName, secret.Name)
	create(t, conn)

	waitConnection(t, conn, metav1.ConditionFalse, conditions.ReasonCredentialsRejected)
	waitFor(t, site, "Synced=False/ReferencesNotReady naming the Connection's CredentialsRejected", func(s *v1alpha1.Site) bool {
		c := cond(s, conditions.TypeSynced)
		return c != nil && c.Reason == conditions.ReasonReferencesNotReady && strings.Contains(c.Message, conditions.ReasonCredentialsRejected)
	})

	update(t, secret, func(s *corev1.Secret) {
		s.Data[v1alpha1.SecretKeyClientSecret] = []byte(hoxtontest.DefaultClientSecret)
	})
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
	waitReady(t, site)
}

// TestConnectionCannotReadOtherNamespaceSecret: a Connection names its Secret without
// a namespace (the field does not exist: the API server drops it), so a Secret that
// only exists in another namespace is never found, while a Connection of that other
// namespace uses it fine.
func TestConnectionCannotReadOtherNamespaceSecret(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	nsA, nsB := newNamespace(t), newNamespace(t)
	create(t, testenv.ConnectionSecret(nsB, "shared-credentials"))

	// The Connection of nsA tries to name nsB's Secret.
	conn := env.Connection(nsA, v1alpha1.DefaultConnectionName, "shared-credentials")
	raw, err := json.Marshal(conn)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	if err := json.Unmarshal(raw, &u.Object); err != nil {
		t.Fatal(err)
	}
	u.SetAPIVersion(v1alpha1.GroupVersion.String())
	u.SetKind("Connection")
	if err := unstructured.SetNestedField(u.Object, nsB, "spec", "credentialsSecretRef", "namespace"); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Create(ctx, u); err != nil {
		if !strings.Contains(err.Error(), "namespace") {
			t.Fatalf("creating the Connection with a Secret namespace: %v", err)
		}
		// Refused outright (strict field validation): create it without the field.
		create(t, conn)
	}
	get(t, conn)
	if conn.Spec.CredentialsSecretRef.Name != "shared-credentials" {
		t.Fatalf("the Connection's Secret reference is %+v", conn.Spec.CredentialsSecretRef)
	}
	stored := &unstructured.Unstructured{}
	stored.SetGroupVersionKind(v1alpha1.GroupVersion.WithKind("Connection"))
	if err := env.Client.Get(ctx, key(conn), stored); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := unstructured.NestedString(stored.Object, "spec", "credentialsSecretRef", "namespace"); found {
		t.Fatalf("the API server kept a namespace in the Connection's Secret reference: %v", stored.Object["spec"])
	}

	other := env.Connection(nsB, v1alpha1.DefaultConnectionName, "shared-credentials")
	create(t, other)
	site := siteCase.build(fixture{ns: nsA}, "hq").(*v1alpha1.Site)
	create(t, site)

	waitConnection(t, conn, metav1.ConditionFalse, conditions.ReasonSecretNotFound)
	if msg := cond(conn, conditions.TypeReady).Message; !strings.Contains(msg, nsA+"/shared-credentials") {
		t.Fatalf("the SecretNotFound message %q does not name the Secret of the Connection's own namespace", msg)
	}
	waitConnection(t, other, metav1.ConditionTrue, conditions.ReasonAvailable)
	waitSyncedFalse(t, site, conditions.ReasonReferencesNotReady)
	if site.Status.ExternalID != "" {
		if _, ok := env.API.Object("sites", site.Status.ExternalID); ok {
			t.Fatalf("a site was created through a Connection without credentials")
		}
	}
}

// TestConnectionRefreshTokenRotation: with the RefreshToken grant and
// writeBackRefreshToken, a refresh token the authorization server rotates is written
// back to the Secret, writing it back costs no extra token request, and a restarted
// manager logs in with it (the old one no longer works). Without writeBackRefreshToken
// the Secret is never written (TestForegroundDeletionKeepsTheTokenState).
func TestConnectionRefreshTokenRotation(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newNamespace(t)
	first := env.API.IssueRefreshToken(hoxtontest.DefaultClientID)
	secret := credentialsSecret(ns, "refresh-credentials", map[string]string{
		v1alpha1.SecretKeyClientID: hoxtontest.DefaultClientID, v1alpha1.SecretKeyClientSecret: hoxtontest.DefaultClientSecret,
		v1alpha1.SecretKeyRefreshToken: first,
	})
	conn := env.Connection(ns, v1alpha1.DefaultConnectionName, secret.Name)
	conn.Spec.Grant = v1alpha1.GrantRefreshToken
	conn.Spec.WriteBackRefreshToken = true
	grants := env.API.TokenRequests("refresh_token")
	create(t, secret)
	create(t, conn)
	site := siteCase.build(fixture{ns: ns}, "hq").(*v1alpha1.Site)
	create(t, site)

	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
	var second string
	eventually(t, "the rotated refresh token in the Secret", func() (bool, string) {
		second = secretValue(t, ns, secret.Name, v1alpha1.SecretKeyRefreshToken)
		return second != "" && second != first, "still the first refresh token"
	})
	waitReady(t, site)
	if n := env.API.TokenRequests("refresh_token") - grants; n != 1 {
		t.Fatalf("%d refresh_token grants, want 1: writing the rotated token back must not cost another", n)
	}

	// A new manager (empty token cache) logs in with what the Secret holds now.
	stopManager(t)
	restartManager(t, operator.Options{PollInterval: pollInterval})
	update(t, site, func(s *v1alpha1.Site) { siteCase.mutate(s) })
	waitReady(t, site)
	if d := siteCase.mismatch(site, fakeObject(t, "sites", site.Status.ExternalID)); d != "" {
		t.Fatalf("the restarted manager did not update the site: %s", d)
	}
	eventually(t, "the next rotated refresh token in the Secret", func() (bool, string) {
		third := secretValue(t, ns, secret.Name, v1alpha1.SecretKeyRefreshToken)
		return third != "" && third != second, "still the second refresh token"
	})
}

// tokenTap is a reverse proxy in front of the fake that records every access and
// refresh token passing through it, so that the test knows what must never leak.
type tokenTap struct {
	srv    *httptest.Server
	mu     sync.Mutex
	tokens map[string]bool
}

func newTokenTap(t testing.TB) *tokenTap {
	target, err := url.Parse(env.API.URL())
	if err != nil {
		t.Fatal(err)
	}
	tap := &tokenTap{tokens: map[string]bool{}}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.URL.Path != "/oauth/token" {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return err
		}
		var tok struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		}
		_ = json.Unmarshal(body, &tok)
		tap.add(tok.AccessToken, tok.RefreshToken)
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return nil
	}
	tap.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tap.add(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(tap.srv.Close)
	return tap
}

func (p *tokenTap) add(tokens ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, tok := range tokens {
		if tok != "" {
			p.tokens[tok] = true
		}
	}
}

func (p *tokenTap) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.tokens))
	for tok := range p.tokens {
		out = append(out, tok)
	}
	return out
}

// connection returns a Connection to the fake through the tap.
func (p *tokenTap) connection(ns, name, secretName string) *v1alpha1.Connection {
	conn := env.Connection(ns, name, secretName)
	conn.Spec.APIURL = p.srv.URL + "/api/v0"
	conn.Spec.TokenURL = p.srv.URL + "/oauth/token"
	return conn
}

// TestNoSecretsInStatusEventsOrLogs: after Connections with each kind of outcome
// (working, refresh-token rotation, rejected, revoked mid-flight), no client secret,
// refresh token or access token appears in any status, event or log line.
func TestNoSecretsInStatusEventsOrLogs(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	tap := newTokenTap(t) // before the namespace: its cleanup deletes through the tap
	ns := newNamespace(t)
	refresh := env.API.IssueRefreshToken(hoxtontest.DefaultClientID)
	secrets := []*corev1.Secret{
		credentialsSecret(ns, "good", map[string]string{
			v1alpha1.SecretKeyClientID: rotatingClientID, v1alpha1.SecretKeyClientSecret: rotatingClientSecret,
		}),
		credentialsSecret(ns, "refresh", map[string]string{
			v1alpha1.SecretKeyClientID: hoxtontest.DefaultClientID, v1alpha1.SecretKeyClientSecret: hoxtontest.DefaultClientSecret,
			v1alpha1.SecretKeyRefreshToken: refresh,
		}),
		credentialsSecret(ns, "wrong", map[string]string{
			v1alpha1.SecretKeyClientID: hoxtontest.DefaultClientID, v1alpha1.SecretKeyClientSecret: wrongClientSecret,
		}),
	}
	conns := []*v1alpha1.Connection{
		tap.connection(ns, v1alpha1.DefaultConnectionName, "good"),
		tap.connection(ns, "refreshing", "refresh"),
		tap.connection(ns, "rejected", "wrong"),
	}
	conns[1].Spec.Grant = v1alpha1.GrantRefreshToken
	conns[1].Spec.WriteBackRefreshToken = true // the write back is a path that could leak
	for _, s := range secrets {
		create(t, s)
	}
	for _, c := range conns {
		create(t, c)
	}
	sites := make([]*v1alpha1.Site, len(conns))
	for i, c := range conns {
		sites[i] = siteCase.build(fixture{ns: ns}, "via-"+c.Name).(*v1alpha1.Site)
		sites[i].Spec.ConnectionRef = &v1alpha1.ConnectionReference{Name: c.Name}
		create(t, sites[i])
	}
	waitConnection(t, conns[0], metav1.ConditionTrue, conditions.ReasonAvailable)
	waitConnection(t, conns[1], metav1.ConditionTrue, conditions.ReasonAvailable)
	waitConnection(t, conns[2], metav1.ConditionFalse, conditions.ReasonCredentialsRejected)
	waitReady(t, sites[0])
	waitReady(t, sites[1])
	waitSyncedFalse(t, sites[2], conditions.ReasonReferencesNotReady)
	eventually(t, "the rotated refresh token in the Secret", func() (bool, string) {
		return secretValue(t, ns, "refresh", v1alpha1.SecretKeyRefreshToken) != refresh, "not rotated yet"
	})

	// Revoke everything mid-flight: the next writes meet 401s and rejected refreshes,
	// the paths where an error text could carry a credential.
	env.API.RevokeAllTokens()
	update(t, sites[0], func(s *v1alpha1.Site) { siteCase.mutate(s) })
	update(t, sites[1], func(s *v1alpha1.Site) { siteCase.mutate(s) })
	waitReady(t, sites[0])
	waitConnection(t, conns[1], metav1.ConditionFalse, conditions.ReasonCredentialsRejected)

	leaks := map[string]string{
		"the good client secret":                                    rotatingClientSecret,
		"the refresh client secret":                                 hoxtontest.DefaultClientSecret,
		"the rejected client secret":                                wrongClientSecret,
		"the rotated client secret of TestConnectionSecretRotation": rotatedClientSecret,
		"the first refresh token":                                   refresh,
		"the rotated refresh token":                                 secretValue(t, ns, "refresh", v1alpha1.SecretKeyRefreshToken),
	}
	tokens := tap.all()
	if len(tokens) < 3 {
		t.Fatalf("the tap saw %d tokens; want the access and refresh tokens of the run", len(tokens))
	}
	for i, tok := range tokens {
		leaks[fmt.Sprintf("token #%d seen on the wire", i)] = tok
	}

	var where []string
	for _, c := range conns {
		get(t, c)
		where = append(where, "status of Connection "+c.Name, mustJSON(t, c.Status))
	}
	for _, s := range sites {
		get(t, s)
		where = append(where, "status of Site "+s.Name, mustJSON(t, s.Status))
	}
	evs := &eventsv1.EventList{}
	if err := env.Client.List(ctx, evs, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	if len(evs.Items) == 0 {
		t.Fatalf("no events in %s: nothing to check", ns)
	}
	where = append(where, "events", mustJSON(t, evs.Items))
	log := managerLog.String()
	if !strings.Contains(log, "saved the rotated refresh token") {
		t.Fatalf("the captured manager log lacks the saved rotation: the log is not captured")
	}
	// client-go logs protobuf bodies as hex dumps, 16 bytes a line: a secret split over
	// two lines only shows once the dumps are decoded.
	where = append(where, "manager log", log, "manager log's hex dumps", hexDumped(log))

	for i := 0; i < len(where); i += 2 {
		for what, secret := range leaks {
			if at := strings.Index(where[i+1], secret); at >= 0 {
				t.Errorf("%s appears in the %s: %q", what, where[i], excerpt(where[i+1], at, len(secret)))
			}
		}
	}
	t.Logf("checked %d secrets and tokens against %d statuses, %d events and %d bytes of manager log",
		len(leaks), len(conns)+len(sites), len(evs.Items), len(log))

	// The revoked Connection cannot delete anything any more: let the cleanup orphan.
	update(t, sites[1], func(s *v1alpha1.Site) { s.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan })
}

// hexDumpLine matches a line of an encoding/hex Dump: offset, up to 16 bytes in hex,
// then the bytes as text between bars.
var hexDumpLine = regexp.MustCompile(`[0-9a-f]{8}((?: {1,2}[0-9a-f]{2}){1,16}) +\|`)

// hexDumped returns the bytes of every hex dump in s, concatenated.
func hexDumped(s string) string {
	var out []byte
	for _, m := range hexDumpLine.FindAllStringSubmatch(s, -1) {
		for _, h := range strings.Fields(m[1]) {
			b, err := hex.DecodeString(h)
			if err == nil {
				out = append(out, b...)
			}
		}
	}
	return string(out)
}

// excerpt returns up to 300 bytes of s around s[at:at+n], with the secret itself
// masked so that the failure message does not repeat it.
func excerpt(s string, at, n int) string {
	from, to := max(at-300, 0), min(at+n+300, len(s))
	return s[from:at] + "<SECRET>" + s[at+n:to]
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
