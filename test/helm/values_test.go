package helm

import (
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func find(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, u := range objs {
		if u.GetKind() == kind {
			out = append(out, u)
		}
	}
	return out
}

func managerContainer(t *testing.T, objs []*unstructured.Unstructured) map[string]any {
	t.Helper()
	deps := find(objs, "Deployment")
	if len(deps) != 1 {
		t.Fatalf("%d Deployments rendered", len(deps))
	}
	containers, _, _ := unstructured.NestedSlice(deps[0].Object, "spec", "template", "spec", "containers")
	if len(containers) != 1 {
		t.Fatalf("%d containers", len(containers))
	}
	return containers[0].(map[string]any)
}

func env(c map[string]any, name string) string {
	list, _, _ := unstructured.NestedSlice(c, "env")
	for _, e := range list {
		if m := e.(map[string]any); m["name"] == name {
			return m["value"].(string)
		}
	}
	return ""
}

func args(c map[string]any) string {
	a, _, _ := unstructured.NestedStringSlice(c, "args")
	return strings.Join(a, " ")
}

func TestDefaults(t *testing.T) {
	objs, err := render(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := managerContainer(t, objs)
	if img := c["image"].(string); !strings.HasSuffix(img, ":"+loadChart(t).Metadata.AppVersion) || strings.HasSuffix(img, ":latest") {
		t.Errorf("image = %s, want the appVersion tag", img)
	}
	// 512Mi * 0.9
	if got := env(c, "GOMEMLIMIT"); got != "483183820" {
		t.Errorf("GOMEMLIMIT = %q, want 483183820 (90%% of 512Mi)", got)
	}
	for _, want := range []string{"--leader-elect", "--poll-interval=10m", "--metrics-bind-address=:8443", "--metrics-secure=true", "--health-probe-bind-address=:8081"} {
		if !strings.Contains(args(c), want) {
			t.Errorf("args %q lack %s", args(c), want)
		}
	}
	if strings.Contains(args(c), "--watch-namespaces") || strings.Contains(args(c), "--secret-write-namespaces") ||
		len(find(objs, "Role")) != 1 || len(find(objs, "RoleBinding")) != 1 || len(find(objs, "ClusterRoleBinding")) != 2 {
		t.Errorf("a default install is cluster-wide: the manager's and the secret writer's ClusterRoleBindings (the metrics reader's only with subjects), only the leader-election Role")
	}
	if len(find(objs, "PodDisruptionBudget")) != 1 || len(find(objs, "Service")) != 1 || len(find(objs, "ServiceAccount")) != 1 {
		t.Error("want a PodDisruptionBudget, a metrics Service and a ServiceAccount")
	}
	if len(find(objs, "ServiceMonitor")) != 0 || len(find(objs, "NetworkPolicy")) != 0 {
		t.Error("ServiceMonitor and NetworkPolicy are off by default")
	}
}

func TestNamespacedInstall(t *testing.T) {
	objs, err := render(t, namespacedValues())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(args(managerContainer(t, objs)), "--watch-namespaces=stores,warehouses") {
		t.Error("the manager is not told which namespaces to watch")
	}
	roles := map[string]bool{}
	for _, r := range find(objs, "Role") {
		roles[r.GetNamespace()+"/"+r.GetName()] = true
	}
	for _, want := range []string{"stores/hoxton-hoxton-operator-manager", "warehouses/hoxton-hoxton-operator-manager", releaseNS + "/hoxton-hoxton-operator-leader-election"} {
		if !roles[want] {
			t.Errorf("no Role %s (have %v)", want, roles)
		}
	}
	// Cluster-scoped kinds only: ClusterConnections, the CRDs (read before a delete),
	// and the reviews that authenticate metrics scrapes.
	wide := clusterWide(objs)
	if !slices.Contains(wide["customresourcedefinitions"], "get") {
		t.Error("a namespaced install cannot read the CRDs, so it can delete nothing in HoxtonAi (CRDCheckFailed)")
	}
	for res := range wide {
		if !strings.HasPrefix(res, "clusterconnections") && res != "customresourcedefinitions" && res != "tokenreviews" && res != "subjectaccessreviews" {
			t.Errorf("a namespaced install grants %s cluster-wide", res)
		}
	}
	if got := bindingNamespaces(objs, "hoxton-hoxton-operator-secret-writer"); got != "stores,warehouses" {
		t.Errorf("the secret writer role is bound in %q, want every watched namespace (stores,warehouses)", got)
	}
	if len(find(objs, "PodDisruptionBudget")) != 0 {
		t.Error("a PodDisruptionBudget with one replica would block every drain")
	}
}

func TestEverythingOn(t *testing.T) {
	objs, err := render(t, fullValues())
	if err != nil {
		t.Fatal(err)
	}
	c := managerContainer(t, objs)
	if img := c["image"].(string); !strings.Contains(img, "@sha256:") {
		t.Errorf("image = %s, want the digest", img)
	}
	if got := env(c, "SSL_CERT_DIR"); got != "/etc/ssl/certs:/etc/hoxton-operator/ca/0:/etc/hoxton-operator/ca/1" {
		t.Errorf("SSL_CERT_DIR = %q", got)
	}
	if !strings.Contains(args(c), "--id-namespace=6ba7b811-9dad-11d1-80b4-00c04fd430c8") || !strings.Contains(args(c), "--zap-stacktrace-level=panic") {
		t.Errorf("args = %s", args(c))
	}
	if len(find(objs, "ServiceMonitor")) != 1 || len(find(objs, "NetworkPolicy")) != 1 {
		t.Error("want a ServiceMonitor and a NetworkPolicy")
	}
}

// TestSchemaRefusesBadValues: bad values fail at install with a message naming them.
func TestSchemaRefusesBadValues(t *testing.T) {
	cases := map[string]struct {
		vals map[string]any
		want string
	}{
		"latest tag":        {map[string]any{"image": map[string]any{"tag": "latest"}}, "tag"},
		"bad digest":        {map[string]any{"image": map[string]any{"digest": "sha256:xyz"}}, "digest"},
		"bad poll interval": {map[string]any{"pollInterval": "ten minutes"}, "pollInterval"},
		"bad id namespace":  {map[string]any{"idNamespace": "not-a-uuid"}, "idNamespace"},
		"unknown value":     {map[string]any{"replicas": 3}, "replicas"},
		"zero replicas":     {map[string]any{"replicaCount": 0}, "replicaCount"},
		"bad namespace":     {map[string]any{"watchNamespaces": []any{"Not_A_Namespace"}}, "watchNamespaces"},
		"bad memory limit":  {map[string]any{"resources": map[string]any{"limits": map[string]any{"memory": "1.5G"}}}, "memory"},
		"CA with both":      {map[string]any{"extraCABundles": []any{map[string]any{"configMap": "a", "secret": "b"}}}, "extraCABundles"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := render(t, tc.vals)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not name %s", err, tc.want)
			}
		})
	}
}
