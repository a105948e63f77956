package helm

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	release "helm.sh/helm/v4/pkg/release/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

const (
	chartDir    = "../../charts/hoxton-operator"
	releaseName = "hoxton"
	releaseNS   = "hoxton-system"
	// kubeVersion is the envtest control plane's, and the client libraries'.
	kubeVersion = "v1.37.2"
)

func loadChart(t *testing.T) *chart.Chart {
	t.Helper()
	ch, err := loader.Load(chartDir)
	if err != nil {
		t.Fatalf("loading the chart: %v", err)
	}
	return ch
}

// render is `helm template`: the manifests of an install with vals, without a cluster.
func render(t *testing.T, vals map[string]any) ([]*unstructured.Unstructured, error) {
	t.Helper()
	return renderServing(t, vals)
}

// renderServing is `helm template --api-versions`: as render, on a cluster that also
// serves apis (group/version/Kind).
func renderServing(t *testing.T, vals map[string]any, apis ...string) ([]*unstructured.Unstructured, error) {
	t.Helper()
	inst := action.NewInstall(&action.Configuration{})
	inst.APIVersions = apis
	inst.DryRunStrategy = action.DryRunClient
	inst.Replace = true
	inst.ReleaseName = releaseName
	inst.Namespace = releaseNS
	kube, err := common.ParseKubeVersion(kubeVersion)
	if err != nil {
		t.Fatal(err)
	}
	inst.KubeVersion = kube
	r, err := inst.Run(loadChart(t), vals)
	if err != nil {
		return nil, err
	}
	rel, ok := r.(*release.Release)
	if !ok {
		t.Fatalf("install returned %T", r)
	}
	return decode(t, rel.Manifest), nil
}

func decode(t *testing.T, manifest string) []*unstructured.Unstructured {
	t.Helper()
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(manifest), 4096)
	var objs []*unstructured.Unstructured
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return objs
			}
			t.Fatalf("rendered manifest: %v", err)
		}
		if len(u.Object) > 0 {
			objs = append(objs, u)
		}
	}
}

func TestLint(t *testing.T) {
	for name, vals := range map[string]map[string]any{"default": nil, "namespaced": namespacedValues(), "everything on": fullValues(), "sharded": shardedValues()} {
		t.Run(name, func(t *testing.T) {
			lint := action.NewLint()
			lint.Strict = true
			lint.Namespace = releaseNS
			lint.KubeVersion, _ = common.ParseKubeVersion(kubeVersion)
			res := lint.Run([]string{chartDir}, vals)
			for _, m := range res.Messages {
				t.Logf("lint: %s", m)
			}
			if len(res.Errors) > 0 {
				t.Fatalf("helm lint: %v", errors.Join(res.Errors...))
			}
		})
	}
}

// namespacedValues is a namespaced install: two watched namespaces, Roles in each.
func namespacedValues() map[string]any {
	return map[string]any{"watchNamespaces": []any{"stores", "warehouses"}, "replicaCount": 1}
}

// shardedValues runs a manager for the default shard and for shards a and b.
func shardedValues() map[string]any {
	return map[string]any{"shards": []any{"a", "b"}}
}

// fullValues turns every optional part on (the ServiceMonitor and PrometheusRule need
// their CRDs, which the control plane does not have, so they are rendered but not
// dry-run).
func fullValues() map[string]any {
	return map[string]any{
		"image":                     map[string]any{"digest": "sha256:" + strings.Repeat("a", 64)},
		"idNamespace":               "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
		"extraArgs":                 []any{"--zap-stacktrace-level=panic"},
		"podAntiAffinity":           "hard",
		"topologySpreadConstraints": []any{map[string]any{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway"}},
		"networkPolicy":             map[string]any{"enabled": true, "metricsFrom": []any{map[string]any{"namespaceSelector": map[string]any{"matchLabels": map[string]any{"name": "monitoring"}}}}},
		"extraCABundles":            []any{map[string]any{"configMap": "corporate-roots"}, map[string]any{"secret": "proxy-ca"}},
		"metrics": map[string]any{
			"tlsSecretName":  "metrics-tls",
			"reader":         map[string]any{"subjects": []any{map[string]any{"name": "prometheus-k8s", "namespace": "monitoring"}}},
			"serviceMonitor": map[string]any{"enabled": true, "renderMode": "alwaysRender"},
			"prometheusRule": map[string]any{"enabled": true, "renderMode": "alwaysRender"},
		},
	}
}

// TestChartMatchesConfig fails when the chart's CRDs or RBAC rules differ from what
// controller-gen writes into config/: run `make helm`.
func TestChartMatchesConfig(t *testing.T) {
	bases, err := filepath.Glob("../../config/crd/bases/*.yaml")
	if err != nil || len(bases) == 0 {
		t.Fatalf("no CRDs in config/crd/bases (%v)", err)
	}
	inChart, _ := filepath.Glob(filepath.Join(chartDir, "crds", "*.yaml"))
	if len(inChart) != len(bases) {
		t.Errorf("the chart has %d CRDs, config/crd/bases %d: run `make helm`", len(inChart), len(bases))
	}
	for _, b := range bases {
		want, _ := os.ReadFile(b)
		got, err := os.ReadFile(filepath.Join(chartDir, "crds", filepath.Base(b)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("charts/hoxton-operator/crds/%s differs from config/crd/bases: run `make helm`", filepath.Base(b))
		}
	}

	objs, err := render(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	for file, name := range map[string]string{"role.yaml": "manager", "secret_writer_role.yaml": "secret-writer"} {
		data, err := os.ReadFile("../../config/rbac/" + file)
		if err != nil {
			t.Fatal(err)
		}
		var role rbacv1.ClusterRole
		if err := yaml.Unmarshal(data, &role); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, u := range objs {
			if u.GetKind() != "ClusterRole" || u.GetName() != releaseName+"-hoxton-operator-"+name {
				continue
			}
			found = true
			var got rbacv1.ClusterRole
			if err := runtimeConvert(u, &got); err != nil {
				t.Fatal(err)
			}
			if !equalYAML(t, got.Rules, role.Rules) {
				t.Errorf("the chart's %s ClusterRole rules differ from config/rbac/%s: run `make helm`", name, file)
			}
		}
		if !found {
			t.Errorf("the default install renders no %s ClusterRole", name)
		}
	}
}

func runtimeConvert(u *unstructured.Unstructured, into any) error {
	data, err := u.MarshalJSON()
	if err != nil {
		return err
	}
	return yaml.Unmarshal(data, into)
}

func equalYAML(t *testing.T, a, b any) bool {
	t.Helper()
	x, err := yaml.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := yaml.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(x, y)
}

// TestDryRunOnAControlPlane applies the rendered chart with a server-side dry run, so
// that the kube-apiserver validates every object (schemas, RBAC references, PDB, ...).
func TestDryRunOnAControlPlane(t *testing.T) {
	c := startControlPlane(t)
	ctx := context.Background()
	for _, ns := range []string{releaseNS, "stores", "warehouses"} {
		err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
	}
	for name, vals := range map[string]map[string]any{"default": nil, "namespaced": namespacedValues(), "everything on": fullValues(), "sharded": shardedValues()} {
		t.Run(name, func(t *testing.T) {
			objs, err := render(t, vals)
			if err != nil {
				t.Fatalf("helm template: %v", err)
			}
			applied := 0
			for _, u := range objs {
				if u.GetAPIVersion() == "monitoring.coreos.com/v1" {
					continue // no Prometheus Operator CRDs on this control plane
				}
				err := c.Patch(ctx, u, client.Apply, client.DryRunAll, client.FieldOwner("helm-test"), client.ForceOwnership) //nolint:staticcheck // unstructured apply
				if err != nil {
					t.Errorf("%s %s/%s refused: %v", u.GetKind(), u.GetNamespace(), u.GetName(), err)
				}
				applied++
			}
			if applied < 5 {
				t.Fatalf("only %d objects rendered", applied)
			}
		})
	}
}
