package connection

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// TestTwoResolversShareALineage: two resolvers (two managers without leader
// election) use one RefreshToken Connection against the fake, over HTTP, and look
// at it again after every change of its Secret, as their controllers do. Each
// rotation one of them makes is copied into the Secret; the other keeps its token
// instead of refreshing at once, and the one whose refresh token was rotated away
// continues from the token state. The token requests stay within a budget;
// replacing the token source at every change made them take turns for ever.
func TestTwoResolversShareALineage(t *testing.T) {
	api := hoxtontest.NewServer(hoxtontest.Options{})
	defer api.Close()
	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	_ = v1alpha1.AddToScheme(scheme)
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "credentials", Labels: map[string]string{SecretLabel: "true"}},
		Data: map[string][]byte{
			v1alpha1.SecretKeyClientID: []byte(hoxtontest.DefaultClientID), v1alpha1.SecretKeyClientSecret: []byte(hoxtontest.DefaultClientSecret),
			v1alpha1.SecretKeyRefreshToken: []byte(api.IssueRefreshToken(hoxtontest.DefaultClientID)),
		},
	}
	conn := &v1alpha1.Connection{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "default", UID: "uid-default", Generation: 1},
		Spec: v1alpha1.ConnectionSpec{
			ConnectionParameters: v1alpha1.ConnectionParameters{
				APIURL: api.APIURL(), TokenURL: api.TokenURL(), OrganisationID: api.OrganisationID(),
				AllowInsecureHTTP: true, Grant: v1alpha1.GrantRefreshToken, Audience: hoxtontest.DefaultAudience,
			},
			CredentialsSecretRef: v1alpha1.LocalReference{Name: "credentials"},
		},
	}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(secret, conn).Build()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	managers := []*Resolver{
		NewResolver(ctx, c, c, c, auth.Options{}, "a"),
		NewResolver(ctx, c, c, c, auth.Options{}, "b"),
	}

	const rounds, budget = 20, 6
	working := 0
	for range rounds {
		// Both look before either asks for a token: in the first round both
		// hold the same refresh token, and the second to use it finds it
		// rotated away.
		sources := make([]*auth.Source, len(managers))
		for i, r := range managers {
			_, source, err := r.Client(ctx, conn)
			if err != nil {
				t.Fatalf("client: %v", err)
			}
			sources[i] = source
		}
		for i, r := range managers {
			if _, err := sources[i].Token(ctx); err == nil {
				working++
			} else if auth.IsRejected(err) {
				r.rejoinLineage(ctx, conn, sources[i])
			}
		}
		if err := c.Get(ctx, client.ObjectKeyFromObject(secret), secret); err != nil {
			t.Fatal(err)
		}
	}
	n := api.TokenRequests("refresh_token")
	t.Logf("%d token requests, a token in %d of %d looks", n, working, 2*rounds)
	if n > budget {
		t.Errorf("%d token requests in %d rounds of two managers, want at most %d", n, rounds, budget)
	}
	if working < rounds {
		t.Errorf("a token in %d of %d looks, want most", working, 2*rounds)
	}
	for _, r := range managers {
		_, source, err := r.Client(ctx, conn)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := source.Token(ctx); err != nil {
			t.Errorf("a manager has no working token at the end: %v", err)
		}
	}
}
