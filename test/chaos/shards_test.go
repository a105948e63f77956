package chaos

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
	"github.com/hoxton-operator/hoxton-operator/test/bench/fleet"
)

// shardProfile sizes the sharded chaos run (TestChaosShardMove); the profile of
// chosenProfile picks it.
type shardProfile struct {
	// orgs are the organisations, spread over the shards in turn; objects is the
	// size of each one's fleet.
	orgs, objects int
	faultPhase    time.Duration
	tokenOutage   time.Duration
	// kills are the kills of the leader of the shard the organisation moves to, the
	// first one during the move.
	kills         int
	throttleBurst int
	// converge bounds each wait for an organisation to be in sync.
	converge time.Duration
}

var shardProfiles = map[string]shardProfile{
	shortProfile.name: {orgs: 3, objects: 32, faultPhase: 12 * time.Second, tokenOutage: 3 * time.Second,
		kills: 1, throttleBurst: 1, converge: 3 * time.Minute},
	fullProfile.name: {orgs: 6, objects: 100, faultPhase: 60 * time.Second, tokenOutage: 15 * time.Second,
		kills: 3, throttleBurst: 4, converge: 10 * time.Minute},
}

// shardKeys are the shards; organisation i starts in shardKeys[i%len(shardKeys)].
// Organisation 0 moves from moveFrom to moveTo, whose leader is killed.
var shardKeys = []string{"a", "b", "c"}

const moveFrom, moveTo = "a", "b"

// TestChaosShardMove runs three shards, each electing its leader on a lease of its
// own, for a few organisations (each its own HoxtonAi behind a fault proxy, its
// namespace, its Connection) through the API faults of TestChaos. Organisation 0
// moves from shard a to shard b as docs/operations.md says (its objects, its
// Connection and its Secret relabelled) while its objects converge on shard a, and
// shard b's leader is killed during the move: its standby takes over. Afterwards
// every organisation's HoxtonAi equals its YAML with no duplicate, nothing was
// deleted in HoxtonAi and no token revoked, no secret shows, and deleting everything
// leaves nothing behind.
func TestChaosShardMove(t *testing.T) {
	if _, err := testenv.AssetsDir(); err != nil {
		t.Skip("envtest binaries: ", err)
	}
	p := chosenProfile()
	sp := shardProfiles[p.name]
	seed := chosenSeed(t)
	fmt.Printf("chaos shards: profile %s, seed %d (replay with CHAOS_SEED=%d CHAOS_PROFILE=%s -run TestChaosShardMove)\n", p.name, seed, seed, p.name)
	env, err := testenv.Start(hoxtontest.Options{})
	must(t, err)
	// Registered first, so that it runs last: after every shard's manager stopped.
	t.Cleanup(func() { _ = env.Stop() })
	kube, err := env.FastClient()
	must(t, err)
	ctx := context.Background()

	orgs := make([]*organisation, sp.orgs)
	for i := range orgs {
		api := hoxtontest.NewServer(hoxtontest.Options{})
		proxy := newFaultProxy(api.URL(), seed+uint64(i))
		t.Cleanup(func() { proxy.close(); api.Close() })
		o := &organisation{run: run{env: env, kube: kube, api: api, proxy: proxy, ns: fmt.Sprintf("org-%d", i),
			shard: shardKeys[i%len(shardKeys)]}}
		o.parts = waves(oauthClientsFirst(o.setUp(t, ctx, fleet.StoresFor(sp.objects))), fleetWaves)
		orgs[i] = o
	}
	managers := &shardManagers{t: t, env: env, kube: kube, replicas: map[string][]func() error{}, leader: map[string]string{}}
	for _, shard := range shardKeys {
		managers.start(shard)
	}
	managers.start(moveTo) // its standby
	for _, o := range orgs {
		o.waitConnected(t, ctx)
		o.proxy.setOn(true)
	}

	start := time.Now()
	did := newShardSchedule(seed, sp).playShards(t, shardStage{kube: kube, orgs: orgs, managers: managers})
	for _, o := range orgs {
		o.proxy.setOn(false)
		o.api.SetTokenOutage(false)
	}
	var want [][]expected
	for _, o := range orgs {
		o.waitInSync(t, sp.converge)
	}
	converged := time.Since(start)
	fmt.Printf("chaos shards: organisation %s moved from shard %s to %s with %d of %d objects in sync (%d Sites in HoxtonAi); all %d organisations in sync %s after the first fault\n",
		orgs[0].ns, moveFrom, moveTo, did.moveInSync, did.moveTotal, did.moveInAPI, len(orgs), converged.Round(time.Second))
	fmt.Printf("chaos shards: shard %s's leader killed (kills: %d), its standby leading %v later\n", moveTo, len(did.handovers), did.handovers)
	if did.moveInSync >= did.moveTotal || did.moveInAPI == 0 {
		t.Errorf("the move met no object converging on shard %s (%d of %d in sync, %d Sites in HoxtonAi): it proves nothing",
			moveFrom, did.moveInSync, did.moveTotal, did.moveInAPI)
	}
	if len(did.handovers) < sp.kills {
		t.Errorf("shard %s's leader was killed %d times, want %d", moveTo, len(did.handovers), sp.kills)
	}
	for _, o := range orgs {
		w, diffs := o.compare(t, ctx)
		want = append(want, w)
		deletes, revoked := o.api.CountRequests("DELETE", ""), o.api.Revocations()
		fmt.Printf("chaos shards: %s (shard %s): %d objects, %d API requests (%d faults injected), %d differences from the YAML (duplicates included), %d deletes, %d tokens revoked\n",
			o.ns, o.shard, len(w), o.proxy.requests.Load(), o.proxy.injected.Load(), len(diffs), deletes, revoked)
		for _, d := range diffs {
			t.Errorf("%s: %s", o.ns, d)
		}
		if deletes > 0 {
			t.Errorf("%s: %d deletes in HoxtonAi while nothing was deleted in Kubernetes", o.ns, deletes)
		}
		if revoked > 0 {
			t.Errorf("%s: %d tokens revoked while its Connection exists: a shard took it for deleted", o.ns, revoked)
		}
		o.checkNoSecrets(t, ctx)
	}
	checkSecretsFollowed(t, ctx, orgs[0])
	for _, shard := range shardKeys {
		if managers.holder(shard) == "" {
			t.Errorf("shard %s has no leader at the end", shard)
		}
	}
	leftovers := 0
	for i, o := range orgs {
		for _, l := range o.deleteAll(t, ctx, want[i]) {
			leftovers++
			t.Errorf("%s after deleting everything: %s", o.ns, l)
		}
	}
	fmt.Printf("chaos shards: after deleting everything: %d leftovers in HoxtonAi, 0 objects stuck with a finalizer\n", leftovers)
}

// organisation is one organisation of the sharded run: its fleet, applied in waves
// labelled with the shard that serves it at the time.
type organisation struct {
	run
	parts [][]client.Object
}

// createPart creates the organisation's i-th wave, labelled for its shard.
func (o *organisation) createPart(ctx context.Context, i int) error {
	for _, obj := range o.parts[i] {
		obj.SetLabels(map[string]string{managed.LabelShard: o.shard})
	}
	return testenv.CreateAll(ctx, o.kube, o.parts[i])
}

// oauthClientsFirst puts the OAuthClients (which refer to nothing) in the first
// wave, so that the old shard delivers their credentials before the move: the
// Secrets it wrote must follow them to the new shard.
func oauthClientsFirst(objs []client.Object) []client.Object {
	rank := func(o client.Object) int {
		if _, ok := o.(*v1alpha1.OAuthClient); ok {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(objs, func(a, b client.Object) int { return rank(a) - rank(b) })
	return objs
}

// checkSecretsFollowed: the moved organisation's Secrets that the shards cache (its
// Connection's, relabelled with it, and those the old shard wrote for its
// OAuthClients) are in the new shard; one deleted is delivered again at once by the
// new shard, whose cache sees the deletion (its poll is minutes away).
func checkSecretsFollowed(t *testing.T, ctx context.Context, o *organisation) {
	var l corev1.SecretList
	must(t, o.kube.List(ctx, &l, client.InNamespace(o.ns), client.MatchingLabels{v1alpha1.LabelConnectionSecret: "true"}))
	var written []string
	for _, s := range l.Items {
		if shard := managed.ShardOf(&s); shard != moveTo {
			t.Errorf("%s: Secret %s is in shard %q after the move to %s, whose cache does not see it", o.ns, s.Name, shard, moveTo)
		}
		if s.Annotations[managed.AnnotationCredentialsOf] != "" {
			written = append(written, s.Name)
		}
	}
	if len(written) == 0 {
		t.Fatalf("%s: no credentials Secret written for an OAuthClient: the check would prove nothing", o.ns)
	}
	start := time.Now()
	for _, name := range written {
		must(t, o.kube.Delete(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: o.ns, Name: name}}))
	}
	testenv.Eventually(t, 30*time.Second, "the deleted credentials Secrets of "+o.ns+" delivered again", func() (bool, string) {
		for _, name := range written {
			if err := o.kube.Get(ctx, client.ObjectKey{Namespace: o.ns, Name: name}, &corev1.Secret{}); err != nil {
				return false, name + ": " + err.Error()
			}
		}
		return true, ""
	})
	fmt.Printf("chaos shards: %d Secrets of %s checked for shard %s; %d credentials Secrets deleted and delivered again in %s\n",
		len(l.Items), o.ns, moveTo, len(written), time.Since(start).Round(100*time.Millisecond))
}
