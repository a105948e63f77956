package helm

import (
	"context"
	"slices"
	"strings"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// clusterWide maps each resource that the rendered ClusterRoleBindings grant
// cluster-wide, through the rendered ClusterRoles they name, to its verbs.
func clusterWide(objs []*unstructured.Unstructured) map[string][]string {
	roles := map[string][]any{}
	for _, cr := range find(objs, "ClusterRole") {
		roles[cr.GetName()], _, _ = unstructured.NestedSlice(cr.Object, "rules")
	}
	out := map[string][]string{}
	for _, b := range find(objs, "ClusterRoleBinding") {
		name, _, _ := unstructured.NestedString(b.Object, "roleRef", "name")
		for _, r := range roles[name] {
			rule := r.(map[string]any)
			res, _, _ := unstructured.NestedStringSlice(rule, "resources")
			verbs, _, _ := unstructured.NestedStringSlice(rule, "verbs")
			for _, name := range res {
				out[name] = append(out[name], verbs...)
			}
		}
	}
	return out
}

// bindingNamespaces lists, sorted and comma-separated, the namespaces of the
// RoleBindings called name.
func bindingNamespaces(objs []*unstructured.Unstructured, name string) string {
	var out []string
	for _, b := range find(objs, "RoleBinding") {
		if b.GetName() == name {
			out = append(out, b.GetNamespace())
		}
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

// TestSecretWritesLimitedToNamedNamespaces: with secretWrites.namespaces set, the
// manager may write Secrets only there and in the release's namespace, in the
// cluster-wide and in the namespaced install, and it is told so by its flag.
func TestSecretWritesLimitedToNamedNamespaces(t *testing.T) {
	for name, vals := range map[string]map[string]any{
		"cluster-wide": {"secretWrites": map[string]any{"namespaces": []any{"stores"}}},
		"namespaced":   {"watchNamespaces": []any{"stores", "warehouses"}, "secretWrites": map[string]any{"namespaces": []any{"stores"}}},
	} {
		t.Run(name, func(t *testing.T) {
			objs, err := render(t, vals)
			if err != nil {
				t.Fatal(err)
			}
			if got := bindingNamespaces(objs, "hoxton-hoxton-operator-secret-writer"); got != releaseNS+",stores" {
				t.Errorf("the secret writer role is bound in %q, want %s,stores", got, releaseNS)
			}
			if verbs := clusterWide(objs)["secrets"]; slices.ContainsFunc(verbs, isWrite) {
				t.Errorf("Secret writes are granted cluster-wide: %v", verbs)
			}
			if a := args(managerContainer(t, objs)); !strings.Contains(a, "--secret-write-namespaces=stores,"+releaseNS) {
				t.Errorf("the manager is not told where it may write Secrets: %s", a)
			}
		})
	}
}

func isWrite(verb string) bool { return verb != "get" && verb != "list" && verb != "watch" }

// TestSecretWritesLimitedOnAControlPlane applies the RBAC of a cluster-wide install
// whose Secret writes are limited to "stores", and asks the API server's own
// authorizer what the manager's ServiceAccount may do: read Secrets everywhere, write
// them in "stores" and the release's namespace only.
func TestSecretWritesLimitedOnAControlPlane(t *testing.T) {
	c := startControlPlane(t)
	ctx := context.Background()
	for _, ns := range []string{releaseNS, "stores", "warehouses"} {
		if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			t.Fatal(err)
		}
	}
	objs, err := render(t, map[string]any{"secretWrites": map[string]any{"namespaces": []any{"stores"}}})
	if err != nil {
		t.Fatal(err)
	}
	sa := ""
	for _, u := range objs {
		switch u.GetKind() {
		case "ServiceAccount":
			sa = "system:serviceaccount:" + u.GetNamespace() + ":" + u.GetName()
		case "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding":
		default:
			continue
		}
		if err := c.Patch(ctx, u, client.Apply, client.FieldOwner("helm-test"), client.ForceOwnership); err != nil { //nolint:staticcheck // unstructured apply
			t.Fatalf("%s %s: %v", u.GetKind(), u.GetName(), err)
		}
	}
	for _, tc := range []struct {
		verb, namespace string
		allowed         bool
	}{
		{"get", "warehouses", true}, {"list", "warehouses", true},
		{"create", "stores", true}, {"patch", "stores", true}, {"update", releaseNS, true},
		{"create", "warehouses", false}, {"patch", "warehouses", false}, {"update", "warehouses", false},
		{"delete", "stores", false},
	} {
		review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: sa,
			Groups:             []string{"system:serviceaccounts"},
			ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: tc.namespace, Verb: tc.verb, Resource: "secrets"}}}
		if err := c.Create(ctx, review); err != nil {
			t.Fatal(err)
		}
		if review.Status.Allowed != tc.allowed {
			t.Errorf("%s secrets in %s: allowed=%v, want %v", tc.verb, tc.namespace, review.Status.Allowed, tc.allowed)
		}
	}
}
