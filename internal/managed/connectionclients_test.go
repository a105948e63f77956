package managed

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
)

// TestConnectionClientRefused: for a kind whose ids are OAuth client ids, an id a
// Connection authenticates with is neither observed, updated nor deleted: the object
// is Terminal naming the Connection (one of another namespace unnamed), and a
// Connection using the object's own credentials Secret is left out of the question.
func TestConnectionClientRefused(t *testing.T) {
	const id = "org-client"
	users := map[string][]ConnectionName{id: {
		{Kind: v1alpha1.ConnectionKindNamespaced, Namespace: testNS, Name: "default"},
		{Kind: v1alpha1.ConnectionKindNamespaced, Namespace: "elsewhere", Name: "secret-name"},
	}}
	guarded := func(e *env) {
		e.conns.clientUsers = users
		e.r.kind.ConnectionClientIDs = true
		e.r.kind.CredentialsSecret = func(*v1alpha1.Site) string { return "hq-credentials" }
		e.r.secrets = e.c
	}
	t.Run("manage", func(t *testing.T) {
		e := newEnv(t, newSite("hq", inSync(id)))
		guarded(e)
		if _, err := e.reconcile("hq"); err != nil {
			t.Fatalf("Reconcile: %v", err)
		}
		if ops := e.ad.ops(); slices.ContainsFunc(ops, func(op string) bool { return op != "resolve" }) {
			t.Errorf("adapter calls = %v, want none but reference resolution", ops)
		}
		want := `is the OAuth client Connection "default", a Connection in another namespace authenticates with`
		wantCond(t, e.get("hq"), conditions.TypeSynced, metav1.ConditionFalse, conditions.ReasonTerminal, "adopt: HoxtonAi Site "+id+" "+want)
		if got, want := e.conns.clientLookups, []types.NamespacedName{{Namespace: testNS, Name: "hq-credentials"}}; !slices.Equal(got, want) {
			t.Errorf("lookups left out %v, want the object's own Secret %v", got, want)
		}
	})
	t.Run("delete", func(t *testing.T) {
		e := newEnv(t, newSite("hq", inSync(id), deleting))
		guarded(e)
		if _, err := e.reconcile("hq"); err != nil {
			t.Fatalf("Reconcile: %v", err)
		}
		if n := len(e.ad.callsOf("delete")); n != 0 {
			t.Errorf("Delete called %d times for a Connection's client", n)
		}
		wantCond(t, e.get("hq"), conditions.TypeSynced, metav1.ConditionFalse, conditions.ReasonTerminal, "delete: ")
	})
	t.Run("unused", func(t *testing.T) {
		e := newEnv(t, newSite("hq", inSync("own-client")))
		guarded(e)
		e.ad.ObserveFn = func(*v1alpha1.Site) (obsT, error) { return obsT{Exists: true}, nil }
		if _, err := e.reconcile("hq"); err != nil {
			t.Fatalf("Reconcile: %v", err)
		}
		wantCond(t, e.get("hq"), conditions.TypeSynced, metav1.ConditionTrue, conditions.ReasonReconcileSuccess, "")
	})
}
