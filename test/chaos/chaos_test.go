// Package chaos is the chaos suite (`make chaos` runs the full profile, `go test`
// the short one): the manager converges a fleet of every kind through a proxy that
// injects 5xx answers, 429 bursts with Retry-After and latency spikes, while the
// token endpoint goes down for a while, every issued token is revoked once, the
// manager is killed several times (once between an API write and its status write),
// the leader hands over to a second manager in the middle of a wave, the Kubernetes
// API is unreachable for the managers for a while (60 s in the full profile: a
// leader that loses its lease is started again), and another tenant's service hangs
// without answering until the fleet has converged.
// After the faults stop it checks that HoxtonAi holds exactly the fleet (and the hung
// tenant's objects once its service answers again), with no duplicate object or
// link, that deleting everything leaves nothing behind, that the faults cost a
// bounded number of extra requests, and that no secret or token shows in the log,
// the events or any status. The fault schedule follows from a seed, printed first
// (CHAOS_SEED replays it).
//
// TestChaosShardMove does the same with three shards and a few organisations: one
// moves to another shard while its objects converge, and the new shard's leader is
// killed during the move (shards_test.go).
package chaos

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
	"github.com/hoxton-operator/hoxton-operator/test/bench/fleet"
)

// profile sizes a chaos run.
type profile struct {
	name        string
	objects     int
	faultPhase  time.Duration
	tokenOutage time.Duration
	// kubeOutage is how long the managers cannot reach the Kubernetes API.
	kubeOutage    time.Duration
	kills         int
	throttleBurst int
	// maxRequestRatio bounds the run's API requests against a fault-free run.
	maxRequestRatio float64
	// converge bounds each wait for the fleet to be in sync.
	converge time.Duration
}

var (
	fullProfile = profile{name: "full", objects: 210, faultPhase: 120 * time.Second, tokenOutage: 30 * time.Second, kubeOutage: 60 * time.Second,
		kills: 5, throttleBurst: 6, maxRequestRatio: 4, converge: 10 * time.Minute}
	shortProfile = profile{name: "short", objects: 64, faultPhase: 25 * time.Second, tokenOutage: 6 * time.Second, kubeOutage: 4 * time.Second,
		kills: 2, throttleBurst: 2, maxRequestRatio: 4, converge: 3 * time.Minute}
)

func chosenProfile() profile {
	if os.Getenv("CHAOS_PROFILE") == "full" {
		return fullProfile
	}
	return shortProfile
}

func chosenSeed(t *testing.T) uint64 {
	if s := os.Getenv("CHAOS_SEED"); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("CHAOS_SEED: %v", err)
		}
		return seed
	}
	return uint64(time.Now().UnixNano())
}

var logPath string

func TestMain(m *testing.M) {
	var closeLog func()
	var err error
	logPath, closeLog, err = testenv.LogToFile("hoxton-chaos")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("logs: %s\n", logPath)
	code := m.Run()
	closeLog()
	os.Exit(code)
}

// TestChaos is the chaos run.
func TestChaos(t *testing.T) {
	p := chosenProfile()
	seed := chosenSeed(t)
	fmt.Printf("chaos: profile %s, seed %d (replay with CHAOS_SEED=%d CHAOS_PROFILE=%s)\n", p.name, seed, seed, p.name)
	env, err := testenv.Start(hoxtontest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = env.Stop() }()
	kube, err := env.FastClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	stores := fleet.StoresFor(p.objects)

	// The fault-free run of the same fleet, against its own fake, for the ratio.
	baseAPI := hoxtontest.NewServer(hoxtontest.Options{})
	defer baseAPI.Close()
	baseProxy := newFaultProxy(baseAPI.URL(), seed)
	defer baseProxy.close()
	must(t, env.StartManager(operator.Options{}))
	baseline := run{env: env, kube: kube, api: baseAPI, proxy: baseProxy, ns: "baseline"}
	must(t, testenv.CreateAll(ctx, kube, baseline.setUp(t, ctx, stores)))
	baseline.waitInSync(t, p.converge)
	baseRequests := baseProxy.requests.Load()
	must(t, env.StopManager())
	must(t, testenv.ClearNamespace(ctx, kube, baseline.ns))

	// The chaos run: managers elect a leader (two run during the handover) and reach
	// the Kubernetes API through a link the schedule cuts.
	api := hoxtontest.NewServer(hoxtontest.Options{})
	defer api.Close()
	proxy := newFaultProxy(api.URL(), seed)
	defer proxy.close()
	crash := &crashAfterWrite{proxy: proxy, crashed: make(chan struct{}, 1)}
	mgrOpts := operator.Options{NewClient: crash.newClient, LeaderElection: true, LeaderElectionNamespace: leaseNamespace}
	link, err := env.LinkManagers()
	must(t, err)
	chaos := run{env: env, kube: kube, api: api, proxy: proxy, ns: "chaos"}
	hung := newHungTenant(t, env, kube)
	defer hung.close()
	must(t, env.StartManager(mgrOpts))
	hung.waitConnected(t, ctx)
	proxy.setOn(true)
	start := time.Now()
	sched := newSchedule(seed, p)
	did := sched.play(t, stage{env: env, kube: kube, api: api, proxy: proxy, crash: crash, opts: mgrOpts, link: link, ns: chaos.ns,
		parts: waves(chaos.setUp(t, ctx, stores), len(sched.waves)), hung: hung.proxy, hungObjs: hung.objects})
	proxy.setOn(false)
	api.SetTokenOutage(false)
	chaos.waitInSync(t, p.converge)
	converged := time.Since(start)
	requests := proxy.requests.Load()
	// Only now does the hung tenant's service answer again.
	held := hung.release()
	released := time.Now()
	hung.waitInSync(t, p.converge)
	hungConverged := time.Since(released)

	want, diffs := chaos.compare(t, ctx)
	ratio := float64(requests) / float64(baseRequests)
	fmt.Printf("chaos: %d objects, converged %s after the first fault, %d kills (%d between an API write and its status write)\n",
		len(want), converged.Round(time.Second), did.kills, did.afterWrite)
	fmt.Printf("chaos: leader handed over in %s mid-wave; Kubernetes API unreachable for %s (%d managers restarted after losing the lease)\n",
		did.handover.Round(100*time.Millisecond), did.kubeDown.Round(time.Second), env.ManagerRestarts())
	fmt.Printf("chaos: tenant %q hung with %d requests held while the fleet converged; in sync %s after it answered again\n",
		hung.ns, held, hungConverged.Round(100*time.Millisecond))
	fmt.Printf("chaos: %d API requests (%d faults injected) against %d fault-free: ratio %.2f (bound %.1f)\n",
		requests, proxy.injected.Load(), baseRequests, ratio, p.maxRequestRatio)
	fmt.Printf("chaos: HoxtonAi differs from the YAML in %d places; duplicates included\n", len(diffs))
	for _, d := range diffs {
		t.Errorf("after the faults: %s", d)
	}
	if ratio > p.maxRequestRatio {
		t.Errorf("the chaos run made %.2f times the requests of a fault-free run, over the bound of %.1f", ratio, p.maxRequestRatio)
	}
	if did.kills < p.kills || did.afterWrite < 1 {
		t.Errorf("the manager was killed %d times (%d between a write and its status), want %d (at least one between)", did.kills, did.afterWrite, p.kills)
	}
	if held < 1 {
		t.Errorf("the hung tenant's service held no request: its objects never met the hang")
	}
	hungWant, hungDiffs := hung.compare(t, ctx)
	fmt.Printf("chaos: the hung tenant's HoxtonAi differs from its YAML in %d places once it answers again\n", len(hungDiffs))
	for _, d := range hungDiffs {
		t.Errorf("hung tenant: %s", d)
	}
	chaos.checkNoSecrets(t, ctx)
	leftovers := append(chaos.deleteAll(t, ctx, want), hung.deleteAll(t, ctx, hungWant)...)
	fmt.Printf("chaos: after deleting everything: %d leftovers in HoxtonAi, 0 objects stuck with a finalizer\n", len(leftovers))
	for _, l := range leftovers {
		t.Errorf("after deleting everything: %s", l)
	}
	must(t, env.StopManager())
}

// crashAfterWrite builds manager clients whose status writes of managed objects fail,
// once armed, as soon as the API has accepted a write after the arming: the manager
// then behaves as if it died between the write and recording it, and is killed.
type crashAfterWrite struct {
	proxy         *faultProxy
	armed         atomic.Bool
	writesAtArm   atomic.Int64
	crashed       chan struct{}
	afterWriteHit atomic.Int32
}

var errCrashed = errors.New("chaos: the manager died before this status write")

func (c *crashAfterWrite) arm() {
	c.writesAtArm.Store(c.proxy.writes.Load())
	c.armed.Store(true)
}

func (c *crashAfterWrite) newClient(cfg *rest.Config, opts client.Options) (client.Client, error) {
	wc, err := client.NewWithWatch(cfg, opts)
	if err != nil {
		return nil, err
	}
	return interceptor.NewClient(wc, interceptor.Funcs{
		SubResourcePatch: func(ctx context.Context, cl client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
			if _, ok := obj.(managed.Object); ok && sub == "status" && c.armed.Load() && c.proxy.writes.Load() > c.writesAtArm.Load() {
				if c.armed.CompareAndSwap(true, false) {
					c.afterWriteHit.Add(1)
					c.crashed <- struct{}{}
				}
				return errCrashed
			}
			return cl.SubResource(sub).Patch(ctx, obj, patch, opts...)
		},
	}), nil
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// newRand returns the seeded source of a part of the schedule.
func newRand(seed uint64, part string) *rand.Rand {
	h := seed
	for _, c := range part {
		h = h*31 + uint64(c)
	}
	return rand.New(rand.NewPCG(seed, h))
}

func contains(haystack string, needles []string) string {
	for _, n := range needles {
		if n != "" && strings.Contains(haystack, n) {
			return n
		}
	}
	return ""
}
