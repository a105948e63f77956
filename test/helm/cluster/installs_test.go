package cluster

import (
	"context"
	"os"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// namespacedPath: the chart with watchNamespaces reconciles its namespaces only, and
// its metrics (authenticated through its cluster-wide review grants) can be scraped.
func (e *env) namespacedPath(t *testing.T, fake fakeAPI) {
	const watched, other = "tenant-b", "tenant-c"
	e.resetFake(t)
	e.tenant(t, watched)
	e.tenant(t, other)
	vals := map[string]any{"replicaCount": 1, "watchNamespaces": []any{watched}, "metrics": map[string]any{"reader": map[string]any{
		"subjects": []any{map[string]any{"name": "prometheus", "namespace": "monitoring"}}}}}
	e.helmInstall(t, releaseName, e.values(vals))
	e.waitAvailable(t, releaseNS, fullname, 1)

	objs := samples(t, watched, fake)
	e.applyAsEditor(t, watched, objs)
	outside := &v1alpha1.Site{}
	outside.Name, outside.Namespace, outside.Spec.Name = "outside", other, "Outside"
	if err := e.kube.Create(context.Background(), outside); err != nil {
		t.Fatal(err)
	}
	e.allReady(t, objs)
	if err := e.kube.Get(context.Background(), client.ObjectKeyFromObject(outside), outside); err != nil {
		t.Fatal(err)
	}
	if len(outside.Status.Conditions) != 0 || len(outside.Finalizers) != 0 {
		t.Errorf("the namespaced install touched a Site outside its namespaces: %+v", outside.Status)
	}
	cfg := e.renderedServiceMonitor(t, releaseName, vals)
	e.checkMetrics(t, releaseNS, fullname+"-metrics", cfg, e.serviceAccountToken(t, "monitoring", "prometheus", ""))

	// The order docs/operations.md gives: the objects first, while the manager runs. A
	// namespaced install's Role lives in the watched namespace, so deleting the
	// namespace at once would delete the Role while its objects still need it.
	e.kubectl(t, nil, "delete", "hoxton", "--all", "-n", watched, "--timeout=3m")
	e.kubectl(t, nil, "delete", "namespace", watched, "--timeout=3m")
	e.helmUninstall(t, releaseName)
	e.kubectl(t, nil, "delete", "namespace", other, releaseNS, "--timeout=3m")
}

// kustomizePath: dist/install.yaml (make build-installer) applied with kubectl does
// the same, and is removed as docs/operations.md says, keeping the CRDs.
func (e *env) kustomizePath(t *testing.T, fake fakeAPI) {
	const ns, systemNS = "tenant-d", "hoxton-operator-system"
	install := mustEnv(t, "HOXTON_TEST_INSTALL_YAML")
	data, err := os.ReadFile(install)
	if err != nil {
		t.Fatal(err)
	}
	e.resetFake(t)
	e.tenant(t, ns)
	e.kubectl(t, nil, "apply", "--server-side", "-f", install)
	e.waitAvailable(t, systemNS, "hoxton-operator-controller-manager", 2)
	objs := samples(t, ns, fake)
	e.applyAsEditor(t, ns, objs)
	e.allReady(t, objs)
	e.checkRoles(t, ns)
	// The kustomize install serves metrics as the chart does; the README says to bind
	// the scraper to the metrics-reader ClusterRole and to skip verifying the
	// self-signed certificate.
	cfg := scrapeConfig{scheme: "https", insecureSkipVerify: true, port: "https"}
	e.checkMetrics(t, systemNS, "hoxton-operator-controller-manager-metrics", cfg,
		e.serviceAccountToken(t, "monitoring", "kustomize-prometheus", "hoxton-operator-metrics-reader"))

	e.kubectl(t, nil, "delete", "namespace", ns, "--timeout=3m")
	// `make undeploy`: everything but the CRDs.
	var keep []*unstructured.Unstructured
	for _, u := range decodeAll(t, data) {
		if u.GetKind() != "CustomResourceDefinition" {
			keep = append(keep, u)
		}
	}
	e.kubectl(t, manifest(t, keep), "delete", "--ignore-not-found", "--timeout=3m", "-f", "-")
	if out, err := e.kubectlErr(nil, "get", "crd", "sites.hoxtonai.dev"); err != nil {
		t.Errorf("removing the manager removed the CRDs: %s", out)
	}
	if out, err := e.kubectlErr(nil, "get", "namespace", systemNS); err == nil {
		t.Errorf("namespace %s left: %s", systemNS, out)
	}
}
