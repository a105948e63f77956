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

// binaryProfile is the scale of a manager binary run.
type binaryProfile struct {
	objects   int
	poll      time.Duration
	budgetRPS int32
	// restartWindow is the window after a restart whose API requests are counted.
	restartWindow time.Duration
	// sample is how long memory is sampled for its peak; gcWait how long the live
	// heap waits for a garbage collection (the runtime forces one every 2 minutes).
	sample, gcWait              time.Duration
	inSyncTimeout, applyTimeout time.Duration
	// noSlope ends the run after the restart, without doubling the fleet.
	noSlope bool
}

// bigProfile is the benchmark's: 10,000 objects polled every 10 minutes.
var bigProfile = binaryProfile{objects: 10000, poll: 10 * time.Minute, budgetRPS: 1000,
	restartWindow: time.Minute, sample: 10 * time.Second, gcWait: 3 * time.Minute, inSyncTimeout: 40 * time.Minute, applyTimeout: time.Minute}

// restartProfile is a restart of 2,000 objects polled every 4 minutes: the polls of
// one minute after the restart, in less time than the 10,000-object run.
var restartProfile = binaryProfile{objects: 2000, poll: 4 * time.Minute, budgetRPS: 1000,
	restartWindow: time.Minute, sample: 5 * time.Second, gcWait: 3 * time.Minute, inSyncTimeout: 15 * time.Minute, applyTimeout: time.Minute, noSlope: true}

// BenchmarkManagerBinaryRestart2k is the restart of BenchmarkManagerBinary10k with
// 2,000 objects created by the Go client, without the slope: the requests of the
// first minute after a restart, per object and poll interval.
func BenchmarkManagerBinaryRestart2k(b *testing.B) {
	h := newBinaryHarness(b)
	for i := range b.N {
		runManagerBinary(b, b, h, restartProfile, madeByAll[0], fmt.Sprintf("restart-%d", i))
	}
}

// BenchmarkManagerBinary10k runs the real manager binary against the control plane
// with a fleet of 10,000 objects, made each way in madeByAll (create; kubectl's
// client-side apply, which keeps each object whole in an annotation; kubectl's
// server-side apply), and reports, once all are in sync, its memory (rss-MiB from
// /proc, and anon-rss-MiB, its part that is not the binary's pages; heap-inuse-MiB and live-heap-MiB from its metrics endpoint, scraped as
// Prometheus does). For the created fleet it then kills the manager, changes one
// Site's spec while none runs, starts a new manager and reports the API requests of
// the first minute (restart-req/min, beside the steady-state rate of one poll per
// object per interval, restart-goal-req/min = N / interval × 1.2) and the time until
// the change is in HoxtonAi (s-to-apply-change); then it doubles the fleet and
// reports the live heap each extra object costs (heap-KiB/extra-object, the slope
// from 10,000 to 20,000). It takes an hour or more on two shared cores; run it
// alone with -bench ManagerBinary.
func BenchmarkManagerBinary10k(b *testing.B) {
	if testing.Short() {
		b.Skip("the 10,000-object benchmark is long")
	}
	h := newBinaryHarness(b)
	for _, how := range madeByAll {
		b.Run("made-by="+how.name, func(b *testing.B) {
			for i := range b.N {
				runManagerBinary(b, b, h, bigProfile, how, fmt.Sprintf("big-%s-%d", how.name, i))
			}
		})
	}
}

// binaryHarness is what every manager binary run shares: the binary, a kubeconfig
// for it and kubectl, and the metrics reader.
type binaryHarness struct {
	bin, kubeconfig, logPath string
	reader                   *testenv.MetricsReader
}

func newBinaryHarness(tb testing.TB) *binaryHarness {
	dir := tb.TempDir()
	bin, err := testenv.BuildManager(dir)
	must(tb, err)
	h := &binaryHarness{bin: bin, kubeconfig: filepath.Join(dir, "kubeconfig")}
	must(tb, env.WriteKubeconfig(h.kubeconfig))
	h.reader, err = env.NewMetricsReader(context.Background(), dir)
	must(tb, err)
	logDir := os.Getenv("HOXTON_LOG_DIR")
	if logDir == "" {
		logDir = os.TempDir()
	}
	h.logPath = filepath.Join(logDir, fmt.Sprintf("hoxton-bench-manager-%s.log", time.Now().UTC().Format("20060102T150405")))
	fmt.Printf("manager logs: %s\n", h.logPath)
	return h
}

func (h *binaryHarness) start(tb testing.TB, p binaryProfile) *testenv.ManagerProcess {
	flags := append([]string{"--poll-interval=" + p.poll.String(), "--kube-api-qps=500", "--kube-api-burst=1000", "--max-concurrent-reconciles=8"},
		h.reader.ManagerFlags()...)
	mgr, err := testenv.StartManagerProcess(h.bin, h.kubeconfig, h.logPath, flags...)
	must(tb, err)
	return mgr
}

// runManagerBinary is one run of the manager binary with a fleet of p.objects made
// as how says, in namespace ns.
func runManagerBinary(tb testing.TB, fig figures, h *binaryHarness, p binaryProfile, how madeBy, ns string) {
	ctx := context.Background()
	must(tb, env.CreateNamespace(ctx, ns))
	must(tb, createBudgetedConnection(ctx, ns, p.budgetRPS))
	mgr := h.start(tb, p)
	extra := ns + "-extra"
	defer func() {
		if mgr != nil {
			must(tb, mgr.Kill())
		}
		must(tb, testenv.ClearNamespace(ctx, kube, ns))
		must(tb, testenv.ClearNamespace(ctx, kube, extra))
	}()
	waitConnectionReady(tb, ns)
	objs := fleet.Build(ns, ns, fleet.StoresFor(p.objects))
	start := time.Now()
	must(tb, how.make(ctx, h, clientObjects(objs)))
	waitInSync(tb, ns, len(objs), p.inSyncTimeout)
	inSync := time.Now()
	fig.ReportMetric(float64(len(objs)), "objects")
	if how.restart {
		// From the first write: kubectl's own pace would count in the others.
		fig.ReportMetric(time.Since(start).Seconds(), "s-to-in-sync")
	}
	mem, heap := peakMemory(tb, h, mgr, p.sample)
	fig.ReportMetric(float64(mem.RSS)/(1<<20), "rss-MiB")
	fig.ReportMetric(float64(mem.Anon)/(1<<20), "anon-rss-MiB")
	fig.ReportMetric(heap/(1<<20), "heap-inuse-MiB")
	fig.ReportMetric(liveHeap(tb, h, mgr, inSync, p.gcWait)/(1<<20), "live-heap-MiB")
	if !how.restart {
		return
	}

	must(tb, mgr.Kill())
	mgr = nil
	site := &v1alpha1.Site{}
	must(tb, kube.Get(ctx, client.ObjectKey{Namespace: ns, Name: "store-0-site"}, site))
	site.Spec.Name = "Store 0 (renamed while the manager was down)"
	must(tb, kube.Update(ctx, site))
	env.API.ResetRequests()
	mgr = h.start(tb, p)
	restarted := time.Now()
	applied := waitSiteName(tb, site.Status.ExternalID, site.Spec.Name, p.applyTimeout)
	fig.ReportMetric(applied.Seconds(), "s-to-apply-change")
	time.Sleep(time.Until(restarted.Add(p.restartWindow))) // the counting window itself
	fig.ReportMetric(float64(len(env.API.Requests()))/time.Since(restarted).Minutes(), "restart-req/min")
	fig.ReportMetric(float64(len(objs))/p.poll.Minutes()*1.2, "restart-goal-req/min")
	// The same rate per object and poll interval: the first polls are spread over the
	// interval, so this is what one poll of every object costs (reads/object/poll).
	fig.ReportMetric(float64(len(env.API.Requests()))/time.Since(restarted).Minutes()*p.poll.Minutes()/float64(len(objs)), "req/object/poll")
	if p.noSlope {
		return
	}

	// The slope: as many objects again, in a second namespace, for the same manager.
	before := liveHeap(tb, h, mgr, time.Now(), p.gcWait)
	must(tb, env.CreateNamespace(ctx, extra))
	must(tb, createBudgetedConnection(ctx, extra, p.budgetRPS))
	more := fleet.Build(extra, extra, fleet.StoresFor(p.objects))
	must(tb, testenv.CreateAll(ctx, kube, clientObjects(more)))
	waitInSync(tb, extra, len(more), p.inSyncTimeout)
	fig.ReportMetric((liveHeap(tb, h, mgr, time.Now(), p.gcWait)-before)/float64(len(more))/(1<<10), "heap-KiB/extra-object")
}

// peakMemory samples the manager's resident memory and heap in use over d and returns
// the peaks (of RSS, of its anonymous part, and of the heap).
func peakMemory(tb testing.TB, h *binaryHarness, mgr *testenv.ManagerProcess, d time.Duration) (testenv.Memory, float64) {
	var peak testenv.Memory
	var heap float64
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(500 * time.Millisecond) {
		m, err := mgr.Memory()
		must(tb, err)
		hp, err := mgr.Metric(context.Background(), h.reader, "go_memstats_heap_inuse_bytes")
		must(tb, err)
		peak = peak.Max(m)
		heap = max(heap, hp)
	}
	return peak, heap
}

// liveHeap returns the heap the manager's first garbage collection after since found
// live (or its last one, if none ran within wait): the heap goal it set is twice that
// at the default GOGC of 100. The heap in use also holds the garbage made since the
// last collection, and so depends on when it is read.
func liveHeap(tb testing.TB, h *binaryHarness, mgr *testenv.ManagerProcess, since time.Time, wait time.Duration) float64 {
	ctx := context.Background()
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(time.Second) {
		last, err := mgr.Metric(ctx, h.reader, "go_memstats_last_gc_time_seconds")
		must(tb, err)
		if last >= float64(since.UnixNano())/1e9 {
			break
		}
	}
	goal, err := mgr.Metric(ctx, h.reader, "go_memstats_next_gc_bytes")
	must(tb, err)
	return goal / 2
}

// waitSiteName waits until the fake's site id has the name, and returns how long it
// took; it fails the run after timeout.
func waitSiteName(tb testing.TB, id, name string, timeout time.Duration) time.Duration {
	start := time.Now()
	for time.Since(start) < timeout {
		if s, ok := env.API.Object("sites", id); ok && s["name"] == name {
			return time.Since(start)
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("the spec change made during the restart is not in HoxtonAi after %s", timeout)
	return 0
}
