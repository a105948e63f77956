package managed

import (
	"net/http"
	"slices"
	"testing"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
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
