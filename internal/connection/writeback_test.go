package connection

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// TestRotatedRefreshTokenWriteBackIsOptIn: a rotated refresh token always goes to
// the token state Secret, and into the user's Secret only when the Connection sets
// writeBackRefreshToken, so that a Secret kept in Git is never written unasked.
func TestRotatedRefreshTokenWriteBackIsOptIn(t *testing.T) {
	for _, writeBack := range []bool{false, true} {
		userSecret := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "credentials"},
			Data:       map[string][]byte{v1alpha1.SecretKeyRefreshToken: []byte("seed")},
		}
		conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "default", UID: "uid-default"}}
		conn.Spec.Grant = v1alpha1.GrantRefreshToken
		conn.Spec.WriteBackRefreshToken = writeBack
		c := fake.NewClientBuilder().WithScheme(testScheme()).WithObjects(userSecret).Build()
		ctx := context.Background()
		r := NewResolver(ctx, c, c, c, auth.Options{}, "test")

		if err := r.saveRotation(conn, seedOf("seed"), types.NamespacedName{Namespace: "shop", Name: "credentials"})(ctx,
			auth.Rotation{RefreshToken: "rotated", Previous: "seed"}); err != nil {
			t.Fatalf("writeBackRefreshToken %v: %v", writeBack, err)
		}
		state := &corev1.Secret{}
		if err := c.Get(ctx, types.NamespacedName{Namespace: "shop", Name: "default-hoxton-token"}, state); err != nil {
			t.Fatalf("writeBackRefreshToken %v: the token state: %v", writeBack, err)
		}
		if got := string(state.Data[stateKeyRefreshToken]); got != "rotated" {
			t.Errorf("writeBackRefreshToken %v: the token state holds %q, want the rotated token", writeBack, got)
		}
		if err := c.Get(ctx, types.NamespacedName{Namespace: "shop", Name: "credentials"}, userSecret); err != nil {
			t.Fatal(err)
		}
		want := "seed"
		if writeBack {
			want = "rotated"
		}
		if got := string(userSecret.Data[v1alpha1.SecretKeyRefreshToken]); got != want {
			t.Errorf("writeBackRefreshToken %v: the user's Secret holds %q, want %q", writeBack, got, want)
		}
	}
}
