package operator_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// shardFixture is one control plane with a manager per shard and an organisation
// (a fake HoxtonAi of its own, a namespace, a Connection, two Sites) per shard.
type shardFixture struct {
	t    *testing.T
	env  *testenv.Env
	orgs map[string]*hoxtontest.Server // by shard; "" is the default shard
	// stops holds the stop of each shard's manager (the Env stops the default shard's).
	stops map[string]func() error
}

// shardPoll is long, so that whatever converges within a test's bounds was woken by
// a watch, not by a poll.
const shardPoll = 10 * time.Minute

func (f *shardFixture) start(shard string) {
	f.t.Helper()
	opts := operator.Options{Shard: shard, PollInterval: shardPoll, LeaderElection: true, LeaderElectionNamespace: "default"}
	if shard == "" {
		if err := f.env.StartManager(opts); err != nil {
			f.t.Fatal(err)
		}
		return
	}
	stop, err := f.env.StartShard(opts)
	if err != nil {
		f.t.Fatal(err)
	}
	f.stops[shard] = sync.OnceValue(stop)
	f.t.Cleanup(func() { _ = f.stops[shard]() })
}

// restart stops a shard's manager, as a crash of its leader would, and starts a new
// one, which takes the released lease.
func (f *shardFixture) restart(shard string) {
	f.t.Helper()
	if err := f.stops[shard](); err != nil {
		f.t.Fatal(err)
	}
	f.start(shard)
}

// shardLabels labels an object for shard (none for the default shard).
func shardLabels(shard string) map[string]string {
	if shard == "" {
		return nil
	}
	return map[string]string{managed.LabelShard: shard}
}

// orgNamespace is the namespace of shard's organisation.
func orgNamespace(shard string) string {
	if shard == "" {
		return "org-default"
	}
	return "org-" + shard
}

// createOrganisation creates shard's organisation: two Sites.
func (f *shardFixture) createOrganisation(ctx context.Context, shard string) {
	f.t.Helper()
	f.createOrganisationIn(ctx, orgNamespace(shard), f.orgs[shard], shard, "hq", "depot")
}

// createOrganisationIn creates namespace ns, its Connection to api (labelled for
// shard) and its Secret (not labelled: the operator labels it), and the Sites named.
func (f *shardFixture) createOrganisationIn(ctx context.Context, ns string, api *hoxtontest.Server, shard string, sites ...string) {
	f.t.Helper()
	conn := f.env.ConnectionTo(api, ns, v1alpha1.DefaultConnectionName, "credentials")
	conn.Labels = shardLabels(shard)
	conn.Spec.RevocationURL = api.RevocationURL()
	objs := []client.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, testenv.ConnectionSecret(ns, "credentials"), conn}
	for _, name := range sites {
		objs = append(objs, shardSite(ns, name, shard))
	}
	for _, o := range objs {
		if err := f.env.Client.Create(ctx, o); err != nil {
			f.t.Fatal(err)
		}
	}
}

func shardSite(ns, name, shard string) *v1alpha1.Site {
	return &v1alpha1.Site{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: shardLabels(shard)},
		Spec: v1alpha1.SiteSpec{Name: name}}
}

// sitesInSync waits until the Sites named are in sync at their generation.
func (f *shardFixture) sitesInSync(ctx context.Context, timeout time.Duration, ns string, names ...string) {
	f.t.Helper()
	testenv.Eventually(f.t, timeout, "Sites of "+ns+" in sync", func() (bool, string) {
		for _, name := range names {
			s := &v1alpha1.Site{}
			if err := f.env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, s); err != nil {
				return false, err.Error()
			}
			if !testenv.InSync(s) {
				return false, fmt.Sprintf("%s: %+v", name, s.Status.Conditions)
			}
		}
		return true, ""
	})
}

// TestShardsServeTheirOrganisations: four managers (the default shard and shards a,
// b, c) on one control plane, each with its own lease, each serving only the
// organisations labelled for it; an object labelled for another shard than its
// Connection is reported by the shard that sees it, before any write; a tenant's
// object labelled for a shard gains no other namespace's Connection; and an
// organisation moved from shard c to b by relabelling is adopted by b through its
// ids: no duplicate, no deletion, no revoked token, in sync within seconds.
func TestShardsServeTheirOrganisations(t *testing.T) {
	if _, err := testenv.AssetsDir(); err != nil {
		t.Skip("envtest binaries: ", err)
	}
	env, err := testenv.Start(hoxtontest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	f := &shardFixture{t: t, env: env, orgs: map[string]*hoxtontest.Server{"": env.API}, stops: map[string]func() error{}}
	for i, shard := range []string{"a", "b", "c"} {
		api := hoxtontest.NewServer(hoxtontest.Options{OrganisationID: fmt.Sprintf("5f0c6a1e-0000-4000-8000-00000000000%d", i+1)})
		t.Cleanup(api.Close)
		f.orgs[shard] = api
	}
	ctx := t.Context()
	for _, shard := range []string{"", "a", "b"} {
		f.start(shard)
	}
	for _, shard := range []string{"", "a", "b", "c"} {
		f.createOrganisation(ctx, shard)
	}
	for _, shard := range []string{"", "a", "b"} {
		f.sitesInSync(ctx, 60*time.Second, orgNamespace(shard), "hq", "depot")
	}

	// No manager serves shard c yet: its Sites are untouched while the others
	// converged; its own manager brings them in sync.
	for _, name := range []string{"hq", "depot"} {
		s := &v1alpha1.Site{}
		if err := env.Client.Get(ctx, client.ObjectKey{Namespace: orgNamespace("c"), Name: name}, s); err != nil {
			t.Fatal(err)
		}
		if len(s.Finalizers) > 0 || len(s.Status.Conditions) > 0 {
			t.Errorf("Site %s of shard c was touched before shard c had a manager: %v %+v", name, s.Finalizers, s.Status.Conditions)
		}
	}
	if n := f.orgs["c"].CountRequests("", ""); n > 0 {
		t.Errorf("organisation of shard c got %d requests before shard c had a manager", n)
	}
	f.start("c")
	f.sitesInSync(ctx, 60*time.Second, orgNamespace("c"), "hq", "depot")
	for shard, api := range f.orgs {
		if n := len(api.Objects("sites")); n != 2 {
			t.Errorf("organisation of shard %q holds %d sites, want 2", shard, n)
		}
	}
	checkShardLeases(ctx, t, env)
	checkSecretShardLabels(ctx, t, env)

	t.Run("mismatch", func(t *testing.T) { checkShardMismatch(ctx, t, f) })
	t.Run("tenant", func(t *testing.T) { checkTenantLabelGainsNothing(ctx, t, f) })
	t.Run("move", func(t *testing.T) { checkMove(ctx, t, f) })
	t.Run("move-while-converging", func(t *testing.T) { checkMoveWhileConverging(ctx, t, f) })
}

// checkShardLeases: each shard holds a lease of its own.
func checkShardLeases(ctx context.Context, t *testing.T, env *testenv.Env) {
	t.Helper()
	leases := &coordinationv1.LeaseList{}
	if err := env.Client.List(ctx, leases, client.InNamespace("default")); err != nil {
		t.Fatal(err)
	}
	held := map[string]bool{}
	for _, l := range leases.Items {
		if strings.HasPrefix(l.Name, "hoxton-operator.hoxtonai.dev") && l.Spec.HolderIdentity != nil {
			held[l.Name] = true
		}
	}
	for _, want := range []string{"hoxton-operator.hoxtonai.dev", "hoxton-operator.hoxtonai.dev-a", "hoxton-operator.hoxtonai.dev-b", "hoxton-operator.hoxtonai.dev-c"} {
		if !held[want] {
			t.Errorf("lease %s not held; held: %v", want, held)
		}
	}
}

// checkSecretShardLabels: the operator labels a Connection's Secret with the
// Connection's shard, so that the shard's cache sees its changes.
func checkSecretShardLabels(ctx context.Context, t *testing.T, env *testenv.Env) {
	t.Helper()
	for _, shard := range []string{"", "a"} {
		s := &corev1.Secret{}
		if err := env.Client.Get(ctx, client.ObjectKey{Namespace: orgNamespace(shard), Name: "credentials"}, s); err != nil {
			t.Fatal(err)
		}
		got, labelled := s.Labels[managed.LabelShard]
		if s.Labels[v1alpha1.LabelConnectionSecret] != "true" || got != shard || labelled != (shard != "") {
			t.Errorf("Secret of shard %q labelled %v", shard, s.Labels)
		}
	}
}

// checkShardMismatch: a Site of shard a's organisation labelled for shard b is
// reported by shard b, which sees it, naming both shards and the label to set, with
// an event; neither organisation receives anything.
func checkShardMismatch(ctx context.Context, t *testing.T, f *shardFixture) {
	before := f.orgs["a"].CountWrites() + f.orgs["b"].CountWrites()
	ns := orgNamespace("a")
	stray := shardSite(ns, "stray", "b")
	if err := f.env.Client.Create(ctx, stray); err != nil {
		t.Fatal(err)
	}
	var msg string
	testenv.Eventually(t, 30*time.Second, "the shard mismatch reported", func() (bool, string) {
		s := &v1alpha1.Site{}
		if err := f.env.Client.Get(ctx, client.ObjectKeyFromObject(stray), s); err != nil {
			return false, err.Error()
		}
		c := conditions.Get(s.Status.Conditions, conditions.TypeSynced)
		if c == nil || c.Status != metav1.ConditionFalse || c.Reason != managed.ReasonShardMismatch {
			return false, fmt.Sprintf("%+v", s.Status.Conditions)
		}
		msg = c.Message
		return true, ""
	})
	for _, want := range []string{`shard "a"`, `shard "b"`, "set the label hoxtonai.dev/shard=a on this Site"} {
		if !strings.Contains(msg, want) {
			t.Errorf("mismatch message %q does not say %q", msg, want)
		}
	}
	testenv.Eventually(t, 10*time.Second, "a ShardMismatch event", func() (bool, string) {
		evs := &eventsv1.EventList{}
		if err := f.env.Client.List(ctx, evs, client.InNamespace(ns)); err != nil {
			return false, err.Error()
		}
		for _, e := range evs.Items {
			if e.Regarding.Name == "stray" && e.Reason == managed.ReasonShardMismatch {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d events, none ShardMismatch for stray", len(evs.Items))
	})
	if after := f.orgs["a"].CountWrites() + f.orgs["b"].CountWrites(); after != before {
		t.Errorf("%d writes to HoxtonAi for an object of the wrong shard", after-before)
	}
}

// checkTenantLabelGainsNothing: a tenant who labels its objects for shard a gains no
// credentials it could not use without shards. Without a Connection of its own
// namespace, shard a does not act through the Connection of another namespace; and a
// ClusterConnection of shard a admits only the namespaces its conditions select
// (here by a namespace label, which every shard reads whatever the shard labels).
func checkTenantLabelGainsNothing(ctx context.Context, t *testing.T, f *shardFixture) {
	before := f.orgs["a"].CountWrites()
	home := operator.DefaultClusterResourceNamespace
	secret := testenv.ConnectionSecret(home, "shared-credentials")
	cc := &v1alpha1.ClusterConnection{ObjectMeta: metav1.ObjectMeta{Name: "shared", Labels: shardLabels("a")},
		Spec: v1alpha1.ClusterConnectionSpec{
			ConnectionParameters: f.env.ConnectionTo(f.orgs["a"], "x", "x", "x").Spec.ConnectionParameters,
			CredentialsSecretRef: v1alpha1.ClusterSecretReference{Name: secret.Name},
			Conditions: []v1alpha1.ClusterConnectionCondition{{NamespaceSelector: &metav1.LabelSelector{
				MatchLabels: map[string]string{"tier": "gold"}}}},
		}}
	ref := &v1alpha1.ConnectionReference{Kind: v1alpha1.ConnectionKindCluster, Name: cc.Name}
	own := shardSite("tenant", "grab", "a")
	viaCluster := shardSite("tenant", "borrow", "a")
	viaCluster.Spec.ConnectionRef = ref
	admitted := shardSite("gold", "store", "a")
	admitted.Spec.ConnectionRef = ref
	for _, o := range []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: home}}, secret, cc,
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "tenant"}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "gold", Labels: map[string]string{"tier": "gold"}}},
		own, viaCluster, admitted,
	} {
		if err := f.env.Client.Create(ctx, o); err != nil && (o.GetName() != home || !apierrors.IsAlreadyExists(err)) {
			t.Fatal(err)
		}
	}
	f.sitesInSync(ctx, 30*time.Second, "gold", "store")
	for _, tc := range []struct {
		site           *v1alpha1.Site
		reason, saying string
	}{
		{own, conditions.ReasonReferencesNotReady, `Connection "default" not found`},
		{viaCluster, conditions.ReasonTerminal, "does not admit namespace tenant"},
	} {
		testenv.Eventually(t, 30*time.Second, "the tenant's Site "+tc.site.Name+" refused", func() (bool, string) {
			s := &v1alpha1.Site{}
			if err := f.env.Client.Get(ctx, client.ObjectKeyFromObject(tc.site), s); err != nil {
				return false, err.Error()
			}
			c := conditions.Get(s.Status.Conditions, conditions.TypeSynced)
			return c != nil && c.Reason == tc.reason && strings.Contains(c.Message, tc.saying), fmt.Sprintf("%+v", s.Status.Conditions)
		})
	}
	if after := f.orgs["a"].CountWrites(); after != before+1 {
		t.Errorf("%d writes to shard a's organisation, want 1 (the admitted namespace's Site)", after-before)
	}
}
