package operator_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"

	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// notInNamespacedInstall are the resources of the generated ClusterRole that a Role
// cannot grant (cluster-scoped) or that a namespaced install does not use.
var notInNamespacedInstall = append([]string{"namespaces", "clusterconnections", "clusterconnections/status", "clusterconnections/finalizers"},
	namespacedClusterRole...)

// namespacedClusterRole are the cluster-scoped resources the namespaced install
// grants in its ClusterRole (config/namespaced/cluster_role.yaml), as the generated
// ClusterRole does.
var namespacedClusterRole = []string{"tokenreviews", "subjectaccessreviews", "customresourcedefinitions"}

// grants flattens RBAC rules into "group resource verb" strings.
func grants(rules []rbacv1.PolicyRule, skip []string) []string {
	var out []string
	for _, r := range rules {
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				if slices.Contains(skip, res) {
					continue
				}
				for _, v := range r.Verbs {
					out = append(out, g+" "+res+" "+v)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func readYAML(t *testing.T, out any, parts ...string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(append([]string{testenv.RepoRoot()}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, out); err != nil {
		t.Fatal(err)
	}
}

// TestNamespacedRoleFollowsTheGeneratedClusterRole: the Role of config/namespaced
// grants exactly what the generated ClusterRole grants on namespaced resources, so
// that a new RBAC marker cannot be forgotten in the namespaced install.
func TestNamespacedRoleFollowsTheGeneratedClusterRole(t *testing.T) {
	var cluster rbacv1.ClusterRole
	readYAML(t, &cluster, "config", "rbac", "role.yaml")
	var role rbacv1.Role
	readYAML(t, &role, "config", "namespaced", "tenant", "role.yaml")
	want, got := grants(cluster.Rules, notInNamespacedInstall), grants(role.Rules, nil)
	if len(want) == 0 {
		t.Fatal("config/rbac/role.yaml grants nothing")
	}
	if !slices.Equal(want, got) {
		t.Errorf("config/namespaced/tenant/role.yaml grants\n  %s\nwant (config/rbac/role.yaml without cluster-scoped resources)\n  %s",
			strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	kust, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "namespaced", "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, must := range []string{"name: hoxton-operator-manager-role", "name: hoxton-operator-secret-writer-rolebinding",
		"$patch: delete", "--watch-namespaces=", "--secret-write-namespaces=", "- secret-writes"} {
		if !strings.Contains(string(kust), must) {
			t.Errorf("config/namespaced/kustomization.yaml lacks %q", must)
		}
	}
}

// TestNamespacedClusterRoleGrantsTheClusterScopedRules: what the manager needs on
// cluster-scoped resources (reviews for the metrics, the CRDs read before a
// deletion) a namespaced install grants in its ClusterRole, since a Role cannot.
func TestNamespacedClusterRoleGrantsTheClusterScopedRules(t *testing.T) {
	var cluster rbacv1.ClusterRole
	readYAML(t, &cluster, "config", "rbac", "role.yaml")
	var namespaced rbacv1.ClusterRole
	readYAML(t, &namespaced, "config", "namespaced", "cluster_role.yaml")
	granted := grants(namespaced.Rules, nil)
	for _, g := range grants(cluster.Rules, nil) {
		f := strings.Fields(g) // [group] resource verb: the core group is ""
		if slices.Contains(namespacedClusterRole, f[len(f)-2]) && !slices.Contains(granted, g) {
			t.Errorf("config/namespaced/cluster_role.yaml does not grant %q, which config/rbac/role.yaml does", g)
		}
	}
}

// TestSecretWritesAreBoundApart: the manager's ClusterRole reads Secrets but never
// writes them; the writes the code declares live in the secret writer role alone, so
// that an installation can bind them in the namespaces it names only.
func TestSecretWritesAreBoundApart(t *testing.T) {
	var manager, writer rbacv1.ClusterRole
	readYAML(t, &manager, "config", "rbac", "role.yaml")
	readYAML(t, &writer, "config", "rbac", "secret_writer_role.yaml")
	var tenant rbacv1.Role
	readYAML(t, &tenant, "config", "namespaced", "tenant", "role.yaml")
	for name, rules := range map[string][]rbacv1.PolicyRule{"config/rbac/role.yaml": manager.Rules, "config/namespaced/tenant/role.yaml": tenant.Rules} {
		for _, g := range grants(rules, nil) {
			if strings.HasPrefix(g, " secrets ") && !slices.Contains([]string{" secrets get", " secrets list", " secrets watch"}, g) {
				t.Errorf("%s grants %q: Secret writes belong in the secret writer role", name, strings.TrimSpace(g))
			}
		}
	}
	want := []string{" secrets create", " secrets patch", " secrets update"}
	if got := grants(writer.Rules, nil); !slices.Equal(got, want) {
		t.Errorf("config/rbac/secret_writer_role.yaml grants %q, want %q", got, want)
	}
}

// TestOneVersion: the kustomize install and the chart install the same image tag,
// the chart's appVersion, which `make` stamps into the binaries; never "latest".
func TestOneVersion(t *testing.T) {
	chart, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "charts", "hoxton-operator", "Chart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	app := regexp.MustCompile(`(?m)^appVersion: *"?([^"\n]+)"?$`).FindSubmatch(chart)
	if app == nil || string(app[1]) == "latest" {
		t.Fatalf("Chart.yaml's appVersion is missing or latest")
	}
	var kust struct {
		Images []struct{ Name, NewName, NewTag string } `json:"images"`
	}
	readYAML(t, &kust, "config", "manager", "kustomization.yaml")
	if len(kust.Images) != 1 || kust.Images[0].NewTag != string(app[1]) {
		t.Errorf("config/manager/kustomization.yaml images = %+v, want the tag %s (the chart's appVersion)", kust.Images, app[1])
	}
}
