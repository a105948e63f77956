package cluster

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const (
	releaseName = "hoxton"
	fullname    = releaseName + "-hoxton-operator"
	leaseName   = "hoxton-operator.hoxtonai.dev"
)

// TestCluster runs the user's paths one after the other on one cluster: the chart
// cluster-wide, then namespaced, then the kustomize install. Each uninstalls itself.
func TestCluster(t *testing.T) {
	e := setup(t)
	fake := e.deployFake(t)
	t.Run("helm", func(t *testing.T) { e.helmPath(t, fake) })
	if t.Failed() {
		return
	}
	t.Run("namespaced", func(t *testing.T) { e.namespacedPath(t, fake) })
	if t.Failed() {
		return
	}
	t.Run("kustomize", func(t *testing.T) { e.kustomizePath(t, fake) })
}

// helmPath: install with defaults, a tenant's samples Ready, metrics scraped,
// leader handover, upgrade without writes, CRD deletion without deletes, uninstall.
func (e *env) helmPath(t *testing.T, fake fakeAPI) {
	vals := map[string]any{"metrics": map[string]any{"reader": map[string]any{"subjects": []any{
		map[string]any{"name": "prometheus", "namespace": "monitoring"}}}}}
	e.helmInstall(t, releaseName, e.values(vals))
	e.waitAvailable(t, releaseNS, fullname, 2)
	leader := e.leader(t, "")

	const ns = "tenant-a"
	e.tenant(t, ns)
	objs := samples(t, ns, fake)
	e.applyAsEditor(t, ns, objs)
	e.allReady(t, objs)
	e.checkRoles(t, ns)

	cfg := e.renderedServiceMonitor(t, releaseName, vals)
	if cfg.scheme != "https" {
		t.Errorf("the ServiceMonitor scrapes %s", cfg.scheme)
	}
	reader := e.serviceAccountToken(t, "monitoring", "prometheus", "")
	got := e.checkMetrics(t, releaseNS, fullname+"-metrics", cfg, reader)
	// The leader's scrape: the standby reconciles nothing, so it exports no API or
	// token series for the alerts to read.
	var leaderPod corev1.Pod
	if err := e.kube.Get(context.Background(), client.ObjectKey{Namespace: releaseNS, Name: e.leader(t, "")}, &leaderPod); err != nil {
		t.Fatal(err)
	}
	leaderScrape := got[leaderPod.Status.PodIP].body
	if !strings.Contains(leaderScrape, "hoxton_objects{") {
		t.Errorf("the leader %s (%s) exports no hoxton_objects", leaderPod.Name, leaderPod.Status.PodIP)
	}
	// test/prometheus evaluates the alerts against it (make test-cluster).
	if out := os.Getenv("HOXTON_TEST_SCRAPE_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(leaderScrape), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("handover", func(t *testing.T) { e.handover(t, leader, objs) })
	t.Run("upgrade", func(t *testing.T) { e.upgradeWithoutWrites(t, objs) })
	t.Run("crd deletion", func(t *testing.T) { e.crdDeletionOrphans(t, objs) })
	t.Run("uninstall", func(t *testing.T) { e.uninstall(t, ns) })
}

// leader waits for a manager pod other than not to hold the lease, and returns it.
func (e *env) leader(t *testing.T, not string) string {
	t.Helper()
	var holder string
	eventually(t, wait, "a leader", func() error {
		var lease coordinationv1.Lease
		if err := e.kube.Get(context.Background(), client.ObjectKey{Namespace: releaseNS, Name: leaseName}, &lease); err != nil {
			return err
		}
		if lease.Spec.HolderIdentity == nil {
			return fmt.Errorf("no holder")
		}
		pod, _, _ := strings.Cut(*lease.Spec.HolderIdentity, "_")
		if pod == not || pod == "" {
			return fmt.Errorf("held by %q", pod)
		}
		var pods corev1.PodList
		if err := e.kube.List(context.Background(), &pods, client.InNamespace(releaseNS), client.HasLabels{"app.kubernetes.io/name"}); err != nil {
			return err
		}
		for _, p := range pods.Items {
			if p.Name == pod && p.DeletionTimestamp == nil {
				holder = pod
				return nil
			}
		}
		return fmt.Errorf("held by %q, which is not a running manager pod", pod)
	})
	return holder
}

// handover deletes the leader's pod; the other replica takes the lease and applies a
// spec change. The takeover time is logged for the closing note.
func (e *env) handover(t *testing.T, leader string, objs []*unstructured.Unstructured) {
	start := time.Now()
	e.kubectl(t, nil, "delete", "pod", "-n", releaseNS, leader, "--wait=false")
	next := e.leader(t, leader)
	t.Logf("takeover: %s took the lease %.1f s after the leader's pod was deleted", next, time.Since(start).Seconds())

	var site *unstructured.Unstructured
	for _, u := range objs {
		if u.GetKind() == "Site" {
			site = u
		}
	}
	before := len(e.writes(t))
	e.kubectl(t, []byte(`{"metadata":{"annotations":{"hoxtonai.dev/test":"handover"}},"spec":{"name":"HQ after handover"}}`),
		"patch", "site", site.GetName(), "-n", site.GetNamespace(), "--type=merge", "--patch-file=/dev/stdin", "--as", editor)
	e.allReady(t, []*unstructured.Unstructured{site})
	eventually(t, wait, "the change written to HoxtonAi", func() error {
		writes := e.writes(t)[before:]
		for _, w := range writes {
			// Sites are upserted with PUT /api/v0/sites, the id in the body.
			if strings.HasSuffix(w, " /api/v0/sites") {
				return nil
			}
		}
		return fmt.Errorf("no write to a site after the handover (writes: %v)", writes)
	})
}

// upgradeWithoutWrites: `helm upgrade` with changed values rolls the managers; every
// object stays Ready and HoxtonAi sees no write.
func (e *env) upgradeWithoutWrites(t *testing.T, objs []*unstructured.Unstructured) {
	before := e.writes(t)
	old := e.leader(t, "")
	e.helmUpgrade(t, releaseName, e.values(map[string]any{"pollInterval": "5m", "logLevel": "debug"}))
	e.waitAvailable(t, releaseNS, fullname, 2)
	e.leader(t, old)
	e.allReady(t, objs)
	if after := e.writes(t); len(after) != len(before) {
		t.Errorf("the upgrade wrote to HoxtonAi: %v", after[len(before):])
	}
}

// uninstall by docs/operations.md: delete what should go from HoxtonAi while the
// manager runs, then the release, then its namespace. Nothing is left stuck.
func (e *env) uninstall(t *testing.T, tenantNS string) {
	e.kubectl(t, nil, "delete", "namespace", tenantNS, "--timeout=3m")
	e.helmUninstall(t, releaseName)
	e.kubectl(t, nil, "delete", "namespace", releaseNS, "--timeout=3m")
	var roles corev1.ServiceAccountList
	if err := e.kube.List(context.Background(), &roles, client.MatchingLabels{"app.kubernetes.io/instance": releaseName}); err != nil {
		t.Fatal(err)
	}
	if len(roles.Items) != 0 {
		t.Errorf("left after uninstall: %d ServiceAccounts", len(roles.Items))
	}
}
