package managed

import (
	"errors"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/reference"
)

func TestDeletion(t *testing.T) {
	const id = "id-1"
	orphan := func(s *v1alpha1.Site) { s.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan }
	observeOnly := func(s *v1alpha1.Site) { s.Spec.ManagementPolicy = v1alpha1.ManagementPolicyObserveOnly }
	explicitDelete := func(s *v1alpha1.Site) { s.Spec.DeletionPolicy = v1alpha1.DeletionPolicyDelete }
	neverCreated := func(s *v1alpha1.Site) { s.Status.ExternalID = "" }
	tests := []struct {
		name      string
		site      *v1alpha1.Site
		deleteErr error
		connErr   error
		wantOps   []string
		wantConn  int // ClientFor calls
		wantGone  bool
		wantErr   bool
		events    []string
		synced    string // reason of Synced=False when the finalizer stays
	}{
		{name: "default policy deletes", site: newSite("hq", inSync(id), deleting),
			wantOps: []string{"delete"}, wantConn: 1, wantGone: true, events: []string{"Normal Deleted deleted HoxtonAi Site " + id}},
		{name: "Delete policy", site: newSite("hq", inSync(id), explicitDelete, deleting),
			wantOps: []string{"delete"}, wantConn: 1, wantGone: true, events: []string{"Normal Deleted deleted HoxtonAi Site " + id}},
		{name: "Orphan", site: newSite("hq", inSync(id), orphan, deleting),
			wantGone: true, events: []string{"Normal Orphaned left HoxtonAi Site " + id + " in place"}},
		{name: "ObserveOnly orphans", site: newSite("hq", inSync(id), observeOnly, deleting),
			wantGone: true, events: []string{"Normal Orphaned"}},
		{name: "never created", site: newSite("hq", inSync(id), neverCreated, deleting), connErr: errors.New("must not be asked"),
			wantGone: true},
		{name: "already 404", site: newSite("hq", inSync(id), deleting), deleteErr: &hoxton.APIError{StatusCode: 404},
			wantOps: []string{"delete"}, wantConn: 1, wantGone: true, events: []string{"Normal Deleted"}},
		{name: "already 410", site: newSite("hq", inSync(id), deleting), deleteErr: &hoxton.APIError{StatusCode: 410},
			wantOps: []string{"delete"}, wantConn: 1, wantGone: true, events: []string{"Normal Deleted"}},
		{name: "500 keeps finalizer", site: newSite("hq", inSync(id), deleting), deleteErr: &hoxton.APIError{StatusCode: 500},
			wantOps: []string{"delete"}, wantConn: 1, wantErr: true, events: []string{"Warning ReconcileError delete"}, synced: conditions.ReasonReconcileError},
		{name: "connection not ready keeps finalizer", site: newSite("hq", inSync(id), deleting),
			connErr:  &reference.NotReadyError{Missing: []string{`Connection "default" not found`}},
			wantConn: 1, synced: conditions.ReasonReferencesNotReady},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.site)
			e.conns.err = tc.connErr
			e.ad.DeleteFn = func(*v1alpha1.Site) error { return tc.deleteErr }
			res, err := e.reconcile("hq")
			if (err != nil) != tc.wantErr {
				t.Errorf("Reconcile error = %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr && !errors.Is(err, tc.deleteErr) {
				t.Errorf("Reconcile error = %v, want the adapter's %v", err, tc.deleteErr)
			}
			if got := e.ad.ops(); !slices.Equal(got, tc.wantOps) {
				t.Errorf("adapter calls = %v, want %v", got, tc.wantOps)
			}
			for _, c := range e.ad.callsOf("delete") {
				if c.id != id {
					t.Errorf("Delete saw externalID %q, want %q", c.id, id)
				}
			}
			// A deletion asks for the client a Connection being deleted still serves.
			if n, live := len(e.conns.clientForDeletion), len(e.conns.clientFor); n != tc.wantConn || live != 0 {
				t.Errorf("ClientForDeletion called %d times, ClientFor %d; want %d and 0", n, live, tc.wantConn)
			}
			wantEvents(t, e.events(), tc.events...)
			s := e.get("hq")
			if tc.wantGone {
				if s != nil {
					t.Errorf("object still exists with finalizers %v", s.Finalizers)
				}
				if res.RequeueAfter != 0 {
					t.Errorf("RequeueAfter = %v after the finalizer was removed, want 0", res.RequeueAfter)
				}
				return
			}
			if s == nil || !controllerutil.ContainsFinalizer(s, Finalizer) {
				t.Fatalf("finalizer removed although the HoxtonAi object was not deleted: %+v", s)
			}
			if err == nil && (res.RequeueAfter <= 0 || res.RequeueAfter > deletionRetry*11/10) {
				t.Errorf("RequeueAfter = %v for a deletion that failed, want at most %v (not the poll interval)", res.RequeueAfter, deletionRetry)
			}
			wantCond(t, s, conditions.TypeSynced, metav1.ConditionFalse, tc.synced, "delete: ")
			wantCond(t, s, conditions.TypeReady, metav1.ConditionFalse, conditions.ReasonDeleting, "")
		})
	}
}

func TestDeletionWithoutOurFinalizer(t *testing.T) {
	s := newSite("hq", inSync("id-1"), deleting)
	s.Finalizers = []string{"example.com/other"}
	e := newEnv(t, s)
	if _, err := e.reconcile("hq"); err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	if ops := e.ad.ops(); len(ops) != 0 {
		t.Errorf("adapter calls %v, want none", ops)
	}
	if got := e.get("hq"); got == nil || !slices.Equal(got.Finalizers, []string{"example.com/other"}) {
		t.Errorf("other finalizers not kept: %+v", got)
	}
}

// remote is a one-object HoxtonAi: Create stores under the id it is given.
type remote struct{ ids []string }

func (r *remote) install(e *env) {
	e.ad.ObserveFn = func(o *v1alpha1.Site) (obsT, error) {
		return obsT{Exists: slices.Contains(r.ids, o.Status.ExternalID)}, nil
	}
	e.ad.CreateFn = func(o *v1alpha1.Site) (string, error) {
		r.ids = append(r.ids, o.Status.ExternalID)
		return o.Status.ExternalID, nil
	}
}

func TestCrashSafetyDerivesSameID(t *testing.T) {
	wantID := DeterministicIDFor(DefaultIDNamespace, testOrg, "Site", testNS, "hq")
	tests := []struct {
		name       string
		failPatch  int32 // the status patch that fails (1: recording the id, 2: final)
		wantCreate []int // creates after reconcile 1 and 2
	}{
		{"final status patch fails after Create", 2, []int{1, 1}},
		{"recording the id fails before Create", 1, []int{0, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, newSite("hq"))
			var api remote
			api.install(e)
			e.failStatusPatch = func(n int32) error {
				if n == tc.failPatch {
					return errors.New("etcd unavailable")
				}
				return nil
			}
			if _, err := e.reconcile("hq"); err == nil {
				t.Fatal("first Reconcile: want the status patch error")
			}
			if n := len(e.ad.callsOf("create")); n != tc.wantCreate[0] {
				t.Errorf("creates after the failed reconcile = %d, want %d", n, tc.wantCreate[0])
			}
			if _, err := e.reconcile("hq"); err != nil {
				t.Fatalf("second Reconcile: %v", err)
			}
			if n := len(e.ad.callsOf("create")); n != tc.wantCreate[1] {
				t.Errorf("creates after the second reconcile = %d, want %d", n, tc.wantCreate[1])
			}
			for _, c := range e.ad.calls {
				if c.op != "resolve" && c.id != wantID {
					t.Errorf("%s saw externalID %q, want %q (one id across retries)", c.op, c.id, wantID)
				}
			}
			if len(api.ids) != 1 {
				t.Errorf("HoxtonAi holds %v, want exactly one object", api.ids)
			}
			s := e.get("hq")
			if s.Status.ExternalID != wantID {
				t.Errorf("status.externalID = %q, want %q", s.Status.ExternalID, wantID)
			}
			wantCond(t, s, conditions.TypeReady, metav1.ConditionTrue, conditions.ReasonAvailable, "")
		})
	}
}

func TestServerAssignedIDs(t *testing.T) {
	t.Run("Observe finds an id", func(t *testing.T) {
		e := newEnv(t, newSite("door"))
		e.r.kind.IDs = ServerAssignedID
		e.ad.ObserveFn = func(o *v1alpha1.Site) (obsT, error) {
			return obsT{Exists: true, FoundID: "srv-42"}, nil // found by serial
		}
		// The final status patch fails: the found id must already be stored.
		e.failStatusPatch = func(n int32) error {
			if n > 1 {
				return errors.New("etcd unavailable")
			}
			return nil
		}
		_, err := e.reconcile("door")
		if err == nil {
			t.Error("Reconcile: want the final status patch error")
		}
		if got, want := e.ad.ops(), []string{"resolve", "observe"}; !slices.Equal(got, want) {
			t.Errorf("adapter calls = %v, want %v (no Create of a found object)", got, want)
		}
		if obs := e.ad.callsOf("observe"); obs[0].id != "" {
			t.Errorf("first Observe saw externalID %q, want empty (no derived id for server-assigned kinds)", obs[0].id)
		}
		if s := e.get("door"); s.Status.ExternalID != "srv-42" {
			t.Errorf("stored status.externalID = %q, want srv-42 persisted at once", s.Status.ExternalID)
		}
		wantEvents(t, e.events(), "Normal Adopted found existing HoxtonAi Site srv-42")
	})
	t.Run("Create returns the id", func(t *testing.T) {
		e := newEnv(t, newSite("door"))
		e.r.kind.IDs = ServerAssignedID
		e.ad.ObserveFn = func(o *v1alpha1.Site) (obsT, error) {
			return obsT{Exists: o.Status.ExternalID != ""}, nil
		}
		e.ad.CreateFn = func(*v1alpha1.Site) (string, error) { return "srv-7", nil }
		if _, err := e.reconcile("door"); err != nil {
			t.Fatalf("Reconcile: %v", err)
		}
		if got, want := e.ad.ops(), []string{"resolve", "observe", "create", "observe"}; !slices.Equal(got, want) {
			t.Errorf("adapter calls = %v, want %v", got, want)
		}
		if c := e.ad.callsOf("create"); c[0].id != "" {
			t.Errorf("Create saw externalID %q, want empty", c[0].id)
		}
		s := e.get("door")
		if s.Status.ExternalID != "srv-7" {
			t.Errorf("status.externalID = %q, want srv-7", s.Status.ExternalID)
		}
		wantCond(t, s, conditions.TypeReady, metav1.ConditionTrue, conditions.ReasonAvailable, "")
		wantEvents(t, e.events(), "Normal Created created HoxtonAi Site srv-7")
	})
	t.Run("an id of an absent object is not adopted", func(t *testing.T) {
		e := newEnv(t, newSite("door"))
		e.r.kind.IDs = ServerAssignedID
		e.ad.ObserveFn = func(o *v1alpha1.Site) (obsT, error) {
			if o.Status.ExternalID == "" {
				o.Status.ExternalID = "stale"
				return obsT{}, nil
			}
			return obsT{Exists: true}, nil
		}
		e.ad.CreateFn = func(*v1alpha1.Site) (string, error) { return "srv-9", nil }
		if _, err := e.reconcile("door"); err != nil {
			t.Fatalf("Reconcile: %v", err)
		}
		if got := e.get("door").Status.ExternalID; got != "srv-9" {
			t.Errorf("status.externalID = %q, want srv-9", got)
		}
		wantEvents(t, e.events(), "Normal Created created HoxtonAi Site srv-9")
	})
}
