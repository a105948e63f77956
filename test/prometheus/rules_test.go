package prometheus

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/yaml"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// exported runs the manager with a Connection and a Site on an envtest control plane
// and the fake API until both are Ready, then returns the metric families of the
// registry the manager serves on /metrics.
func exported(t *testing.T) map[string]bool {
	t.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Fatal("KUBEBUILDER_ASSETS is not set: run `make test-prometheus`")
	}
	env, err := testenv.Start(hoxtontest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	if err := env.StartManager(operator.Options{}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const ns = "metrics"
	if err := env.CreateNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if err := env.CreateConnection(ctx, ns, "default"); err != nil {
		t.Fatal(err)
	}
	site := &v1alpha1.Site{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "hq"}}
	site.Spec.Name = "HQ"
	site.Spec.TimeZone = "Europe/London"
	if err := env.Client.Create(ctx, site); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if err := env.Client.Get(ctx, client.ObjectKeyFromObject(site), site); err != nil {
			t.Fatal(err)
		}
		if conditions.IsTrue(site.Status.Conditions, conditions.TypeReady) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Site is not Ready: %+v", site.Status.Conditions)
		}
		time.Sleep(100 * time.Millisecond)
	}
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range families {
		names[f.GetName()] = true
	}
	return names
}

// loadRules parses config/prometheus/rules.yaml's groups with Prometheus's parser.
func loadRules(t *testing.T) *rulefmt.RuleGroups {
	t.Helper()
	data, err := os.ReadFile("../../config/prometheus/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var pr struct {
		Kind string `json:"kind"`
		Spec struct {
			Groups json.RawMessage `json:"groups"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(data, &pr); err != nil || pr.Kind != "PrometheusRule" {
		t.Fatalf("rules.yaml is not a PrometheusRule (%v)", err)
	}
	groups, err := yaml.JSONToYAML([]byte(`{"groups":` + string(pr.Spec.Groups) + `}`))
	if err != nil {
		t.Fatal(err)
	}
	rgs, errs := rulefmt.Parse(groups, false, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
	if len(errs) > 0 {
		t.Fatalf("Prometheus refuses the rules: %v", errs)
	}
	return rgs
}

// metricsOf returns the metric names an expression selects.
func metricsOf(t *testing.T, expr string) []string {
	t.Helper()
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		t.Fatalf("%q: %v", expr, err)
	}
	var names []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			names = append(names, vs.Name)
		}
		return nil
	})
	return names
}

// family maps a histogram's series name to its family.
func family(name string, exported map[string]bool) string {
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base := strings.TrimSuffix(name, suffix); base != name && exported[base] {
			return base
		}
	}
	return name
}

func TestRulesAndDashboardUseExportedMetrics(t *testing.T) {
	rgs := loadRules(t)
	exported := exported(t)
	var have []string
	for n := range exported {
		if strings.HasPrefix(n, "hoxton_") {
			have = append(have, n)
		}
	}
	sort.Strings(have)
	t.Logf("exported hoxton_* families: %s", strings.Join(have, " "))

	alerts := map[string]bool{}
	for _, g := range rgs.Groups {
		for _, r := range g.Rules {
			alerts[r.Alert] = true
			for _, m := range metricsOf(t, r.Expr) {
				if !exported[family(m, exported)] {
					t.Errorf("alert %s uses %s, which the manager does not export", r.Alert, m)
				}
			}
		}
	}
	for _, want := range []string{"HoxtonConnectionNotReady", "HoxtonObjectsNotSynced", "HoxtonAPIServerErrors", "HoxtonAPIThrottled", "HoxtonCircuitBreakerOpen"} {
		if !alerts[want] {
			t.Errorf("no alert %s", want)
		}
	}

	data, err := os.ReadFile("../../config/grafana/hoxton-operator.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	if len(dash.Panels) == 0 {
		t.Fatal("the dashboard has no panels")
	}
	byShard := 0
	for _, p := range dash.Panels {
		for _, target := range p.Targets {
			for _, m := range metricsOf(t, target.Expr) {
				if !exported[family(m, exported)] {
					t.Errorf("dashboard panel %q uses %s, which the manager does not export", p.Title, m)
				}
			}
			if strings.Contains(target.Expr, "by (shard)") {
				byShard++
			}
		}
	}
	// Shards side by side: the chart labels every metric with its manager's shard.
	if byShard < 3 {
		t.Errorf("%d dashboard panels show the shards side by side, want objects, requests and memory at least", byShard)
	}
}
