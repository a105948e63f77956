package kinds_test

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// TestPlainHTTPURLsNeedAllowInsecureHTTP: the API server refuses http:// API and
// token URLs (the cloud metadata address among them) unless the Connection allows
// plain HTTP, with a message that says what to do.
func TestPlainHTTPURLsNeedAllowInsecureHTTP(t *testing.T) {
	ns := newNamespace(t)
	metadata := "http://169.254.169.254/latest/meta-data"
	for _, tc := range []struct {
		name, apiURL, tokenURL string
		allow                  bool
		wantRefused            string
	}{
		{"metadata address as apiURL", metadata, "https://auth.example/oauth/token", false, "apiURL must start with https://"},
		{"metadata address as tokenURL", "https://api.example/api/v0", metadata, false, "tokenURL must start with https://"},
		{"https", "https://api.example/api/v0", "https://auth.example/oauth/token", false, ""},
		{"http allowed for a test API", "http://127.0.0.1:8080/api/v0", "http://127.0.0.1:8080/oauth/token", true, ""},
		{"defaults", "", "", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := env.Connection(ns, strings.ReplaceAll(strings.ToLower(tc.name), " ", "-"), "credentials")
			conn.Spec.APIURL, conn.Spec.TokenURL, conn.Spec.AllowInsecureHTTP = tc.apiURL, tc.tokenURL, tc.allow
			err := env.Client.Create(ctx, conn)
			switch {
			case tc.wantRefused == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.wantRefused != "" && (err == nil || !strings.Contains(err.Error(), tc.wantRefused)):
				t.Fatalf("err = %v, want a refusal saying %q", err, tc.wantRefused)
			}
			if err == nil {
				deleteObject(t, conn)
			}
		})
	}
	cc := &v1alpha1.ClusterConnection{
		ObjectMeta: metav1.ObjectMeta{Name: "insecure-" + ns},
		Spec: v1alpha1.ClusterConnectionSpec{
			ConnectionParameters: v1alpha1.ConnectionParameters{APIURL: metadata, OrganisationID: env.API.OrganisationID()},
			CredentialsSecretRef: v1alpha1.ClusterSecretReference{Name: "credentials"},
		},
	}
	if err := env.Client.Create(ctx, cc); err == nil || !strings.Contains(err.Error(), "apiURL must start with https://") {
		deleteObject(t, cc)
		t.Errorf("ClusterConnection with %s: err = %v, want refused", metadata, err)
	}
}

// TestClusterConnectionConditionNeedsAMatcher: a condition with neither namespaces
// nor a selector is refused at apply, instead of silently admitting nothing.
func TestClusterConnectionConditionNeedsAMatcher(t *testing.T) {
	cc := &v1alpha1.ClusterConnection{
		ObjectMeta: metav1.ObjectMeta{Name: "empty-condition"},
		Spec: v1alpha1.ClusterConnectionSpec{
			ConnectionParameters: v1alpha1.ConnectionParameters{OrganisationID: env.API.OrganisationID()},
			CredentialsSecretRef: v1alpha1.ClusterSecretReference{Name: "credentials"},
			Conditions:           []v1alpha1.ClusterConnectionCondition{{}},
		},
	}
	if err := env.Client.Create(ctx, cc); err == nil || !strings.Contains(err.Error(), "needs namespaces or a namespaceSelector") {
		deleteObject(t, cc)
		t.Errorf("err = %v, want refused", err)
	}
}
