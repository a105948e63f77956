package helm

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// chartKinds returns the plural names of the chart's CRDs, and whether each is namespaced.
func chartKinds(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(chartDir, "crds", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs in the chart (%v)", err)
	}
	out := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(data, &crd); err != nil {
			t.Fatal(err)
		}
		out[crd.Spec.Names.Plural] = crd.Spec.Scope == apiextensionsv1.NamespaceScoped
	}
	return out
}

// TestUserRoles applies the chart's roles for people on a control plane and asks the
// API server's authorizer: someone bound to the editor role in a namespace may create,
// change and delete every namespaced kind there and no ClusterConnection; someone bound
// to the viewer role may read every kind and change none. (The aggregation into the
// built-in roles is done by kube-controller-manager, which this control plane lacks:
// the labels are checked here, the aggregation on a real cluster.)
func TestUserRoles(t *testing.T) {
	c := startControlPlane(t)
	ctx := context.Background()
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "stores"}}); err != nil {
		t.Fatal(err)
	}
	objs, err := render(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string][]string{
		"hoxton-hoxton-operator-editor": {"rbac.authorization.k8s.io/aggregate-to-edit", "rbac.authorization.k8s.io/aggregate-to-admin"},
		"hoxton-hoxton-operator-viewer": {"rbac.authorization.k8s.io/aggregate-to-view"},
	}
	for _, u := range find(objs, "ClusterRole") {
		want, ok := labels[u.GetName()]
		if !ok {
			continue
		}
		delete(labels, u.GetName())
		for _, l := range want {
			if u.GetLabels()[l] != "true" {
				t.Errorf("%s lacks the label %s", u.GetName(), l)
			}
		}
		if err := c.Patch(ctx, u, client.Apply, client.FieldOwner("helm-test"), client.ForceOwnership); err != nil { //nolint:staticcheck // unstructured apply
			t.Fatal(err)
		}
	}
	if len(labels) > 0 {
		t.Fatalf("the default install renders no %v", labels)
	}
	for user, role := range map[string]string{"editor": "hoxton-hoxton-operator-editor", "viewer": "hoxton-hoxton-operator-viewer"} {
		binding := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: "stores", Name: user},
			RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: role},
			Subjects: []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "User", Name: user}}}
		if err := c.Create(ctx, binding); err != nil {
			t.Fatal(err)
		}
	}
	may := func(user, verb, resource string) bool {
		t.Helper()
		review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: user,
			ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: "stores", Verb: verb, Group: "hoxtonai.dev", Resource: resource}}}
		if err := c.Create(ctx, review); err != nil {
			t.Fatal(err)
		}
		return review.Status.Allowed
	}
	for plural, namespaced := range chartKinds(t) {
		for _, verb := range []string{"create", "update", "delete"} {
			if got := may("editor", verb, plural); got != namespaced {
				t.Errorf("editor %s %s: allowed=%v, want %v", verb, plural, got, namespaced)
			}
			if may("viewer", verb, plural) {
				t.Errorf("viewer may %s %s", verb, plural)
			}
		}
		if namespaced && !may("viewer", "list", plural) {
			t.Errorf("viewer may not list %s", plural)
		}
	}
}
