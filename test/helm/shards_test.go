package helm

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// labelsAt reads a string map (labels, a selector) at path.
func labelsAt(u *unstructured.Unstructured, path ...string) map[string]string {
	m, _, _ := unstructured.NestedStringMap(u.Object, path...)
	return m
}

// selects reports whether selector selects labels.
func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// shardOfArgs is the --shard a Deployment's manager is started with ("" for none).
func shardOfArgs(t *testing.T, d *unstructured.Unstructured) string {
	t.Helper()
	containers, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	for _, a := range strings.Fields(args(containers[0].(map[string]any))) {
		if v, ok := strings.CutPrefix(a, "--shard="); ok {
			return v
		}
	}
	return ""
}

// TestShardsRenderOneManagerEach: with shards [a, b] the chart renders three
// Deployments (the default shard and one per key), each with its --shard and so its
// own lease, and per shard a PodDisruptionBudget, a metrics Service and a
// ServiceMonitor that select that shard's pods only and label every metric with the
// shard. The default shard keeps the selector of installs before shards, which a
// Deployment cannot change.
func TestShardsRenderOneManagerEach(t *testing.T) {
	vals := shardedValues()
	vals["metrics"] = map[string]any{"serviceMonitor": map[string]any{"enabled": true}}
	objs, err := renderServing(t, vals, serviceMonitorAPI)
	if err != nil {
		t.Fatal(err)
	}
	deps := find(objs, "Deployment")
	if len(deps) != 3 {
		t.Fatalf("%d Deployments, want 3 (the default shard, a, b)", len(deps))
	}
	leases := map[string]string{}
	pods := map[string]map[string]string{} // shard -> pod labels
	for _, d := range deps {
		shard := shardOfArgs(t, d)
		lease := operator.LeaseName(shard)
		if other, dup := leases[lease]; dup {
			t.Errorf("Deployments %s and %s share lease %s", other, d.GetName(), lease)
		}
		leases[lease] = d.GetName()
		pods[shard] = labelsAt(d, "spec", "template", "metadata", "labels")
		wantName := releaseName + "-hoxton-operator"
		if shard != "" {
			wantName += "-" + shard
		}
		if d.GetName() != wantName {
			t.Errorf("Deployment of shard %q is named %s, want %s", shard, d.GetName(), wantName)
		}
		if sel := labelsAt(d, "spec", "selector", "matchLabels"); shard == "" && len(sel) != 2 {
			t.Errorf("the default shard's selector changed to %v: upgrades of installs before shards would fail", sel)
		}
	}
	if _, ok := pods[""]; !ok || len(pods) != 3 {
		t.Fatalf("Deployments for shards %v, want the default shard, a and b", leases)
	}
	// Each shard's PodDisruptionBudget, Service and ServiceMonitor select its pods only.
	for _, kind := range []struct{ kind, path string }{{"PodDisruptionBudget", "spec.selector.matchLabels"}, {"Service", "spec.selector"}} {
		items := find(objs, kind.kind)
		if len(items) != 3 {
			t.Errorf("%d %ss, want one per shard", len(items), kind.kind)
		}
		for _, it := range items {
			sel := labelsAt(it, strings.Split(kind.path, ".")...)
			var matched []string
			for shard, labels := range pods {
				if selects(sel, labels) {
					matched = append(matched, shard)
				}
			}
			if len(matched) != 1 {
				t.Errorf("%s %s selects the pods of shards %q, want one shard's", kind.kind, it.GetName(), matched)
			}
		}
	}
	services := find(objs, "Service")
	monitors := find(objs, "ServiceMonitor")
	if len(monitors) != 3 {
		t.Fatalf("%d ServiceMonitors, want one per shard", len(monitors))
	}
	seen := map[string]bool{}
	for _, m := range monitors {
		sel := labelsAt(m, "spec", "selector", "matchLabels")
		var svc []string
		for _, s := range services {
			if selects(sel, s.GetLabels()) {
				svc = append(svc, s.GetName())
			}
		}
		if len(svc) != 1 {
			t.Errorf("ServiceMonitor %s scrapes Services %v, want one", m.GetName(), svc)
		}
		eps, _, _ := unstructured.NestedSlice(m.Object, "spec", "endpoints")
		relabel, _, _ := unstructured.NestedSlice(eps[0].(map[string]any), "relabelings")
		if len(relabel) != 1 || relabel[0].(map[string]any)["targetLabel"] != "shard" {
			t.Errorf("ServiceMonitor %s does not label its metrics with the shard: %v", m.GetName(), relabel)
			continue
		}
		seen[relabel[0].(map[string]any)["replacement"].(string)] = true
	}
	for _, want := range []string{"default", "a", "b"} {
		if !seen[want] {
			t.Errorf("no ServiceMonitor labels metrics shard=%s (have %v)", want, seen)
		}
	}

	for name, bad := range map[string]any{"the default shard's name": "default", "not a DNS label": "EU_1"} {
		if _, err := render(t, map[string]any{"shards": []any{bad}}); err == nil || !strings.Contains(err.Error(), "shards") {
			t.Errorf("shards [%v] (%s): %v, want refused naming shards", bad, name, err)
		}
	}
}
