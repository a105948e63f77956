package cluster

import (
	"os"
	"testing"
	"time"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/kube"
	release "helm.sh/helm/v4/pkg/release/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// helmConfig is Helm's action configuration for the cluster, storing releases in
// Secrets of the release's namespace, as the helm CLI does.
func helmConfig(t *testing.T) *action.Configuration {
	t.Helper()
	flags := genericclioptions.NewConfigFlags(false)
	kubeconfig, ns := os.Getenv("KUBECONFIG"), releaseNS
	flags.KubeConfig, flags.Namespace = &kubeconfig, &ns
	cfg := action.NewConfiguration()
	if err := cfg.Init(flags, releaseNS, "secret"); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// values are the chart's values for this cluster's images, with extra merged in on
// top (one level deep).
func (e *env) values(extra map[string]any) map[string]any {
	repo, tag := imageParts(e.managerImage)
	vals := map[string]any{
		"image": map[string]any{"repository": repo, "tag": tag, "pullPolicy": "Never"},
		// One node: the default soft anti-affinity lets both replicas land on it.
	}
	for k, v := range extra {
		if m, ok := v.(map[string]any); ok {
			if base, ok := vals[k].(map[string]any); ok {
				for kk, vv := range m {
					base[kk] = vv
				}
				continue
			}
		}
		vals[k] = v
	}
	return vals
}

// helmInstall is `helm install <name> charts/hoxton-operator -n hoxton-system
// --create-namespace` with vals.
func (e *env) helmInstall(t *testing.T, name string, vals map[string]any) *release.Release {
	t.Helper()
	ch, err := loader.Load(chartDir)
	if err != nil {
		t.Fatal(err)
	}
	inst := action.NewInstall(helmConfig(t))
	inst.ReleaseName, inst.Namespace, inst.CreateNamespace = name, releaseNS, true
	inst.WaitStrategy, inst.Timeout = kube.HookOnlyStrategy, 2*time.Minute
	r, err := inst.Run(ch, vals)
	if err != nil {
		t.Fatalf("helm install: %v", err)
	}
	rel, _ := r.(*release.Release)
	return rel
}

// helmUpgrade is `helm upgrade <name> charts/hoxton-operator` with vals.
func (e *env) helmUpgrade(t *testing.T, name string, vals map[string]any) {
	t.Helper()
	ch, err := loader.Load(chartDir)
	if err != nil {
		t.Fatal(err)
	}
	up := action.NewUpgrade(helmConfig(t))
	up.Namespace, up.WaitStrategy, up.Timeout = releaseNS, kube.HookOnlyStrategy, 2*time.Minute
	if _, err := up.Run(name, ch, vals); err != nil {
		t.Fatalf("helm upgrade: %v", err)
	}
}

// helmUninstall is `helm uninstall <name> --wait`.
func (e *env) helmUninstall(t *testing.T, name string) {
	t.Helper()
	un := action.NewUninstall(helmConfig(t))
	un.WaitStrategy, un.Timeout = kube.StatusWatcherStrategy, 2*time.Minute
	if _, err := un.Run(name); err != nil {
		t.Fatalf("helm uninstall: %v", err)
	}
}
