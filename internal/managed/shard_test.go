package managed

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
)

// TestShardMismatchRefusedBeforeAnyCall: an object labelled for another shard than
// its Connection is reported (Synced=False/ShardMismatch, naming both shards and the
// label to set, with an event) before any adapter call or finalizer, whether the
// Connection is in this shard's cache or only in the API server (another shard's);
// an object of its Connection's shard goes on as usual.
func TestShardMismatchRefusedBeforeAnyCall(t *testing.T) {
	labelled := func(shard string) map[string]string {
		if shard == "" {
			return nil
		}
		return map[string]string{LabelShard: shard}
	}
	tests := []struct {
		name                  string
		siteShard, connShard  string
		connCached            bool
		wantMismatch, wantFix string
	}{
		{name: "object of shard a, Connection of shard b", siteShard: "a", connShard: "b",
			wantMismatch: `shard "b"`, wantFix: "set the label hoxtonai.dev/shard=b on this Site"},
		{name: "unlabelled object, Connection of shard b", siteShard: "", connShard: "b",
			wantMismatch: "the default shard", wantFix: "set the label hoxtonai.dev/shard=b"},
		{name: "object of shard a, Connection of the default shard", siteShard: "a", connShard: "",
			wantMismatch: `shard "a"`, wantFix: "remove the label hoxtonai.dev/shard from this Site"},
		{name: "same shard, Connection cached", siteShard: "a", connShard: "a", connCached: true},
		{name: "same shard, default", siteShard: "", connShard: "", connCached: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			site := newSite("hq", func(s *v1alpha1.Site) { s.Labels = labelled(tc.siteShard) })
			conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: v1alpha1.DefaultConnectionName,
				Labels: labelled(tc.connShard)}}
			var e *env
			if tc.connCached {
				e = newEnv(t, site, conn)
			} else {
				// Another shard's Connection: not in this shard's cache, only in the
				// API server, which the uncached reader reads.
				e = newEnv(t, site)
				e.r.secrets = fake.NewClientBuilder().WithScheme(newScheme(t)).WithObjects(conn).Build()
			}
			if _, err := e.reconcile("hq"); err != nil {
				t.Fatalf("Reconcile: %v", err)
			}
			s := e.get("hq")
			if tc.wantMismatch == "" {
				if c := conditions.Get(s.Status.Conditions, conditions.TypeSynced); c != nil && c.Reason == ReasonShardMismatch {
					t.Fatalf("an object of its Connection's shard reported %q", c.Message)
				}
				if len(e.ad.ops()) == 0 {
					t.Error("an object of its Connection's shard was not reconciled")
				}
				return
			}
			if ops := e.ad.ops(); len(ops) > 0 {
				t.Errorf("adapter calls %v before the shard mismatch was reported", ops)
			}
			if slices.Contains(s.Finalizers, Finalizer) {
				t.Error("the shard that does not serve the object added its finalizer")
			}
			wantCond(t, s, conditions.TypeSynced, metav1.ConditionFalse, ReasonShardMismatch, tc.wantMismatch)
			wantCond(t, s, conditions.TypeSynced, metav1.ConditionFalse, ReasonShardMismatch, tc.wantFix)
			wantCond(t, s, conditions.TypeReady, metav1.ConditionFalse, conditions.ReasonUnavailable, "")
			wantEvents(t, e.events(), "Warning ShardMismatch")
		})
	}
}

// TestShardMismatchWhileDeleting: an object of the wrong shard being deleted is
// reported the same way, and nothing is deleted in HoxtonAi by a shard that does not
// serve its organisation; one never created (no external id) needs no Connection and
// goes at once. A paused object stays Paused.
func TestShardMismatchWhileDeleting(t *testing.T) {
	conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: v1alpha1.DefaultConnectionName,
		Labels: map[string]string{LabelShard: "b"}}}
	ofShardA := func(s *v1alpha1.Site) { s.Labels = map[string]string{LabelShard: "a"} }

	e := newEnv(t, newSite("hq", ofShardA, inSync("id-1"), deleting))
	e.r.secrets = fake.NewClientBuilder().WithScheme(newScheme(t)).WithObjects(conn).Build()
	if _, err := e.reconcile("hq"); err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	if ops := e.ad.ops(); len(ops) > 0 {
		t.Errorf("adapter calls %v for an object of another shard being deleted", ops)
	}
	s := e.get("hq")
	if s == nil {
		t.Fatal("the object is gone: a shard that does not serve its organisation let it go")
	}
	wantCond(t, s, conditions.TypeSynced, metav1.ConditionFalse, ReasonShardMismatch, "hoxtonai.dev/shard=b")

	e = newEnv(t, newSite("never", ofShardA, deleting))
	e.r.secrets = fake.NewClientBuilder().WithScheme(newScheme(t)).WithObjects(conn).Build()
	if _, err := e.reconcile("never"); err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	if s := e.get("never"); s != nil && slices.Contains(s.Finalizers, Finalizer) {
		t.Errorf("an object never created waits for its shard: %+v", s.Status.Conditions)
	}

	e = newEnv(t, newSite("held", ofShardA, inSync("id-2"), func(s *v1alpha1.Site) {
		s.Annotations = map[string]string{AnnotationPaused: "true"}
	}))
	e.r.secrets = fake.NewClientBuilder().WithScheme(newScheme(t)).WithObjects(conn).Build()
	if _, err := e.reconcile("held"); err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	wantCond(t, e.get("held"), conditions.TypeSynced, metav1.ConditionFalse, conditions.ReasonPaused, "")
}

// TestCredentialsSecretFollowsItsOwnersShard: the credentials Secret an object's
// adapter writes carries the object's shard, so that the shard's cache, which holds
// only its own Secrets, sees it; when the object moves, the next write moves it too.
func TestCredentialsSecretFollowsItsOwnersShard(t *testing.T) {
	ctx := t.Context()
	site := newSite("hq", func(s *v1alpha1.Site) { s.Labels = map[string]string{LabelShard: "a"} })
	c := fake.NewClientBuilder().WithScheme(newScheme(t)).WithObjects(site).Build()
	write := func(o *v1alpha1.Site, secret string) map[string]string {
		t.Helper()
		creds, err := readCredentials(ctx, c, c, o, "Site", "hq-credentials")
		if err != nil {
			t.Fatal(err)
		}
		if err := creds.Write(ctx, map[string]string{"clientSecret": secret}); err != nil {
			t.Fatal(err)
		}
		var s corev1.Secret
		if err := c.Get(ctx, client.ObjectKey{Namespace: testNS, Name: "hq-credentials"}, &s); err != nil {
			t.Fatal(err)
		}
		return s.Labels
	}
	if l := write(site, "s-1"); l[LabelShard] != "a" || l[v1alpha1.LabelConnectionSecret] != "true" {
		t.Errorf("the Secret of an object of shard a is labelled %v", l)
	}
	site.Labels = nil // moved to the default shard
	if l := write(site, "s-2"); l[LabelShard] != "" {
		t.Errorf("the Secret of an object moved to the default shard is still labelled %v", l)
	}
}
