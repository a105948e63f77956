package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

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
		"one-s-to-in-sync", "shards-s-to-in-sync", "one-api-req", "shards-api-req"}
)

// BenchmarkShards converges the same fleet (10 organisations of 100 objects) twice
// with manager binaries: once in one manager, once spread over three shards
// (--shard=a|b|c, the organisations labelled in turn), and reports each run's peak
// RSS (one-rss-MiB; shards-rss-MiB, the shards' sum, and max-shard-rss-MiB, the
// largest shard), their ratio (x-one-manager-rss), the same without the binary's pages
// (one-anon-MiB, shards-anon-MiB, x-one-manager-anon), the time until every object is in
// sync and the API requests it took.
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
}

// shardRun is what one run of runShardFleet measured.
type shardRun struct {
	objects, requests int
	// peak is each manager's peak resident memory, in the order of the shards.
	peak     []testenv.Memory
	toInSync time.Duration
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
	for i, ns := range namespaces {
		waitInSync(tb, ns, len(objs[i]), p.inSyncTimeout)
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
	return run
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
