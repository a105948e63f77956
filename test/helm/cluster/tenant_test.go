package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// Users of a tenant namespace, bound to the built-in roles only: whatever they may do
// with HoxtonAi kinds comes from the chart's roles aggregated into those by the
// controller-manager.
const (
	editor = "alice"
	viewer = "bob"
)

// tenant makes namespace ns with editor bound to `edit` and viewer to `view`.
func (e *env) tenant(t *testing.T, ns string) {
	t.Helper()
	ctx := context.Background()
	objs := []client.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}}
	for user, role := range map[string]string{editor: "edit", viewer: "view"} {
		objs = append(objs, &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: user, Namespace: ns},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
			Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}},
		})
	}
	for _, o := range objs {
		if err := e.kube.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
}

// namespacedKinds reads the chart's CRDs: every namespaced HoxtonAi kind, by plural.
func namespacedKinds(t *testing.T) map[schema.GroupKind]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(chartDir, "crds", "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no CRDs in the chart (%v)", err)
	}
	out := map[schema.GroupKind]string{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(data, &crd); err != nil {
			t.Fatal(err)
		}
		if crd.Spec.Scope == apiextensionsv1.NamespaceScoped {
			out[schema.GroupKind{Group: crd.Spec.Group, Kind: crd.Spec.Names.Kind}] = crd.Spec.Names.Plural + "." + crd.Spec.Group
		}
	}
	return out
}

// applyAsEditor applies the samples into ns as the tenant's editor, with kubectl, and
// checks they hold every namespaced kind: a user with `edit` creates every kind.
func (e *env) applyAsEditor(t *testing.T, ns string, objs []*unstructured.Unstructured) {
	t.Helper()
	kinds := namespacedKinds(t)
	have := kindsOf(objs)
	for gk := range kinds {
		if !have[gk] {
			t.Errorf("the samples hold no %s: a tenant's use of it is untested", gk.Kind)
		}
	}
	// The aggregation controller may take a moment to fold the chart's roles into edit.
	eventually(t, wait, "edit grants the HoxtonAi kinds", func() error {
		for _, res := range kinds {
			if out, _ := e.kubectlErr(nil, "auth", "can-i", "create", res, "-n", ns, "--as", editor); strings.TrimSpace(out) != "yes" {
				return fmt.Errorf("%s may not create %s", editor, res)
			}
		}
		return nil
	})
	e.kubectl(t, manifest(t, objs), "apply", "--as", editor, "-n", ns, "-f", "-")
}

// checkRoles: the viewer reads every kind and writes none; neither user gains
// anything on Secrets from the chart's roles.
func (e *env) checkRoles(t *testing.T, ns string) {
	t.Helper()
	var plurals []string
	for _, res := range namespacedKinds(t) {
		plurals = append(plurals, res)
	}
	sort.Strings(plurals)
	e.kubectl(t, nil, "get", strings.Join(plurals, ","), "-n", ns, "--as", viewer)
	for _, res := range plurals {
		if out, _ := e.kubectlErr(nil, "auth", "can-i", "create", res, "-n", ns, "--as", viewer); strings.TrimSpace(out) != "no" {
			t.Errorf("%s (view) may create %s", viewer, res)
		}
	}
	if out, _ := e.kubectlErr(nil, "auth", "can-i", "get", "secrets", "-n", ns, "--as", viewer); strings.TrimSpace(out) != "no" {
		t.Errorf("%s (view) may read Secrets", viewer)
	}
	// The chart's user roles name no Secret: edit's Secret rights are Kubernetes' own.
	var roles rbacv1.ClusterRoleList
	if err := e.kube.List(context.Background(), &roles, client.MatchingLabels{"app.kubernetes.io/name": "hoxton-operator"}); err != nil {
		t.Fatal(err)
	}
	for _, r := range roles.Items {
		if !strings.HasSuffix(r.Name, "-editor") && !strings.HasSuffix(r.Name, "-viewer") {
			continue
		}
		for _, rule := range r.Rules {
			for _, res := range rule.Resources {
				if res == "secrets" || res == "*" {
					t.Errorf("user role %s grants %v on %s", r.Name, rule.Verbs, res)
				}
			}
		}
	}
}
