package helm

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

const (
	serviceMonitorAPI = "monitoring.coreos.com/v1/ServiceMonitor"
	prometheusRuleAPI = "monitoring.coreos.com/v1/PrometheusRule"
)

// endpoint is the ServiceMonitor's only endpoint.
func endpoint(t *testing.T, objs []*unstructured.Unstructured) map[string]any {
	t.Helper()
	sms := find(objs, "ServiceMonitor")
	if len(sms) != 1 {
		t.Fatalf("%d ServiceMonitors rendered, want 1", len(sms))
	}
	eps, _, _ := unstructured.NestedSlice(sms[0].Object, "spec", "endpoints")
	if len(eps) != 1 {
		t.Fatalf("%d endpoints, want 1", len(eps))
	}
	return eps[0].(map[string]any)
}

func withServiceMonitor(extra map[string]any) map[string]any {
	metrics := map[string]any{"serviceMonitor": map[string]any{"enabled": true}}
	for k, v := range extra {
		metrics[k] = v
	}
	return map[string]any{"metrics": metrics}
}

// TestServiceMonitorScrapesAsTheManagerServes: the manager serves HTTPS and checks
// each scrape's token, so the ServiceMonitor must scrape over HTTPS with a token, and
// verify the certificate when there is one to verify.
func TestServiceMonitorScrapesAsTheManagerServes(t *testing.T) {
	objs, err := renderServing(t, withServiceMonitor(nil), serviceMonitorAPI)
	if err != nil {
		t.Fatal(err)
	}
	ep := endpoint(t, objs)
	if ep["scheme"] != "https" || ep["bearerTokenFile"] != "/var/run/secrets/kubernetes.io/serviceaccount/token" {
		t.Errorf("endpoint = %v, want https with the scraper's own token", ep)
	}
	if tls, _ := ep["tlsConfig"].(map[string]any); tls["insecureSkipVerify"] != true {
		t.Errorf("tlsConfig = %v: the self-signed certificate cannot be verified", tls)
	}
	if !strings.Contains(args(managerContainer(t, objs)), "--metrics-secure=true") {
		t.Error("the manager is not told to serve HTTPS")
	}

	objs, err = renderServing(t, withServiceMonitor(map[string]any{
		"tlsSecretName":  "metrics-tls",
		"serviceMonitor": map[string]any{"enabled": true, "tokenSecret": map[string]any{"name": "prometheus-token"}},
	}), serviceMonitorAPI)
	if err != nil {
		t.Fatal(err)
	}
	ep = endpoint(t, objs)
	tls, _ := ep["tlsConfig"].(map[string]any)
	if tls["insecureSkipVerify"] != nil || tls["serverName"] != "hoxton-hoxton-operator-metrics.hoxton-system.svc" {
		t.Errorf("tlsConfig = %v, want the Service's name verified against the Secret's CA", tls)
	}
	if auth, _ := ep["authorization"].(map[string]any); auth["type"] != "Bearer" || ep["bearerTokenFile"] != nil {
		t.Errorf("endpoint = %v, want the token of Secret prometheus-token", ep)
	}
	if !strings.Contains(args(managerContainer(t, objs)), "--metrics-cert-dir=/etc/hoxton-operator/metrics-tls") {
		t.Error("the manager does not serve the mounted certificate")
	}

	objs, err = renderServing(t, withServiceMonitor(map[string]any{"secure": false}), serviceMonitorAPI)
	if err != nil {
		t.Fatal(err)
	}
	if ep := endpoint(t, objs); ep["scheme"] != "http" || ep["tlsConfig"] != nil {
		t.Errorf("endpoint = %v, want plain HTTP", ep)
	}
	if len(find(objs, "ClusterRole")) == 0 || hasClusterRole(objs, "hoxton-hoxton-operator-metrics-reader") {
		t.Error("plain HTTP needs no metrics-reader role")
	}
}

// TestMonitoringRenderModes: enabling the ServiceMonitor or the PrometheusRule on a
// cluster without the Prometheus Operator must not break the install, unless asked.
func TestMonitoringRenderModes(t *testing.T) {
	for _, kind := range []string{"serviceMonitor", "prometheusRule"} {
		vals := func(mode string) map[string]any {
			return map[string]any{"metrics": map[string]any{kind: map[string]any{"enabled": true, "renderMode": mode}}}
		}
		rendered := func(objs []*unstructured.Unstructured) int {
			return len(find(objs, "ServiceMonitor")) + len(find(objs, "PrometheusRule"))
		}
		objs, err := render(t, vals("skipIfMissing"))
		if err != nil || rendered(objs) != 0 {
			t.Errorf("%s skipIfMissing without the CRD: %d rendered, err %v; want none and no error", kind, rendered(objs), err)
		}
		objs, err = renderServing(t, vals("skipIfMissing"), serviceMonitorAPI, prometheusRuleAPI)
		if err != nil || rendered(objs) != 1 {
			t.Errorf("%s skipIfMissing with the CRD: %d rendered, err %v; want 1", kind, rendered(objs), err)
		}
		if _, err := render(t, vals("failIfMissing")); err == nil || !strings.Contains(err.Error(), "does not serve monitoring.coreos.com/v1") {
			t.Errorf("%s failIfMissing without the CRD: err %v, want a failure naming the CRD", kind, err)
		}
		objs, err = render(t, vals("alwaysRender"))
		if err != nil || rendered(objs) != 1 {
			t.Errorf("%s alwaysRender: %d rendered, err %v; want 1", kind, rendered(objs), err)
		}
	}
}

func hasClusterRole(objs []*unstructured.Unstructured, name string) bool {
	return slices.ContainsFunc(find(objs, "ClusterRole"), func(u *unstructured.Unstructured) bool { return u.GetName() == name })
}

// grantsClusterWide: some ClusterRoleBinding grants create on resource.
func grantsClusterWide(objs []*unstructured.Unstructured, resource string) bool {
	return slices.Contains(clusterWide(objs)[resource], "create")
}

// TestMetricsAuthenticationIsClusterWide: TokenReviews and SubjectAccessReviews are
// cluster-scoped, so a Role grants nothing; the namespaced install must grant them in
// a ClusterRole or every scrape fails.
func TestMetricsAuthenticationIsClusterWide(t *testing.T) {
	for name, vals := range map[string]map[string]any{"cluster-wide": nil, "namespaced": namespacedValues()} {
		objs, err := render(t, vals)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []string{"tokenreviews", "subjectaccessreviews"} {
			if !grantsClusterWide(objs, r) {
				t.Errorf("%s install: no ClusterRole bound to the manager creates %s", name, r)
			}
		}
	}
}

// TestMetricsReaderRole: the chart ships the role scrapers need, and binds it to the
// ServiceAccounts named.
func TestMetricsReaderRole(t *testing.T) {
	objs, err := render(t, fullValues())
	if err != nil {
		t.Fatal(err)
	}
	var role rbacv1.ClusterRole
	for _, u := range find(objs, "ClusterRole") {
		if u.GetName() == "hoxton-hoxton-operator-metrics-reader" {
			if err := runtimeConvert(u, &role); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(role.Rules) != 1 || !slices.Equal(role.Rules[0].NonResourceURLs, []string{"/metrics"}) || !slices.Equal(role.Rules[0].Verbs, []string{"get"}) {
		t.Fatalf("metrics-reader rules = %+v, want GET /metrics only", role.Rules)
	}
	var binding rbacv1.ClusterRoleBinding
	for _, u := range find(objs, "ClusterRoleBinding") {
		if u.GetName() == "hoxton-hoxton-operator-metrics-reader" {
			if err := runtimeConvert(u, &binding); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(binding.Subjects) != 1 || binding.Subjects[0].Name != "prometheus-k8s" || binding.Subjects[0].Namespace != "monitoring" {
		t.Errorf("metrics-reader subjects = %+v, want monitoring/prometheus-k8s", binding.Subjects)
	}
}

// TestPrometheusRuleMatchesConfig fails when the chart's alerts differ from
// config/prometheus/rules.yaml: run `make helm`.
func TestPrometheusRuleMatchesConfig(t *testing.T) {
	want, err := os.ReadFile("../../config/prometheus/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(chartDir + "/files/prometheus-rules.yaml")
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("charts/hoxton-operator/files/prometheus-rules.yaml differs from config/prometheus/rules.yaml (%v): run `make helm`", err)
	}
	objs, err := render(t, map[string]any{"metrics": map[string]any{"prometheusRule": map[string]any{"enabled": true, "renderMode": "alwaysRender"}}})
	if err != nil {
		t.Fatal(err)
	}
	rules := find(objs, "PrometheusRule")
	if len(rules) != 1 {
		t.Fatalf("%d PrometheusRules rendered", len(rules))
	}
	// Helm must not have evaluated the alerts' own templates ({{ $labels.name }}).
	groups, _, _ := unstructured.NestedSlice(rules[0].Object, "spec", "groups")
	data, _ := rules[0].MarshalJSON()
	if len(groups) == 0 || !strings.Contains(string(data), "{{ $labels.name }}") {
		t.Errorf("the PrometheusRule lost its groups or its annotations' templates: %s", data)
	}
}
