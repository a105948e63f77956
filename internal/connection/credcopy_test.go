package connection

import (
	"context"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

func testScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	_ = v1alpha1.AddToScheme(scheme)
	return scheme
}

// TestDeletedConnectionUsesTheCopy: a manager that starts after a Connection and
// its Secret were deleted still gets a token, from the copy of the credentials the
// operator kept in the token state Secret; the user's Secret had no finalizer.
func TestDeletedConnectionUsesTheCopy(t *testing.T) {
	api := hoxtontest.NewServer(hoxtontest.Options{})
	defer api.Close()
	secret, conn := copiedConnection(api)
	c := fake.NewClientBuilder().WithScheme(testScheme()).WithObjects(secret).Build()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, _, err := NewResolver(ctx, c, c, c, auth.Options{}, "before").Client(ctx, conn); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(ctx, client.ObjectKeyFromObject(secret), secret); err != nil || len(secret.Finalizers) > 0 {
		t.Fatalf("the user's Secret: finalizers %v, %v", secret.Finalizers, err)
	}
	if err := c.Delete(ctx, secret); err != nil {
		t.Fatal(err)
	}
	conn.DeletionTimestamp = &metav1.Time{Time: time.Now()}
	_, source, err := NewResolver(ctx, c, c, c, auth.Options{}, "after").Client(ctx, conn)
	if err != nil {
		t.Fatalf("a restarted manager, the Secret gone: %v", err)
	}
	if _, err := source.Token(ctx); err != nil {
		t.Fatalf("token from the copy: %v", err)
	}
}

// TestOldSecretFinalizerIsRemovedFromTheSecret: the finalizer earlier versions put
// on Secrets is removed; the finalizers of others stay.
func TestOldSecretFinalizerIsRemovedFromTheSecret(t *testing.T) {
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "credentials",
		Finalizers: []string{SecretFinalizer, "example.com/other"}}}
	c := fake.NewClientBuilder().WithScheme(testScheme()).WithObjects(secret).Build()
	if _, err := (&secretRelease{client: c}).Reconcile(context.Background(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(secret)}); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(context.Background(), client.ObjectKeyFromObject(secret), secret); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(secret.Finalizers, []string{"example.com/other"}) {
		t.Errorf("finalizers %v, want only example.com/other", secret.Finalizers)
	}
}

// TestDeletingConnectionOutlivesItsSecret: a Connection being deleted (its
// generation bumped by the deletion) still serves the objects that use it while its
// Secret goes: when the manager's cache still holds the Secret that a direct read no
// longer finds, the client it had is kept, and a manager without one (restarted)
// builds it from the copy in the token state Secret.
func TestDeletingConnectionOutlivesItsSecret(t *testing.T) {
	api := hoxtontest.NewServer(hoxtontest.Options{})
	defer api.Close()
	secret, conn := copiedConnection(api)
	kube := fake.NewClientBuilder().WithScheme(testScheme()).WithObjects(secret.DeepCopy()).Build()
	// The cache, behind the API: it still holds the Secret after its deletion.
	staleCache := fake.NewClientBuilder().WithScheme(testScheme()).WithObjects(secret.DeepCopy()).Build()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	running := NewResolver(ctx, staleCache, kube, kube, auth.Options{}, "running")
	_, before, err := running.Client(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	if err := kube.Delete(ctx, secret); err != nil {
		t.Fatal(err)
	}
	deleting := conn.DeepCopy()
	deleting.DeletionTimestamp, deleting.Generation = &metav1.Time{Time: time.Now()}, 2
	if _, after, err := running.Client(ctx, deleting); err != nil || after != before {
		t.Fatalf("the running manager, its Connection being deleted: source kept %v, %v", after == before, err)
	}
	_, source, err := NewResolver(ctx, staleCache, kube, kube, auth.Options{}, "restarted").Client(ctx, deleting)
	if err != nil {
		t.Fatalf("a restarted manager, its cache behind: %v", err)
	}
	if _, err := source.Token(ctx); err != nil {
		t.Fatalf("token from the copy: %v", err)
	}
}

// copiedConnection is a Connection of namespace shop against api, and its labelled
// Secret of client credentials.
func copiedConnection(api *hoxtontest.Server) (*corev1.Secret, *v1alpha1.Connection) {
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "credentials", Labels: map[string]string{SecretLabel: "true"}},
		Data: map[string][]byte{
			v1alpha1.SecretKeyClientID: []byte(hoxtontest.DefaultClientID), v1alpha1.SecretKeyClientSecret: []byte(hoxtontest.DefaultClientSecret),
		},
	}
	conn := &v1alpha1.Connection{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "default", UID: "uid-default", Generation: 1},
		Spec: v1alpha1.ConnectionSpec{
			ConnectionParameters: v1alpha1.ConnectionParameters{
				APIURL: api.APIURL(), TokenURL: api.TokenURL(), OrganisationID: api.OrganisationID(),
				AllowInsecureHTTP: true, Audience: hoxtontest.DefaultAudience,
			},
			CredentialsSecretRef: v1alpha1.LocalReference{Name: "credentials"},
		},
	}
	return secret, conn
}
