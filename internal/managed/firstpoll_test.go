package managed

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
)

func inSyncSite(gen int64) *v1alpha1.Site {
	s := &v1alpha1.Site{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "s", Generation: gen, Finalizers: []string{Finalizer}}}
	s.Status.ObservedGeneration = gen
	conditions.Set(&s.Status.Conditions, gen, conditions.TypeReady, true, conditions.ReasonAvailable, "")
	conditions.Set(&s.Status.Conditions, gen, conditions.TypeSynced, true, conditions.ReasonReconcileSuccess, "")
	return s
}

func TestFirstPollOfAnInSyncObjectIsSpreadOverTheInterval(t *testing.T) {
	const poll = time.Minute
	var f firstPolls
	var earliest, latest time.Duration = poll, 0
	for i := range 200 {
		key := types.NamespacedName{Namespace: "ns", Name: string(rune('a'+i%26)) + time.Duration(i).String()}
		d := f.deferral(key, inSyncSite(3), poll)
		if d <= 0 || d > poll {
			t.Fatalf("deferral = %s, want within (0, %s]", d, poll)
		}
		earliest, latest = min(earliest, d), max(latest, d)
		if again := f.deferral(key, inSyncSite(3), poll); again != 0 {
			t.Fatalf("second reconcile deferred by %s, want at once", again)
		}
	}
	if earliest > poll/4 || latest < poll*3/4 {
		t.Errorf("deferrals span [%s, %s], want them spread over the interval", earliest, latest)
	}
}

func TestFirstPollIsAtOnceForChangedOrUnsyncedObjects(t *testing.T) {
	changed := inSyncSite(3)
	changed.Generation = 4 // spec changed while no manager ran
	unsynced := inSyncSite(3)
	conditions.Set(&unsynced.Status.Conditions, 3, conditions.TypeSynced, false, conditions.ReasonReconcileError, "boom")
	noFinalizer := inSyncSite(3)
	noFinalizer.Finalizers = nil
	deleting := inSyncSite(3)
	deleting.DeletionTimestamp = &metav1.Time{Time: time.Now()}
	for name, o := range map[string]*v1alpha1.Site{"changed": changed, "unsynced": unsynced, "no finalizer": noFinalizer, "deleting": deleting} {
		var f firstPolls
		if d := f.deferral(types.NamespacedName{Name: name}, o, time.Minute); d != 0 {
			t.Errorf("%s: deferred by %s, want reconciled at once", name, d)
		}
	}
}
