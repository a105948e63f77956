package conditions

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestDeriveProgress(t *testing.T) {
	type cond struct {
		status bool
		reason string
	}
	cases := []struct {
		name            string
		ready, synced   *cond
		wantReconciling string // reason, "" = absent
		wantStalled     string
	}{
		{"in sync", &cond{true, ReasonAvailable}, &cond{true, ReasonReconcileSuccess}, "", ""},
		{"terminal", &cond{false, ReasonUnavailable}, &cond{false, ReasonTerminal}, "", ReasonTerminal},
		{"terminal on an existing object", &cond{true, ReasonAvailable}, &cond{false, ReasonTerminal}, "", ReasonTerminal},
		{"drift under ObserveOnly", &cond{true, ReasonAvailable}, &cond{false, ReasonDrifted}, "", ReasonDrifted},
		{"waiting for references", &cond{false, ReasonUnavailable}, &cond{false, ReasonReferencesNotReady}, ReasonReferencesNotReady, ""},
		{"transient error", &cond{true, ReasonAvailable}, &cond{false, ReasonReconcileError}, ReasonReconcileError, ""},
		{"paused", nil, &cond{false, ReasonPaused}, "", ""},
		{"deleting", &cond{false, ReasonDeleting}, &cond{true, ReasonReconcileSuccess}, ReasonDeleting, ""},
		{"nothing reported", nil, nil, ReasonCreating, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var conds []metav1.Condition
			if tc.ready != nil {
				Set(&conds, 2, TypeReady, tc.ready.status, tc.ready.reason, "ready says")
			}
			if tc.synced != nil {
				Set(&conds, 2, TypeSynced, tc.synced.status, tc.synced.reason, "synced says")
			}
			// A stale opposite condition must go: an object that recovers is no
			// longer Stalled, one that fails is no longer Reconciling.
			Set(&conds, 1, TypeStalled, true, ReasonTerminal, "old")
			Set(&conds, 1, TypeReconciling, true, ReasonCreating, "old")
			DeriveProgress(&conds, 2)
			check := func(condType, want string) {
				c := Get(conds, condType)
				switch {
				case want == "" && c != nil:
					t.Errorf("%s = %+v, want absent", condType, c)
				case want != "" && (c == nil || c.Status != metav1.ConditionTrue || c.Reason != want || c.ObservedGeneration != 2):
					t.Errorf("%s = %+v, want True/%s at generation 2", condType, c, want)
				}
			}
			check(TypeReconciling, tc.wantReconciling)
			check(TypeStalled, tc.wantStalled)
			if DeriveProgress(&conds, 2) {
				t.Error("a second derivation reported a change: steady state would patch the status")
			}
		})
	}
}

func TestDeriveProgressCopiesTheMessage(t *testing.T) {
	var conds []metav1.Condition
	Set(&conds, 1, TypeReady, false, ReasonUnavailable, "")
	Set(&conds, 1, TypeSynced, false, ReasonTerminal, "create: 422 site does not exist")
	if !DeriveProgress(&conds, 1) {
		t.Fatal("no change reported")
	}
	if got := Get(conds, TypeStalled).Message; got != "create: 422 site does not exist" {
		t.Fatalf("Stalled message = %q", got)
	}
}
