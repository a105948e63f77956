package argocd

import (
	"encoding/json"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
)

// argoFor is the Argo CD health each kstatus status must have, so that Flux, kpt or
// Config Sync and Argo CD tell the same story about an object.
var argoFor = map[status.Status][]string{
	status.CurrentStatus:    {"Healthy", "Suspended"},
	status.InProgressStatus: {"Progressing"},
	status.FailedStatus:     {"Degraded"},
}

// TestArgoCDAgreesWithKstatus builds the conditions the reconciler leaves for each
// Synced reason (through the same derivation it calls), and checks kstatus's verdict
// and the Argo CD health script's against each other and against what the reason means.
func TestArgoCDAgreesWithKstatus(t *testing.T) {
	cases := []struct {
		name          string
		ready, synced bool
		readyReason   string
		syncedReason  string
		want          status.Status
	}{
		{"in sync", true, true, conditions.ReasonAvailable, conditions.ReasonReconcileSuccess, status.CurrentStatus},
		{"terminal error", false, false, conditions.ReasonUnavailable, conditions.ReasonTerminal, status.FailedStatus},
		{"drift under ObserveOnly", true, false, conditions.ReasonAvailable, conditions.ReasonDrifted, status.FailedStatus},
		{"waiting for references", false, false, conditions.ReasonUnavailable, conditions.ReasonReferencesNotReady, status.InProgressStatus},
		{"retrying a transient error", true, false, conditions.ReasonAvailable, conditions.ReasonReconcileError, status.InProgressStatus},
		{"creating", false, true, conditions.ReasonCreating, conditions.ReasonReconcileSuccess, status.InProgressStatus},
		{"paused", true, false, conditions.ReasonAvailable, conditions.ReasonPaused, status.CurrentStatus},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := site(1, 1)
			conditions.Set(&s.Status.Conditions, 1, conditions.TypeReady, tc.ready, tc.readyReason, "ready message")
			conditions.Set(&s.Status.Conditions, 1, conditions.TypeSynced, tc.synced, tc.syncedReason, "synced message")
			conditions.DeriveProgress(&s.Status.Conditions, 1)

			data, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			u := &unstructured.Unstructured{}
			if err := u.UnmarshalJSON(data); err != nil {
				t.Fatal(err)
			}
			res, err := status.Compute(u)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.want {
				t.Fatalf("kstatus = %s (%s), want %s; conditions %v", res.Status, res.Message, tc.want, brief(s.Status.Conditions))
			}
			argo, msg := runHealth(t, "managed-health.lua", s)
			ok := false
			for _, h := range argoFor[res.Status] {
				ok = ok || h == argo
			}
			if !ok {
				t.Fatalf("kstatus %s but Argo CD %s (%s)", res.Status, argo, msg)
			}
		})
	}
}

func brief(conds []metav1.Condition) []string {
	out := make([]string, 0, len(conds))
	for _, c := range conds {
		out = append(out, c.Type+"="+string(c.Status)+"/"+c.Reason)
	}
	return out
}
