package managed

import (
	"errors"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

func siteAt(rv string) *v1alpha1.Site {
	return &v1alpha1.Site{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "s", ResourceVersion: rv}}
}

// TestKnownStateHoldsOnlyUntilThePollAndWhileUnchanged: what a write left is used
// instead of a read only for the object as this manager left it, and never for the
// poll itself, which must read so that a write HoxtonAi did not keep is reported.
func TestKnownStateHoldsOnlyUntilThePollAndWhileUnchanged(t *testing.T) {
	key := types.NamespacedName{Namespace: "ns", Name: "s"}
	seen := "written"
	poll := ctrl.Result{RequeueAfter: 10 * time.Minute}

	var k knownStates[string]
	k.remember(key, siteAt("5"), &seen, poll, nil)
	if got, ok := k.get(key, siteAt("5")); !ok || got != seen {
		t.Fatalf("unchanged object: got %q, %v; want the remembered state", got, ok)
	}
	if _, ok := k.get(key, siteAt("6")); ok {
		t.Fatalf("an object changed since (another resourceVersion) must be read")
	}

	k.remember(key, siteAt("5"), &seen, ctrl.Result{RequeueAfter: 2 * time.Second}, nil)
	if _, ok := k.get(key, siteAt("5")); ok {
		t.Fatalf("a state remembered for less than the margin before the poll must not cover the poll")
	}

	k.remember(key, siteAt("5"), &seen, poll, nil)
	k.remember(key, siteAt("5"), &seen, poll, errors.New("status patch failed"))
	if _, ok := k.get(key, siteAt("5")); ok {
		t.Fatalf("a reconcile that failed must forget the state")
	}

	k.remember(key, siteAt("5"), &seen, poll, nil)
	k.remember(key, siteAt("5"), nil, poll, nil)
	if _, ok := k.get(key, siteAt("5")); ok {
		t.Fatalf("a reconcile that knows nothing must forget the state")
	}

	k.m.Store(key, knownState[string]{seen: seen, resourceVersion: "5", until: time.Now().Add(-time.Second)})
	if _, ok := k.get(key, siteAt("5")); ok {
		t.Fatalf("the poll (past the remembered time) must read")
	}
}
