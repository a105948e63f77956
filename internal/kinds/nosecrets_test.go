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
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

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
