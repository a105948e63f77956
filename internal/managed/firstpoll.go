package managed

import (
	"math/rand/v2"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
)

// firstPolls remembers which objects this manager has reconciled since it started, so
// that a restart does not re-read every object at once: an object found in sync (at
// its generation) gets its first poll at a random point of its poll interval, which
// spreads the reads of a large fleet over the interval as they were before the
// restart. An object whose spec changed while no manager ran is reconciled at once.
type firstPolls struct {
	seen sync.Map // types.NamespacedName -> struct{}
}

// deferral returns how long to wait before the first poll of o, or 0 when o must be
// reconciled now: it was reconciled since the start already, or it is not in sync at
// its generation, or it is being deleted or has no finalizer yet.
func (f *firstPolls) deferral(key types.NamespacedName, o Object, poll time.Duration) time.Duration {
	if _, loaded := f.seen.LoadOrStore(key, struct{}{}); loaded || poll <= 0 {
		return 0
	}
	if !inSyncAtGeneration(o) {
		return 0
	}
	return time.Duration(rand.Int64N(int64(poll))) + time.Millisecond
}

// inSyncAtGeneration reports whether o's status says it is in sync with HoxtonAi at
// its current generation: a reconcile of it is a drift check (a poll), not work a
// user asked for.
func inSyncAtGeneration(o Object) bool {
	status := o.GetManagedStatus()
	return o.GetDeletionTimestamp() == nil && !isPaused(o) &&
		controllerutil.ContainsFinalizer(o, Finalizer) &&
		status.ObservedGeneration == o.GetGeneration() &&
		conditions.IsTrue(status.Conditions, conditions.TypeReady) &&
		syncedAt(status.Conditions, o.GetGeneration())
}

// forget drops an object that no longer exists.
func (f *firstPolls) forget(key types.NamespacedName) { f.seen.Delete(key) }

// syncedAt reports whether Synced is True for generation gen.
func syncedAt(conds []metav1.Condition, gen int64) bool {
	for _, c := range conds {
		if c.Type == conditions.TypeSynced {
			return c.Status == metav1.ConditionTrue && c.ObservedGeneration == gen
		}
	}
	return false
}

// firstPollDeferral is firstPolls.deferral when the options ask for it.
func (r *Reconciler[O, S]) firstPollDeferral(key types.NamespacedName, o O) time.Duration {
	if !r.opts.SpreadFirstPolls {
		return 0
	}
	return r.firstPolls.deferral(key, o, pollInterval(o, r.opts.PollInterval))
}
