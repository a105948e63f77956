package managed

import (
	"net/http"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// The generic reconciler driving an Upserted declaration, against the fake API over
// HTTP and a fake Kubernetes client: the requests each step costs.

type groupEnv struct {
	t   *testing.T
	api *fakeAPI
	c   client.Client
	r   *Reconciler[*v1alpha1.NotificationGroup, Observed[hoxton.NotificationGroup]]
}

func newGroupEnv(t *testing.T, api *fakeAPI, objs ...client.Object) *groupEnv {
	t.Helper()
	c := fake.NewClientBuilder().WithScheme(newScheme(t)).
		WithStatusSubresource(&v1alpha1.NotificationGroup{}).WithObjects(objs...).
		WithIndex(&v1alpha1.NotificationGroup{}, externalIDIndex, externalIDIndexOf[*v1alpha1.NotificationGroup]().keys).Build()
	r := &Reconciler[*v1alpha1.NotificationGroup, Observed[hoxton.NotificationGroup]]{
		kind: groupKind(), client: c, reader: c, secrets: c, crds: &fakeCRDs{}, conns: &fakeConns{api: api.c},
		recorder: events.NewFakeRecorder(100), opts: Options{IDNamespace: DefaultIDNamespace, PollInterval: testPoll},
	}
	r.kind.Secrets = nil // no webhook: the test kind's body takes none here
	return &groupEnv{t: t, api: api, c: c, r: r}
}

func (e *groupEnv) reconcile(name string) ctrl.Result {
	e.t.Helper()
	res, err := e.r.Reconcile(e.t.Context(), ctrl.Request{NamespacedName: types.NamespacedName{Namespace: testNS, Name: name}})
	if err != nil {
		e.t.Fatalf("Reconcile %s: %v", name, err)
	}
	return res
}

func (e *groupEnv) get(name string) *v1alpha1.NotificationGroup {
	e.t.Helper()
	g := &v1alpha1.NotificationGroup{}
	if err := e.c.Get(e.t.Context(), types.NamespacedName{Namespace: testNS, Name: name}, g); err != nil {
		e.t.Fatal(err)
	}
	return g
}

// TestReconcileUpsertedRequestBudget: a new object costs its writes and no read; a
// reconcile before the next poll that finds nothing changed costs no request; a spec
// change reads once and writes only the object.
func TestReconcileUpsertedRequestBudget(t *testing.T) {
	api := newFakeAPI(t)
	childID := api.group("child")
	child := ready(newGroup("child", childID))
	parent := newGroup("parent", "", "child")
	e := newGroupEnv(t, api, child, parent)
	wantID := DeterministicIDFor(DefaultIDNamespace, api.srv.OrganisationID(), "NotificationGroup", testNS, "parent")

	api.srv.ResetRequests()
	wantPollRequeue(t, e.reconcile("parent"), testPoll)
	if g, p := api.calls(http.MethodGet, ""), api.calls(http.MethodPut, ""); g != 0 || p != 2 {
		t.Errorf("the first reconcile sent %d GETs and %d PUTs, want 0 and 2 (the group, its link)", g, p)
	}
	got := e.get("parent")
	if got.Status.ExternalID != wantID || !conditions.IsTrue(got.Status.Conditions, conditions.TypeReady) {
		t.Fatalf("status = %+v, want Ready with id %s", got.Status, wantID)
	}
	if links := got.Status.AtProvider.ChildGroups; len(links) != 1 || links[0].TargetID != childID {
		t.Errorf("status.atProvider.childGroups = %+v, want the link to %s", links, childID)
	}

	api.srv.ResetRequests()
	e.reconcile("parent")
	if n := len(api.srv.Requests()); n != 0 {
		t.Errorf("a reconcile between polls with nothing changed sent %d requests, want none", n)
	}

	got.Spec.Name = "Renamed"
	got.Generation++
	if err := e.c.Update(t.Context(), got); err != nil {
		t.Fatal(err)
	}
	api.srv.ResetRequests()
	e.reconcile("parent")
	if g, p, l := api.calls(http.MethodGet, ""), api.calls(http.MethodPut, groups), api.calls(http.MethodPut, groupLinks); g != 2 || p != 1 || l != 0 {
		t.Errorf("a renamed group cost %d GETs, %d group PUTs, %d link PUTs; want 2 (group, links), 1, 0", g, p, l)
	}
	if stored, _ := api.srv.Object("notification-groups", wantID); stored["name"] != "Renamed" {
		t.Errorf("HoxtonAi holds name %v", stored["name"])
	}
	if s := e.get("parent"); !conditions.IsTrue(s.Status.Conditions, conditions.TypeSynced) || s.Status.ObservedGeneration != got.Generation {
		t.Errorf("status after the update = %+v", s.Status)
	}
}

// TestReconcileUpsertedPendingLinks: a child that is not Ready yet leaves the group
// created, links to ready children made, and Synced False naming the one waiting.
func TestReconcileUpsertedPendingLinks(t *testing.T) {
	api := newFakeAPI(t)
	readyID := api.group("ready")
	e := newGroupEnv(t, api, ready(newGroup("ready", readyID)), newGroup("waiting", ""), newGroup("parent", "", "ready", "waiting"))

	e.reconcile("parent")
	got := e.get("parent")
	if links := api.links(hoxton.NotificationGroupLinks, got.Status.ExternalID); len(links) != 1 || links[0].Target != readyID {
		t.Errorf("links = %v, want only the one to the ready child", targetsOf(links))
	}
	c := conditions.Get(got.Status.Conditions, conditions.TypeSynced)
	if c == nil || c.Status != metav1.ConditionFalse || c.Reason != conditions.ReasonReferencesNotReady {
		t.Fatalf("Synced = %+v, want False/%s", c, conditions.ReasonReferencesNotReady)
	}
	if !strings.Contains(c.Message, `NotificationGroup "waiting" is not Ready`) {
		t.Errorf("Synced message %q does not name the waiting child", c.Message)
	}
}
