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
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

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

// Token requests carry the client secret (CamStreamer's the refresh token too, a
// CAM2 refresh the access token): a redirect from a token or refresh endpoint is not
// followed, in any dialect, so they go nowhere else. Each case asserts that the
// redirecting endpoint was asked, so that it cannot pass by sending nothing.
func TestTokenRequestsDoNotFollowRedirects(t *testing.T) {
	const cam2Token = `{"token":"tok","token_type":"JWT","expires in":3600}`
	for _, tc := range []struct {
		name string
		// creds points at redirecting for the request under test; issuing answers
		// the requests before it.
		creds func(redirecting, issuing string) auth.Credentials
		// refresh: the request under test is a refresh, after a first token.
		refresh bool
	}{
		{"Standard token URL", func(redirecting, _ string) auth.Credentials {
			return auth.Credentials{Grant: auth.GrantClientCredentials, TokenURL: redirecting, Audience: auth.DefaultAudience,
				ClientID: "id", ClientSecret: "very-secret"}
		}, false},
		{"CAM2 token URL", func(redirecting, _ string) auth.Credentials {
			return auth.Credentials{Dialect: auth.DialectCAM2, Grant: auth.GrantClientCredentials, TokenURL: redirecting,
				ClientID: "id", ClientSecret: "very-secret"}
		}, false},
		{"CAM2 refresh URL", func(redirecting, issuing string) auth.Credentials {
			return auth.Credentials{Dialect: auth.DialectCAM2, Grant: auth.GrantClientCredentials, TokenURL: issuing,
				RefreshURL: redirecting, ClientID: "id", ClientSecret: "very-secret"}
		}, true},
		{"CamStreamer token URL", func(redirecting, _ string) auth.Credentials {
			return auth.Credentials{Dialect: auth.DialectCamStreamer, Grant: auth.GrantRefreshToken, TokenURL: redirecting,
				ClientID: "id", ClientSecret: "very-secret", RefreshToken: "refresh-secret"}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var asked, elsewhere atomic.Int32
			target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
			defer target.Close()
			redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				asked.Add(1)
				http.Redirect(w, r, target.URL+"/steal", http.StatusTemporaryRedirect)
			}))
			defer redirecting.Close()
			issuing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(cam2Token))
			}))
			defer issuing.Close()

			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var now atomic.Int64 // the Source reads its clock from its own goroutine
			now.Store(time.Now().UnixNano())
			clock := func() time.Time { return time.Unix(0, now.Load()) }
			r := NewResolver(ctx, nil, fake.NewClientBuilder().Build(), nil, auth.Options{Now: clock}, "test")
			httpClient, err := httpClientFor("")
			if err != nil {
				t.Fatal(err)
			}
			conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "default"}}
			source, _, err := r.tokenSource(ctx, conn, tc.creds(redirecting.URL+"/token/", issuing.URL+"/token/"), httpClient,
				types.NamespacedName{Namespace: "ns", Name: "secret"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = source.Token(ctx)
			if tc.refresh {
				if err != nil {
					t.Fatalf("first token: %v", err)
				}
				now.Add(int64(55 * time.Minute)) // inside the refresh window: the next call refreshes
				_, _ = source.Token(ctx)
			} else if err == nil {
				t.Fatal("a token was obtained through a redirect")
			}
			if asked.Load() == 0 {
				t.Fatal("the redirecting endpoint was never asked: the test proves nothing")
			}
			if n := elsewhere.Load(); n != 0 {
				t.Fatalf("the redirect target received %d token requests", n)
			}
		})
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
