package connection

import (
	"context"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// TestTokenStateWrittenBeforeTheFinalizerGetsIt: a token state Secret an earlier
// version wrote, without TokenStateFinalizer, gets it at the next copy of the
// credentials, even when they did not change; releasing it removes only that
// finalizer.
func TestTokenStateWrittenBeforeTheFinalizerGetsIt(t *testing.T) {
	user := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "credentials"},
		Data:       map[string][]byte{v1alpha1.SecretKeyClientID: []byte("id")},
	}
	old := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "default-hoxton-token",
			Labels: map[string]string{LabelTokenState: "true"}, Finalizers: []string{"example.com/other"}},
		Data: map[string][]byte{copyPrefix + v1alpha1.SecretKeyClientID: []byte("id")},
	}
	conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "default", UID: "uid-default"},
		Spec: v1alpha1.ConnectionSpec{CredentialsSecretRef: v1alpha1.LocalReference{Name: "credentials"}}}
	c := fake.NewClientBuilder().WithScheme(testScheme()).WithObjects(user, old).Build()
	ctx := context.Background()
	r := NewResolver(ctx, c, c, c, auth.Options{}, "test")
	key := types.NamespacedName{Namespace: "shop", Name: "default-hoxton-token"}

	if err := r.keepCredentials(ctx, conn, user); err != nil {
		t.Fatal(err)
	}
	state := &corev1.Secret{}
	if err := c.Get(ctx, key, state); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(state.Finalizers, []string{"example.com/other", TokenStateFinalizer}) {
		t.Fatalf("finalizers %v, want %s added", state.Finalizers, TokenStateFinalizer)
	}

	if err := r.releaseTokenState(ctx, conn); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(ctx, key, state); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(state.Finalizers, []string{"example.com/other"}) {
		t.Errorf("after the release: finalizers %v, want only example.com/other", state.Finalizers)
	}
}
