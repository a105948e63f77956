package connection

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

func TestCheckEndpoints(t *testing.T) {
	for _, tc := range []struct {
		p       v1alpha1.ConnectionParameters
		refused bool
	}{
		{v1alpha1.ConnectionParameters{APIURL: "https://a/api", TokenURL: "https://a/token"}, false},
		{v1alpha1.ConnectionParameters{APIURL: "http://169.254.169.254/", TokenURL: "https://a/token"}, true},
		{v1alpha1.ConnectionParameters{APIURL: "https://a/api", TokenURL: "http://169.254.169.254/"}, true},
		{v1alpha1.ConnectionParameters{APIURL: "http://fake/api", TokenURL: "http://fake/token", AllowInsecureHTTP: true}, false},
		{v1alpha1.ConnectionParameters{APIURL: "http://127.0.0.1:8080/api", TokenURL: "http://127.0.0.1:8080/token", AllowInsecureHTTP: true}, false},
		// Metadata and link-local hosts are refused even for a test API, in any notation.
		{v1alpha1.ConnectionParameters{APIURL: "http://169.254.169.254/", TokenURL: "http://fake/token", AllowInsecureHTTP: true}, true},
		{v1alpha1.ConnectionParameters{APIURL: "https://169.254.169.254/", TokenURL: "https://a/token"}, true},
		{v1alpha1.ConnectionParameters{APIURL: "https://a/api", TokenURL: "https://metadata.google.internal/token"}, true},
		{v1alpha1.ConnectionParameters{APIURL: "https://[fd00:ec2::254]/", TokenURL: "https://a/token"}, true},
		{v1alpha1.ConnectionParameters{APIURL: "https://2852039166/", TokenURL: "https://a/token"}, true},
		{v1alpha1.ConnectionParameters{APIURL: "https://a/api", TokenURL: "https://a/token", RefreshURL: "https://169.254.169.254/refresh"}, true},
		{v1alpha1.ConnectionParameters{APIURL: "https://a/api", TokenURL: "https://a/token", RevocationURL: "http://a/revoke"}, true},
		// Loopback only with allowInsecureHTTP.
		{v1alpha1.ConnectionParameters{APIURL: "https://localhost/api", TokenURL: "https://a/token"}, true},
	} {
		err := checkEndpoints(&tc.p)
		var cfg *ConfigError
		if tc.refused != (err != nil) || (err != nil && (!errors.As(err, &cfg) || cfg.Reason != conditions.ReasonInvalidConfiguration)) {
			t.Errorf("checkEndpoints(%+v) = %v, refused want %v", tc.p, err, tc.refused)
		}
	}
}

func TestClusterConnectionSecretKey(t *testing.T) {
	r := &Resolver{tenancy: Tenancy{ClusterResourceNamespace: "operator"}}
	cc := func(ns string) *v1alpha1.ClusterConnection {
		return &v1alpha1.ClusterConnection{Spec: v1alpha1.ClusterConnectionSpec{CredentialsSecretRef: v1alpha1.ClusterSecretReference{Name: "s", Namespace: ns}}}
	}
	if k, err := r.secretKeyOf(cc("")); err != nil || k.String() != "operator/s" {
		t.Errorf("no namespace: %v, %v; want operator/s", k, err)
	}
	if k, err := r.secretKeyOf(cc("operator")); err != nil || k.String() != "operator/s" {
		t.Errorf("the operator's namespace: %v, %v; want operator/s", k, err)
	}
	if _, err := r.secretKeyOf(cc("team-a")); err == nil || !strings.Contains(err.Error(), "operator's namespace operator") {
		t.Errorf("a tenant's namespace: %v, want refused", err)
	}
	conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a"}, Spec: v1alpha1.ConnectionSpec{CredentialsSecretRef: v1alpha1.LocalReference{Name: "s"}}}
	if k, err := r.secretKeyOf(conn); err != nil || k.String() != "team-a/s" {
		t.Errorf("Connection: %v, %v; want team-a/s", k, err)
	}
}

func TestTenantMessageHidesClusterConnectionDetails(t *testing.T) {
	detail := "Secret operator/shared-credentials not found; organisation 0b0e5a52"
	msg := tenantMessage(v1alpha1.ConnectionReference{Kind: v1alpha1.ConnectionKindCluster, Name: "shared"}, "is not Ready", conditions.ReasonSecretNotFound, detail)
	if strings.Contains(msg, "shared-credentials") || strings.Contains(msg, "0b0e5a52") || !strings.Contains(msg, `"shared"`) {
		t.Errorf("ClusterConnection: %q", msg)
	}
	msg = tenantMessage(v1alpha1.ConnectionReference{Kind: v1alpha1.ConnectionKindNamespaced, Name: "default"}, "is not Ready", conditions.ReasonSecretNotFound, detail)
	if !strings.Contains(msg, detail) {
		t.Errorf("Connection of the tenant's own namespace should keep the detail: %q", msg)
	}
}

func TestAdmitsNamespace(t *testing.T) {
	cc := &v1alpha1.ClusterConnection{Spec: v1alpha1.ClusterConnectionSpec{Conditions: []v1alpha1.ClusterConnectionCondition{
		{Namespaces: []string{"team-a"}},
		{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"tier": "retail"}}},
	}}}
	for _, tc := range []struct {
		ns     string
		labels map[string]string
		want   bool
	}{
		{"team-a", nil, true},
		{"team-b", map[string]string{"tier": "retail"}, true},
		{"team-b", map[string]string{"tier": "office"}, false},
		{"team-c", nil, false},
	} {
		if got, _ := cc.AdmitsNamespace(tc.ns, tc.labels); got != tc.want {
			t.Errorf("AdmitsNamespace(%s, %v) = %v, want %v", tc.ns, tc.labels, got, tc.want)
		}
	}
	if ok, _ := (&v1alpha1.ClusterConnection{}).AdmitsNamespace("team-a", nil); ok {
		t.Error("no conditions admitted a namespace")
	}
}

// The token request carries the client secret: a redirect from the token endpoint
// is not followed, so the secret goes nowhere else.
func TestTokenRequestsDoNotFollowRedirects(t *testing.T) {
	var elsewhere atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { elsewhere.Add(1) }))
	defer target.Close()
	tokenEndpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/steal", http.StatusTemporaryRedirect)
	}))
	defer tokenEndpoint.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := NewResolver(ctx, nil, nil, nil, auth.Options{}, "test")
	httpClient, err := httpClientFor("")
	if err != nil {
		t.Fatal(err)
	}
	conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "default"}}
	source, err := r.tokenSource(ctx, conn, auth.Credentials{Grant: auth.GrantClientCredentials, TokenURL: tokenEndpoint.URL,
		ClientID: "id", ClientSecret: "very-secret"}, httpClient)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := source.Token(ctx); err == nil {
		t.Fatal("a token was obtained through a redirect")
	}
	if n := elsewhere.Load(); n != 0 {
		t.Fatalf("the redirect target received %d token requests", n)
	}
}

// A name that resolves to the metadata address passes every URL check; the dialer of
// the API and token clients still refuses to connect to it. Port 0: should the guard
// be missing, no request reaches a metadata service.
func TestClientsDoNotConnectToMetadataAddresses(t *testing.T) {
	httpClient, err := httpClientFor("")
	if err != nil {
		t.Fatal(err)
	}
	dial := httpClient.Transport.(*http.Transport).DialContext
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, addr := range []string{"169.254.169.254:0", "[fd00:ec2::254]:0", "[::ffff:169.254.169.254]:0", "100.100.100.200:0"} {
		conn, err := dial(ctx, "tcp", addr)
		if err == nil {
			_ = conn.Close()
		}
		if err == nil || !strings.Contains(err.Error(), "metadata address refused") {
			t.Errorf("dialling %s: %v, want refused before connecting", addr, err)
		}
	}
	loopback := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer loopback.Close()
	if resp, err := httpClient.Get(loopback.URL); err != nil {
		t.Errorf("a loopback test API: %v", err)
	} else {
		_ = resp.Body.Close()
	}
}
