package operator_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// Moving an organisation between shards (TestShardsServeTheirOrganisations).

// checkMove: moving organisation c to shard b is relabelling its objects (here with
// a spec change in the same write, which only the new shard can bring in sync), its
// Connection and its Secret. Shard b adopts the Sites through the ids in their
// status: no duplicate, no deletion, no revoked token, one write per changed Site.
func checkMove(ctx context.Context, t *testing.T, f *shardFixture) {
	ns, api := orgNamespace("c"), f.orgs["c"]
	api.ResetRequests()
	revocations := api.Revocations()
	start := time.Now()
	// The objects first: until their Connection follows, shard b reports the
	// mismatch, and the Connection's arrival in its cache wakes them.
	for _, name := range []string{"hq", "depot"} {
		s := &v1alpha1.Site{}
		if err := f.env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, s); err != nil {
			t.Fatal(err)
		}
		s.Labels[managed.LabelShard] = "b"
		s.Spec.Address = "1 Moved Street"
		if err := f.env.Client.Update(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	relabel(ctx, t, f, "b", &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "credentials"}})
	f.sitesInSync(ctx, 30*time.Second, ns, "hq", "depot")
	t.Logf("organisation c moved to shard b and in sync again in %s", time.Since(start).Round(time.Millisecond))
	if n := len(api.Objects("sites")); n != 2 {
		t.Errorf("organisation c holds %d sites after the move, want 2 (no duplicate)", n)
	}
	if n := api.CountRequests("DELETE", ""); n != 0 {
		t.Errorf("%d deletions in HoxtonAi during the move", n)
	}
	if n := api.CountWrites(); n > 2 {
		t.Errorf("%d writes during the move, want at most one per changed Site (2)", n)
	}
	if n := api.Revocations() - revocations; n != 0 {
		t.Errorf("%d token revocations: the old shard treated the moved Connection as deleted", n)
	}
	for _, s := range api.Objects("sites") {
		if s["address"] != "1 Moved Street" {
			t.Errorf("site %v not updated by the new shard", s["name"])
		}
	}
}

// relabel moves objs (named by their namespace and name) to shard.
func relabel(ctx context.Context, t *testing.T, f *shardFixture, shard string, objs ...client.Object) {
	t.Helper()
	for _, o := range objs {
		if err := f.env.Client.Get(ctx, client.ObjectKeyFromObject(o), o); err != nil {
			t.Fatal(err)
		}
		base := o.DeepCopyObject().(client.Object)
		l := o.GetLabels()
		if l == nil {
			l = map[string]string{}
		}
		l[managed.LabelShard] = shard
		o.SetLabels(l)
		if err := f.env.Client.Patch(ctx, o, client.MergeFrom(base)); err != nil {
			t.Fatal(err)
		}
	}
}

// checkMoveWhileConverging: an organisation moved from shard a to shard b while
// shard a is still creating its Sites (HoxtonAi answers slowly), and shard b's
// leader killed during the move, ends with every Site in sync in HoxtonAi once: both
// shards may write a Site during the move, but to the id the object's status records
// (derived, and persisted before the first write), so no duplicate and no deletion.
func checkMoveWhileConverging(ctx context.Context, t *testing.T, f *shardFixture) {
	api := hoxtontest.NewServer(hoxtontest.Options{OrganisationID: "5f0c6a1e-0000-4000-8000-000000000009"})
	t.Cleanup(api.Close)
	const ns = "org-moving"
	var names []string
	for i := range 8 {
		names = append(names, fmt.Sprintf("store-%d", i))
	}
	api.SetLatency(200 * time.Millisecond)
	f.createOrganisationIn(ctx, ns, api, "a", names...)
	testenv.Eventually(t, 60*time.Second, "shard a creating the Sites", func() (bool, string) {
		n := len(api.Objects("sites"))
		return n > 0, fmt.Sprintf("%d sites", n)
	})
	converged := len(api.Objects("sites"))
	var objs []client.Object
	for _, name := range names {
		objs = append(objs, &v1alpha1.Site{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}})
	}
	objs = append(objs, &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "credentials"}})
	relabel(ctx, t, f, "b", objs...)
	f.restart("b")
	api.SetLatency(0)
	f.sitesInSync(ctx, 60*time.Second, ns, names...)
	t.Logf("moved with %d of %d Sites in HoxtonAi", converged, len(names))
	if n := len(api.Objects("sites")); n != len(names) {
		t.Errorf("HoxtonAi holds %d sites, want %d (no duplicate)", n, len(names))
	}
	if n := api.CountRequests("DELETE", ""); n != 0 {
		t.Errorf("%d deletions in HoxtonAi during the move", n)
	}
	if n := api.Revocations(); n != 0 {
		t.Errorf("%d token revocations: a shard treated the moved Connection as deleted", n)
	}
	// Each Site is written once by the shard that creates it, and at most once more
	// by the other, which reads it before it writes.
	if n := api.CountRequests("PUT", "/sites"); n > 2*len(names) {
		t.Errorf("%d Site writes for %d Sites", n, len(names))
	}
}
