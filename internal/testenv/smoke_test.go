package testenv_test

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// TestControlPlaneSmoke proves the envtest binaries: a real kube-apiserver starts, the
// CRDs install, an object is created and read back, and the CRD's own validation
// refuses bad input at create time.
func TestControlPlaneSmoke(t *testing.T) {
	cp, err := testenv.StartControlPlane()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Stop() })
	scheme, err := operator.NewScheme()
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(cp.Config, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	site := &v1alpha1.Site{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "hq"}, Spec: v1alpha1.SiteSpec{Name: "Head office"}}
	if err := c.Create(ctx, site); err != nil {
		t.Fatalf("create site: %v", err)
	}
	got := &v1alpha1.Site{}
	if err := c.Get(ctx, client.ObjectKeyFromObject(site), got); err != nil {
		t.Fatalf("get site: %v", err)
	}
	if got.Spec.Name != "Head office" || got.Spec.DeletionPolicy != v1alpha1.DeletionPolicyDelete {
		t.Fatalf("site read back as %+v; want the name and the defaulted deletionPolicy", got.Spec)
	}

	bad := &v1alpha1.Camera{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "both"}, Spec: v1alpha1.CameraSpec{
		SerialNumber: "HX-1", SiteRef: &v1alpha1.LocalReference{Name: "hq"}, SiteID: "7d0f8b1e-9a65-4a39-8f2b-2c7e0c1d5e11",
	}}
	err = c.Create(ctx, bad)
	if err == nil || !strings.Contains(err.Error(), "set exactly one of siteRef and siteID") {
		t.Fatalf("camera with siteRef and siteID: got %v, want the CRD's XOR rule to refuse it", err)
	}
}
