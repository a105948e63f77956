package managed

import (
	"net/http"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// TestCreateFindsSkipsTheLookup: for a kind whose create finds what the organisation
// already holds (a camera claim answered 409), the reconciler creates an object in
// Manage mode without asking the adapter to look first; an ObserveOnly object, which
// is never created, is looked up. The adapter does not see the policy.
func TestCreateFindsSkipsTheLookup(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy v1alpha1.ManagementPolicy
		want   []string
	}{
		{"Manage", v1alpha1.ManagementPolicyManage, []string{"resolve", "create", "observe"}},
		{"ObserveOnly", v1alpha1.ManagementPolicyObserveOnly, []string{"resolve", "observe"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, newSite("cam", func(s *v1alpha1.Site) { s.Spec.ManagementPolicy = tc.policy }))
			e.r.kind.IDs, e.r.kind.CreateFinds = ServerAssignedID, true
			e.ad.CreateFn = func(*v1alpha1.Site) (string, error) { return "cam-1", nil }
			if _, err := e.reconcile("cam"); err != nil {
				t.Fatalf("Reconcile: %v", err)
			}
			if got := e.ad.ops(); !slices.Equal(got, tc.want) {
				t.Errorf("adapter calls = %v, want %v", got, tc.want)
			}
		})
	}

	// Without CreateFinds, a server-assigned kind looks before it creates (a user
	// found by its e-mail).
	e := newEnv(t, newSite("user"))
	e.r.kind.IDs = ServerAssignedID
	e.ad.ObserveFn = func(o *v1alpha1.Site) (obsT, error) { return obsT{Exists: o.Status.ExternalID != ""}, nil }
	e.ad.CreateFn = func(*v1alpha1.Site) (string, error) { return "user-1", nil }
	if _, err := e.reconcile("user"); err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	if got, want := e.ad.ops(), []string{"resolve", "observe", "create", "observe"}; !slices.Equal(got, want) {
		t.Errorf("adapter calls without CreateFinds = %v, want %v", got, want)
	}
}

// TestCreateMark: the reconciler persists the kind's create mark before the create,
// clears it when HoxtonAi refuses the create (nothing was created, so what the mark
// leads to is not this object's) or once the object is found, and keeps it when the
// outcome is unknown (a 5xx may have created the object).
func TestCreateMark(t *testing.T) {
	for _, tc := range []struct {
		name     string
		create   error
		wantMark string
	}{
		{"refused", &hoxton.APIError{StatusCode: http.StatusConflict, Method: http.MethodPost, Path: "/users"}, ""},
		{"unknown outcome", &hoxton.APIError{StatusCode: http.StatusBadGateway, Method: http.MethodPost, Path: "/users"}, "hq@example.com"},
		{"created and found", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, newSite("hq"))
			e.r.kind.IDs = ServerAssignedID
			// The mark lives in a status field of the test kind.
			e.r.kind.CreateMark = func(o *v1alpha1.Site) (*string, string) { return &o.Status.AtProvider.State, "hq@example.com" }
			found := false
			e.ad.ObserveFn = func(*v1alpha1.Site) (obsT, error) { return obsT{Exists: found}, nil }
			e.ad.CreateFn = func(*v1alpha1.Site) (string, error) {
				if got := e.get("hq").Status.AtProvider.State; got != "hq@example.com" {
					t.Errorf("stored mark at the create = %q, want it persisted before", got)
				}
				found = tc.create == nil
				return "user-1", tc.create
			}
			_, _ = e.reconcile("hq")
			if got := e.get("hq").Status.AtProvider.State; got != tc.wantMark {
				t.Errorf("stored mark after the reconcile = %q, want %q", got, tc.wantMark)
			}
		})
	}
}

// TestMayTakeOnlyItsOwn: an object found by the kind's own traces (a user by its
// e-mail) before this object recorded an id is taken only when this object's create
// mark names it or the spec adopts; another is refused before any write, in Manage
// and in ObserveOnly alike.
func TestMayTakeOnlyItsOwn(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mark    string
		adopt   bool
		policy  v1alpha1.ManagementPolicy
		refused bool
	}{
		{name: "another's", refused: true},
		{name: "another's, observed", policy: v1alpha1.ManagementPolicyObserveOnly, refused: true},
		{name: "its own create's", mark: "HQ@example.com"},
		{name: "adopted", adopt: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, newSite("hq", func(s *v1alpha1.Site) {
				s.Spec.ManagementPolicy = tc.policy
				s.Status.AtProvider.State = tc.mark
			}))
			e.r.kind.IDs = ServerAssignedID
			e.r.kind.CreateMark = func(o *v1alpha1.Site) (*string, string) { return &o.Status.AtProvider.State, "hq@example.com" }
			e.r.kind.AdoptExisting = func(*v1alpha1.Site) bool { return tc.adopt }
			e.ad.ObserveFn = func(*v1alpha1.Site) (obsT, error) {
				return obsT{Exists: true, FoundID: "user-7", Diff: diffOf("name")}, nil
			}
			_, _ = e.reconcile("hq")
			s := e.get("hq")
			wrote := slices.ContainsFunc(e.ad.ops(), func(op string) bool { return op == "create" || op == "update" })
			if tc.refused {
				if s.Status.ExternalID != "" || wrote {
					t.Errorf("another's object: externalID %q, adapter calls %v; want it refused before any write", s.Status.ExternalID, e.ad.ops())
				}
				wantCond(t, s, conditions.TypeSynced, metav1.ConditionFalse, conditions.ReasonTerminal, "HoxtonAi Site user-7 matches this object (hq@example.com) but was not created by it")
				return
			}
			if s.Status.ExternalID != "user-7" || s.Status.AtProvider.State != "" {
				t.Errorf("externalID %q, mark %q; want user-7 taken and the mark cleared", s.Status.ExternalID, s.Status.AtProvider.State)
			}
		})
	}
}

// TestTakeFound: a create that found the object already there (a claim answered 409)
// leaves it to the reconciler, which finds it with Observe, records it and updates
// it; one Observe cannot find belongs to another organisation and is Terminal.
func TestTakeFound(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ours    bool
		wantIDs string
	}{
		{"the organisation's own", true, "cam-3"},
		{"another organisation's", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, newSite("cam"))
			e.r.kind.IDs, e.r.kind.CreateFinds = ServerAssignedID, true
			e.ad.CreateFound = true
			e.ad.ObserveFn = func(o *v1alpha1.Site) (obsT, error) {
				if !tc.ours || len(e.ad.callsOf("create")) == 0 {
					return obsT{}, nil
				}
				return obsT{Exists: true, FoundID: "cam-3", Diff: diffOf("name")}, nil
			}
			_, _ = e.reconcile("cam")
			s := e.get("cam")
			if s.Status.ExternalID != tc.wantIDs {
				t.Errorf("externalID = %q, want %q", s.Status.ExternalID, tc.wantIDs)
			}
			if tc.ours {
				if got, want := e.ad.ops(), []string{"resolve", "create", "observe", "update", "observe"}; !slices.Equal(got, want) {
					t.Errorf("adapter calls = %v, want %v", got, want)
				}
				wantEvents(t, e.events(), "Normal Adopted found existing HoxtonAi Site cam-3", "Normal Updated")
				return
			}
			wantCond(t, s, conditions.TypeSynced, metav1.ConditionFalse, conditions.ReasonTerminal, "HoxtonAi answered that this Site exists already")
		})
	}
}

// TestCreateWithoutAnID: a create that succeeded without naming the object it made is
// Terminal, not an object recorded under an empty id that the next reconcile would
// create again.
func TestCreateWithoutAnID(t *testing.T) {
	e := newEnv(t, newSite("client"))
	e.r.kind.IDs = ServerAssignedID
	e.ad.ObserveFn = func(o *v1alpha1.Site) (obsT, error) { return obsT{Exists: o.Status.ExternalID != ""}, nil }
	e.ad.CreateFn = func(*v1alpha1.Site) (string, error) { return "", nil }
	_, _ = e.reconcile("client")
	wantCond(t, e.get("client"), conditions.TypeSynced, metav1.ConditionFalse, conditions.ReasonTerminal, "creating the Site answered no id")
}
