package connection

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

func TestTokenStateNames(t *testing.T) {
	cc := &v1alpha1.ClusterConnection{ObjectMeta: metav1.ObjectMeta{Name: "x"}}
	conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: "operator", Name: "cluster-x"}}
	if a, b := tokenStateKey(cc, "operator"), tokenStateKey(conn, "operator"); a == b {
		t.Errorf("ClusterConnection x and Connection cluster-x share the token state Secret %s", a)
	}
	if got := tokenStateKey(cc, "operator").String(); got != "operator/x-hoxton-cluster-token" {
		t.Errorf("ClusterConnection x: %s", got)
	}
	long := &v1alpha1.ClusterConnection{ObjectMeta: metav1.ObjectMeta{Name: strings.Repeat("a", 253)}}
	if n := len(tokenStateKey(long, "operator").Name); n > 253 {
		t.Errorf("a name of %d characters", n)
	}
}

// TestLegacyClusterTokenStateIsMigrated: a ClusterConnection's token state under
// the old name ("cluster-<name>-hoxton-token") is read, and the next write moves it
// to the new name with its lineage; a Secret of the old name that the
// ClusterConnection does not own is ignored.
func TestLegacyClusterTokenStateIsMigrated(t *testing.T) {
	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	cc := &v1alpha1.ClusterConnection{ObjectMeta: metav1.ObjectMeta{Name: "x", UID: "uid-x"}}
	legacy := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: "operator", Name: "cluster-x-hoxton-token", Labels: map[string]string{LabelTokenState: "true"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: v1alpha1.GroupVersion.String(), Kind: "ClusterConnection", Name: "x", UID: "uid-x"}},
		},
		Data: map[string][]byte{stateKeyRefreshToken: []byte("rotated"), stateKeyLineage: []byte(seedOf("seed") + " " + seedOf("rotated"))},
	}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(legacy).Build()
	ctx := context.Background()
	r := NewResolver(ctx, c, c, c, auth.Options{}, "test")

	creds, continued, err := r.withTokenState(ctx, cc, "operator", auth.Credentials{Grant: auth.GrantRefreshToken, RefreshToken: "seed"})
	if err != nil || !continued || creds.RefreshToken != "rotated" {
		t.Fatalf("from the legacy state: %q, continued %v, %v; want the rotated token", creds.RefreshToken, continued, err)
	}
	if err := r.saveRotation(cc, seedOf("seed"), types.NamespacedName{Namespace: "operator", Name: "s"})(ctx,
		auth.Rotation{RefreshToken: "newer", Previous: "rotated"}); err != nil {
		t.Fatal(err)
	}
	moved := &corev1.Secret{}
	if err := c.Get(ctx, types.NamespacedName{Namespace: "operator", Name: "x-hoxton-cluster-token"}, moved); err != nil {
		t.Fatalf("the state under the new name: %v", err)
	}
	if got := string(moved.Data[stateKeyRefreshToken]); got != "newer" || !strings.Contains(string(moved.Data[stateKeyLineage]), seedOf("seed")) {
		t.Errorf("the moved state holds %q with lineage %q", got, moved.Data[stateKeyLineage])
	}

	other := &v1alpha1.ClusterConnection{ObjectMeta: metav1.ObjectMeta{Name: "y"}}
	notOwned := legacy.DeepCopy()
	notOwned.Name, notOwned.ResourceVersion = "cluster-y-hoxton-token", ""
	notOwned.OwnerReferences[0].Kind = "Connection"
	if err := c.Create(ctx, notOwned); err != nil {
		t.Fatal(err)
	}
	if _, continued, _ := r.withTokenState(ctx, other, "operator", auth.Credentials{Grant: auth.GrantRefreshToken, RefreshToken: "seed"}); continued {
		t.Error("a ClusterConnection continued from the token state of a Connection named cluster-<its name>")
	}
}
