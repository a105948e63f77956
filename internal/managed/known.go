package managed

import (
	"context"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// knownStates remembers, per object, what HoxtonAi held after the last read or known
// write (Adapter.Create and Update), until the object's next poll and only while the object is
// unchanged (same resourceVersion as this manager left it). A reconcile in between,
// such as one brought by a referenced object becoming ready, compares against it
// instead of reading again; the poll always reads.
type knownStates[S any] struct {
	m sync.Map // types.NamespacedName -> knownState[S]
}

type knownState[S any] struct {
	seen            S
	resourceVersion string
	until           time.Time
}

// pollMargin keeps the remembered state from covering the poll itself.
const pollMargin = time.Second

// get returns the remembered state of o, if it still holds.
func (k *knownStates[S]) get(key types.NamespacedName, o Object) (S, bool) {
	v, ok := k.m.Load(key)
	if !ok {
		var zero S
		return zero, false
	}
	st := v.(knownState[S])
	if st.resourceVersion != o.GetResourceVersion() || !time.Now().Before(st.until) {
		k.m.Delete(key)
		var zero S
		return zero, false
	}
	return st.seen, true
}

// remember keeps seen for o until shortly before the requeue res asks for; without a
// state, an error or a poll to come, it forgets o.
func (k *knownStates[S]) remember(key types.NamespacedName, o Object, seen *S, res ctrl.Result, err error) {
	if seen == nil || err != nil || res.RequeueAfter <= 2*pollMargin {
		k.m.Delete(key)
		return
	}
	k.m.Store(key, knownState[S]{seen: *seen, resourceVersion: o.GetResourceVersion(), until: time.Now().Add(res.RequeueAfter - pollMargin)})
}

// create creates through the adapter, noting in a what HoxtonAi holds after it when
// the adapter knows.
func (r *Reconciler[O, S]) create(ctx context.Context, a *attempt[O, S], c *hoxton.Client, refs Refs) (Created, error) {
	if err := r.markCreate(ctx, a); err != nil {
		return Created{}, err
	}
	created, seen, err := r.kind.Adapter.Create(ctx, c, a.obj, refs)
	if err == nil && created.ID == "" && !created.Found {
		err = Terminal("creating the %s answered no id", r.kind.Name)
	}
	if refused(err) {
		// Nothing was created, so an object the mark leads to is not this one's.
		r.clearMark(a.obj)
	}
	if err == nil && !created.Found {
		a.known = seen
	}
	return created, err
}

// updateKnown updates through the adapter, reporting whether the state after the
// write is known (then noted in a).
func (r *Reconciler[O, S]) updateKnown(ctx context.Context, a *attempt[O, S], c *hoxton.Client, refs Refs, obs Observation[S]) (bool, error) {
	obs, err := r.rotate(ctx, c, a.obj, refs, obs)
	if err != nil || obs.UpToDate() {
		return false, err
	}
	seen, err := r.kind.Adapter.Update(ctx, c, a.obj, refs, obs)
	a.known = seen
	return seen != nil, err
}
