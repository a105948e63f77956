package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
	"github.com/hoxton-operator/hoxton-operator/test/bench/fleet"
)

// The conditions of the memory and restart benchmark.
const (
	bigFleet     = 10000
	bigPoll      = 10 * time.Minute
	bigBudgetRPS = 1000
	// restartWindow is the window after a restart whose API requests are counted.
	restartWindow = time.Minute
)

// BenchmarkManagerBinary10k runs the real manager binary against the control plane
// with a fleet of 10,000 objects and reports, once all are in sync, its memory
// (rss-MiB from /proc, heap-inuse-MiB from its metrics endpoint). It then kills the
// manager, changes one Site's spec while none runs, starts a new manager and reports
// the API requests of the first minute (restart-req/min, beside the steady-state
// rate of one poll per object per interval, restart-goal-req/min = N / interval × 1.2)
// and the time until the change is in HoxtonAi (s-to-apply-change). It takes about
// 10 to 15 minutes on two cores; run it alone with -bench ManagerBinary.
func BenchmarkManagerBinary10k(b *testing.B) {
	if testing.Short() {
		b.Skip("the 10,000-object benchmark is long")
	}
	ctx := context.Background()
	dir := b.TempDir()
	bin, err := testenv.BuildManager(dir)
	must(b, err)
	kubeconfig := filepath.Join(dir, "kubeconfig")
	must(b, env.WriteKubeconfig(kubeconfig))
	logPath := filepath.Join(os.Getenv("HOXTON_LOG_DIR"), "")
	if logPath == "" {
		logPath = os.TempDir()
	}
	logPath = filepath.Join(logPath, fmt.Sprintf("hoxton-bench-manager-%s.log", time.Now().UTC().Format("20060102T150405")))
	fmt.Printf("manager logs: %s\n", logPath)
	flags := []string{"--poll-interval=" + bigPoll.String(), "--kube-api-qps=500", "--kube-api-burst=1000", "--max-concurrent-reconciles=8"}

	for i := range b.N {
		ns := fmt.Sprintf("big-%d", i)
		must(b, env.CreateNamespace(ctx, ns))
		must(b, createBudgetedConnection(ctx, ns, bigBudgetRPS))
		mgr, err := testenv.StartManagerProcess(bin, kubeconfig, logPath, flags...)
		must(b, err)
		waitConnectionReady(b, ns)
		objs := fleet.Build(ns, ns, fleet.StoresFor(bigFleet))
		start := time.Now()
		must(b, testenv.CreateAll(ctx, kube, clientObjects(objs)))
		waitInSync(b, ns, len(objs), 40*time.Minute)
		b.ReportMetric(float64(len(objs)), "objects")
		b.ReportMetric(time.Since(start).Seconds(), "s-to-in-sync")

		rss, heap := peakMemory(b, mgr, 10*time.Second)
		b.ReportMetric(float64(rss)/(1<<20), "rss-MiB")
		b.ReportMetric(heap/(1<<20), "heap-inuse-MiB")

		must(b, mgr.Kill())
		site := &v1alpha1.Site{}
		must(b, kube.Get(ctx, client.ObjectKey{Namespace: ns, Name: "store-0-site"}, site))
		site.Spec.Name = "Store 0 (renamed while the manager was down)"
		must(b, kube.Update(ctx, site))

		env.API.ResetRequests()
		mgr, err = testenv.StartManagerProcess(bin, kubeconfig, logPath, flags...)
		must(b, err)
		restarted := time.Now()
		applied := waitSiteName(b, site.Status.ExternalID, site.Spec.Name, restartWindow)
		b.ReportMetric(applied.Seconds(), "s-to-apply-change")
		time.Sleep(time.Until(restarted.Add(restartWindow))) // the counting window itself
		reqs := len(env.API.Requests())
		b.ReportMetric(float64(reqs), "restart-req/min")
		b.ReportMetric(float64(len(objs))/bigPoll.Minutes()*1.2, "restart-goal-req/min")

		must(b, mgr.Kill())
		must(b, testenv.ClearNamespace(ctx, kube, ns))
	}
}

// peakMemory samples the manager's RSS and heap in use over d and returns the peaks.
func peakMemory(b *testing.B, mgr *testenv.ManagerProcess, d time.Duration) (int64, float64) {
	var rss int64
	var heap float64
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(500 * time.Millisecond) {
		r, err := mgr.RSS()
		must(b, err)
		h, err := mgr.Metric(context.Background(), "go_memstats_heap_inuse_bytes")
		must(b, err)
		rss, heap = max(rss, r), max(heap, h)
	}
	return rss, heap
}

// waitSiteName waits until the fake's site id has the name, and returns how long it
// took; it fails the benchmark after timeout.
func waitSiteName(b *testing.B, id, name string, timeout time.Duration) time.Duration {
	start := time.Now()
	for time.Since(start) < timeout {
		if s, ok := env.API.Object("sites", id); ok && s["name"] == name {
			return time.Since(start)
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatalf("the spec change made during the restart is not in HoxtonAi after %s", timeout)
	return 0
}
