package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
	"github.com/hoxton-operator/hoxton-operator/test/bench/fleet"
)

// shardProfile is the size of a shards run: organisations (a namespace and a
// Connection each) of objectsPerOrg objects of every kind.
type shardProfile struct {
	orgs, objectsPerOrg int
	budgetRPS           int32
	// sample is how long the managers' memory is sampled for its peak.
	sample, inSyncTimeout time.Duration
}

var (
	shardBench = shardProfile{orgs: 10, objectsPerOrg: 100, budgetRPS: 100, sample: 10 * time.Second, inSyncTimeout: 20 * time.Minute}
	// shardShort is the run of `make test`'s short profile.
	shardShort = shardProfile{orgs: 4, objectsPerOrg: 5, budgetRPS: 200, sample: time.Second, inSyncTimeout: 2 * time.Minute}
	// shardKeys are the shards the organisations are spread over, in turn.
	shardKeys = []string{"a", "b", "c"}

	shardFigures = []string{"objects", "one-rss-MiB", "shards-rss-MiB", "max-shard-rss-MiB", "x-one-manager-rss",
		"one-anon-MiB", "shards-anon-MiB", "x-one-manager-anon",
		"one-s-to-in-sync", "shards-s-to-in-sync", "one-api-req", "shards-api-req",
		"one-max-org-x-floor", "shards-max-org-x-floor", "one-busy-delay-s", "shards-busy-delay-s"}
)

// BenchmarkShards converges the same fleet (10 organisations of 100 objects) twice
// with manager binaries: once in one manager, once spread over three shards
// (--shard=a|b|c, the organisations labelled in turn), and reports each run's peak
// RSS (one-rss-MiB; shards-rss-MiB, the shards' sum, and max-shard-rss-MiB, the
// largest shard), their ratio (x-one-manager-rss), the same without the binary's pages
// (one-anon-MiB, shards-anon-MiB, x-one-manager-anon), the time until every object is in
// sync and the API requests it took; the slowest organisation's time to sync against its
// own write floor (max-org-x-floor); and how much longer a spec change in an organisation
// of shard b takes to reach HoxtonAi while a new organisation of shard a converges than
// when nothing else runs (busy-delay-s; in one manager, both are its).
func BenchmarkShards(b *testing.B) {
	h := newBinaryHarness(b)
	for i := range b.N {
		compareShards(b, b, h, shardBench, fmt.Sprintf("shards-%d", i))
	}
}

// compareShards runs the fleet in one manager, then over shardKeys, and reports both.
func compareShards(tb testing.TB, fig figures, h *binaryHarness, p shardProfile, name string) {
	one := runShardFleet(tb, h, p, name+"-one", []string{""})
	sharded := runShardFleet(tb, h, p, name+"-sharded", shardKeys)
	var sum, largest, anon int64
	for _, m := range sharded.peak {
		sum, largest, anon = sum+m.RSS, max(largest, m.RSS), anon+m.Anon
	}
	fig.ReportMetric(float64(one.objects), "objects")
	fig.ReportMetric(float64(one.peak[0].RSS)/(1<<20), "one-rss-MiB")
	fig.ReportMetric(float64(sum)/(1<<20), "shards-rss-MiB")
	fig.ReportMetric(float64(largest)/(1<<20), "max-shard-rss-MiB")
	fig.ReportMetric(float64(sum)/float64(one.peak[0].RSS), "x-one-manager-rss")
	// Without the binary's pages, which shards on one node share through the page cache.
	fig.ReportMetric(float64(one.peak[0].Anon)/(1<<20), "one-anon-MiB")
	fig.ReportMetric(float64(anon)/(1<<20), "shards-anon-MiB")
	fig.ReportMetric(float64(anon)/float64(one.peak[0].Anon), "x-one-manager-anon")
	fig.ReportMetric(one.toInSync.Seconds(), "one-s-to-in-sync")
	fig.ReportMetric(sharded.toInSync.Seconds(), "shards-s-to-in-sync")
	fig.ReportMetric(float64(one.requests), "one-api-req")
	fig.ReportMetric(float64(sharded.requests), "shards-api-req")
	fig.ReportMetric(one.maxOrgXFloor, "one-max-org-x-floor")
	fig.ReportMetric(sharded.maxOrgXFloor, "shards-max-org-x-floor")
	fig.ReportMetric(one.busyDelay.Seconds(), "one-busy-delay-s")
	fig.ReportMetric(sharded.busyDelay.Seconds(), "shards-busy-delay-s")
}

// shardRun is what one run of runShardFleet measured.
type shardRun struct {
	objects, requests int
	// peak is each manager's peak resident memory, in the order of the shards.
	peak     []testenv.Memory
	toInSync time.Duration
	// maxOrgXFloor is the largest of the organisations' times to sync over their floors.
	maxOrgXFloor float64
	// busyDelay is how much longer a change took while another organisation converged.
	busyDelay time.Duration
}

// runShardFleet starts a manager binary per key of shards ("": the default shard),
// makes p.orgs organisations labelled with the keys in turn, waits until all are in
// sync and returns what it measured.
func runShardFleet(tb testing.TB, h *binaryHarness, p shardProfile, prefix string, shards []string) shardRun {
	ctx := context.Background()
	var managers []*testenv.ManagerProcess
	var namespaces []string
	defer func() {
		for _, m := range managers {
			must(tb, m.Kill())
		}
		for _, ns := range namespaces {
			must(tb, testenv.ClearNamespace(ctx, kube, ns))
		}
	}()
	for _, shard := range shards {
		flags := append([]string{"--poll-interval=10m", "--kube-api-qps=500", "--kube-api-burst=1000", "--max-concurrent-reconciles=8"},
			h.reader.ManagerFlags()...)
		if shard != "" {
			flags = append(flags, "--shard="+shard)
		}
		m, err := testenv.StartManagerProcess(h.bin, h.kubeconfig, h.logPath, flags...)
		must(tb, err)
		managers = append(managers, m)
	}
	var objs [][]fleet.Object
	run := shardRun{peak: make([]testenv.Memory, len(managers))}
	for i := range p.orgs {
		ns, shard := fmt.Sprintf("%s-org-%d", prefix, i), shards[i%len(shards)]
		namespaces = append(namespaces, ns)
		must(tb, env.CreateNamespace(ctx, ns))
		must(tb, createShardConnection(ctx, ns, shard, p.budgetRPS))
		org := fleet.Build(ns, ns, fleet.StoresFor(p.objectsPerOrg))
		for _, o := range org {
			setShard(o.Obj, shard)
		}
		objs = append(objs, org)
		run.objects += len(org)
	}
	for _, ns := range namespaces {
		waitConnectionReady(tb, ns)
	}
	env.API.ResetRequests()
	start := time.Now()
	for _, org := range objs {
		must(tb, testenv.CreateAll(ctx, kube, clientObjects(org)))
	}
	for i, d := range waitOrgsInSync(tb, namespaces, objs, start, p.inSyncTimeout) {
		floor := float64(fleet.Floor(objs[i])) / float64(p.budgetRPS)
		run.maxOrgXFloor = max(run.maxOrgXFloor, d.Seconds()/floor)
	}
	reqs := env.API.Requests()
	run.toInSync, run.requests = time.Since(start), len(reqs)
	logBreakdown(prefix, reqs)
	for end := time.Now().Add(p.sample); time.Now().Before(end); time.Sleep(500 * time.Millisecond) {
		for i, m := range managers {
			mem, err := m.Memory()
			must(tb, err)
			run.peak[i] = run.peak[i].Max(mem)
		}
	}
	run.busyDelay = busyDelay(tb, prefix, namespaces[1], shards[0], p)
	return run
}

// waitOrgsInSync waits until every organisation's objects are in sync and returns how
// long after start each one was.
func waitOrgsInSync(tb testing.TB, namespaces []string, objs [][]fleet.Object, start time.Time, timeout time.Duration) []time.Duration {
	tb.Helper()
	took := make([]time.Duration, len(namespaces))
	for left := len(namespaces); left > 0; time.Sleep(200 * time.Millisecond) {
		for i, ns := range namespaces {
			if took[i] != 0 {
				continue
			}
			st, err := testenv.Fleet(context.Background(), kube, ns)
			must(tb, err)
			if st.InSync >= len(objs[i]) {
				took[i], left = time.Since(start), left-1
			}
		}
		if time.Since(start) > timeout {
			tb.Fatalf("organisations not in sync after %s: %v", timeout, took)
		}
	}
	return took
}

// busyDelay renames a Site of the organisation in ns twice, once with nothing else to
// do and once right after a new organisation of busyShard was made, and returns how
// much longer the second change took to reach HoxtonAi.
func busyDelay(tb testing.TB, prefix, ns, busyShard string, p shardProfile) time.Duration {
	ctx := context.Background()
	rename := func(name string) time.Duration {
		site := &v1alpha1.Site{}
		must(tb, kube.Get(ctx, client.ObjectKey{Namespace: ns, Name: "store-0-site"}, site))
		site.Spec.Name = name
		must(tb, kube.Update(ctx, site))
		return waitSiteName(tb, site.Status.ExternalID, name, time.Minute)
	}
	idle := rename("Store 0 (renamed, nothing else to do)")
	busy := prefix + "-busy"
	must(tb, env.CreateNamespace(ctx, busy))
	defer func() { must(tb, testenv.ClearNamespace(ctx, kube, busy)) }()
	must(tb, createShardConnection(ctx, busy, busyShard, p.budgetRPS))
	waitConnectionReady(tb, busy)
	org := fleet.Build(busy, busy, fleet.StoresFor(p.objectsPerOrg))
	for _, o := range org {
		setShard(o.Obj, busyShard)
	}
	must(tb, testenv.CreateAll(ctx, kube, clientObjects(org)))
	return rename("Store 0 (renamed while another organisation converges)") - idle
}

// setShard labels o for shard (no label for the default shard).
func setShard(o interface {
	GetLabels() map[string]string
	SetLabels(map[string]string)
}, shard string) {
	if shard == "" {
		return
	}
	l := o.GetLabels()
	if l == nil {
		l = map[string]string{}
	}
	l[managed.LabelShard] = shard
	o.SetLabels(l)
}

// createShardConnection is createBudgetedConnection for an organisation of shard: its
// Connection and Secret labelled with it.
func createShardConnection(ctx context.Context, ns, shard string, rps int32) error {
	secret := testenv.ConnectionSecret(ns, "default-credentials")
	setShard(secret, shard)
	if err := kube.Create(ctx, secret); err != nil {
		return err
	}
	conn := env.Connection(ns, "default", "default-credentials")
	conn.Spec.RequestBudget = &v1alpha1.RequestBudget{RequestsPerSecond: rps, Burst: 1}
	setShard(conn, shard)
	return kube.Create(ctx, conn)
}
