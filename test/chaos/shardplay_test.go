package chaos

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/kinds"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// The schedule, the move and the shards' managers of TestChaosShardMove.

// newShardSchedule draws the sharded run's events from the seed: the waves of every
// organisation; the move right after one of the middle waves, so that the wave's
// objects, at least, are converging on the old shard; the first kill of the new
// shard's leader during the move, the others anywhere; 429 bursts, a token outage
// and a revocation of every token in every organisation.
func newShardSchedule(seed uint64, sp shardProfile) schedule {
	rng := newRand(seed, "shards")
	at := drawAt(rng, sp.faultPhase)
	ev, wavesAt := waveEvents(sp.faultPhase)
	move := wavesAt[1+rng.IntN(fleetWaves-2)] + time.Millisecond
	ev = append(ev, event{at: move, what: "move"})
	for i := range sp.kills {
		e := event{at: at(0.1, 0.9), what: "kill"}
		if i == 0 {
			e.at = move + time.Duration(200+rng.IntN(1300))*time.Millisecond
		}
		ev = append(ev, e)
	}
	faults, outage := tokenAndThrottleEvents(rng, at, sp.throttleBurst, sp.tokenOutage)
	ev = append(ev, faults...)
	slices.SortStableFunc(ev, func(a, b event) int { return int(a.at - b.at) })
	return schedule{events: ev, waves: wavesAt, phase: max(sp.faultPhase, outage+sp.tokenOutage+time.Second)}
}

// shardStage is what the sharded schedule acts on; organisation 0 moves.
type shardStage struct {
	kube     client.Client
	orgs     []*organisation
	managers *shardManagers
}

// shardPlayed is what the sharded schedule did.
type shardPlayed struct {
	// The moving organisation's objects in sync and in all, and its Sites in
	// HoxtonAi, at the move.
	moveInSync, moveTotal, moveInAPI int
	// handovers is how long the new shard had no leader after each kill.
	handovers []time.Duration
}

func (s schedule) playShards(t *testing.T, st shardStage) shardPlayed {
	ctx := context.Background()
	start := time.Now()
	var did shardPlayed
	for _, e := range s.events {
		time.Sleep(time.Until(start.Add(e.at)))
		switch e.what {
		case "wave":
			for _, o := range st.orgs {
				must(t, o.createPart(ctx, int(e.d)))
			}
		case "move":
			did.moveInSync, did.moveTotal, did.moveInAPI = st.move(t, ctx, st.orgs[0])
		case "kill":
			did.handovers = append(did.handovers, st.managers.kill(moveTo))
		case "throttle":
			for _, o := range st.orgs {
				o.proxy.throttle(e.d, time.Second)
			}
		case "token-outage", "token-outage-end":
			for _, o := range st.orgs {
				o.api.SetTokenOutage(e.what == "token-outage")
			}
		case "revoke":
			for _, o := range st.orgs {
				o.api.RevokeAllTokens()
			}
		}
		t.Logf("%6.1fs %s", time.Since(start).Seconds(), e.what)
	}
	time.Sleep(time.Until(start.Add(s.phase)))
	return did
}

// move moves o from moveFrom to moveTo once the old shard has written some of its
// Sites to HoxtonAi and an OAuthClient's credentials Secret: its objects first, then its Connection and the Connection's
// Secret (docs/operations.md). It returns o's objects in sync and in all, and its
// Sites in HoxtonAi, at the move.
func (st shardStage) move(t *testing.T, ctx context.Context, o *organisation) (inSync, total, inAPI int) {
	testenv.Eventually(t, time.Minute, "shard "+moveFrom+" writing "+o.ns+"'s Sites and credentials", func() (bool, string) {
		inAPI = len(o.api.Objects("sites"))
		var l corev1.SecretList
		if err := st.kube.List(ctx, &l, client.InNamespace(o.ns)); err != nil {
			return false, err.Error()
		}
		delivered := slices.ContainsFunc(l.Items, func(s corev1.Secret) bool { return s.Annotations[managed.AnnotationCredentialsOf] != "" })
		return inAPI > 0 && delivered, fmt.Sprintf("%d Sites in HoxtonAi, OAuthClient credentials written: %t", inAPI, delivered)
	})
	fl, err := testenv.Fleet(ctx, st.kube, o.ns)
	must(t, err)
	var objs []client.Object
	for _, k := range kinds.Registry() {
		l := k.NewList()
		must(t, st.kube.List(ctx, l, client.InNamespace(o.ns)))
		must(t, meta.EachListItem(l, func(it runtime.Object) error {
			objs = append(objs, it.(client.Object))
			return nil
		}))
	}
	key := metav1.ObjectMeta{Namespace: o.ns, Name: v1alpha1.DefaultConnectionName}
	objs = append(objs, &v1alpha1.Connection{ObjectMeta: key},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: o.ns, Name: "default-credentials"}})
	label := client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"labels":{"`+managed.LabelShard+`":"`+moveTo+`"}}}`))
	for _, obj := range objs {
		must(t, st.kube.Patch(ctx, obj, label))
	}
	o.shard = moveTo
	return fl.InSync, fl.Total, inAPI
}

// shardManagers are the shards' managers, in this process, each shard electing its
// leader on its own lease. A shard runs one replica, or two (leader and standby) as
// a Deployment of two replicas does.
type shardManagers struct {
	t    *testing.T
	env  *testenv.Env
	kube client.Client
	// replicas stops each shard's running managers, its leader first.
	replicas map[string][]func() error
	// leader is the identity holding each shard's lease.
	leader map[string]string
}

// start starts a manager of shard; the shard's first waits for its lease.
func (m *shardManagers) start(shard string) {
	stop, err := m.env.StartShard(operator.Options{Shard: shard, LeaderElection: true, LeaderElectionNamespace: leaseNamespace})
	must(m.t, err)
	stop = sync.OnceValue(stop)
	m.t.Cleanup(func() { _ = stop() })
	m.replicas[shard] = append(m.replicas[shard], stop)
	if len(m.replicas[shard]) == 1 {
		m.leader[shard] = m.waitLeader(shard, "")
	}
}

// holder is the identity holding shard's lease, "" when it is free.
func (m *shardManagers) holder(shard string) string {
	l := &coordinationv1.Lease{}
	err := m.kube.Get(context.Background(), client.ObjectKey{Namespace: leaseNamespace, Name: operator.LeaseName(shard)}, l)
	if err != nil || l.Spec.HolderIdentity == nil {
		return ""
	}
	return *l.Spec.HolderIdentity
}

// waitLeader waits until a manager other than not holds shard's lease.
func (m *shardManagers) waitLeader(shard, not string) string {
	var id string
	testenv.Eventually(m.t, handoverWithin, "a new leader of shard "+shard, func() (bool, string) {
		id = m.holder(shard)
		return id != "" && id != not, "lease held by " + id
	})
	return id
}

// kill stops shard's leader, as the deletion of its pod does (the lease is
// released), waits for its standby to lead, and starts a new standby, as the
// Deployment replaces the pod. It returns how long the shard had no leader.
func (m *shardManagers) kill(shard string) time.Duration {
	if h := m.holder(shard); h != m.leader[shard] {
		m.t.Logf("shard %s: the lease is held by %q, not by the leader it had (%q)", shard, h, m.leader[shard])
	}
	start := time.Now()
	must(m.t, m.replicas[shard][0]())
	m.replicas[shard] = m.replicas[shard][1:]
	m.leader[shard] = m.waitLeader(shard, m.leader[shard])
	took := time.Since(start)
	m.start(shard)
	return took
}
