package managed

import (
	"context"
	"errors"
	"strings"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// The reconciler's policy for kinds whose ids the service chooses: what a create
// found instead of creating (Created.Found), and the create mark that tells an
// object this object's own create made from one that was there before
// (Kind.CreateMark, Kind.AdoptExisting).

// takeFound takes on the object a create found already there and did not write (a
// camera claim answered 409): Observe finds it by the kind's own traces, and it is
// recorded, once no other object manages it, and updated like any existing object.
// One that Observe cannot find is another organisation's.
func (r *Reconciler[O, S]) takeFound(ctx context.Context, a *attempt[O, S], c *hoxton.Client, refs Refs) (ctrl.Result, error) {
	found, err := r.read(ctx, c, a.obj, refs)
	switch {
	case err != nil:
		return r.fail(a, "observe", err)
	case !found.Exists || found.FoundID == "":
		return r.fail(a, "create", Terminal("HoxtonAi answered that this %s exists already, but the organisation holds none like it: "+
			"it belongs to another organisation", r.kind.Name))
	}
	if err := r.recordFound(ctx, a, found); err != nil {
		return r.fail(a, "adopt", err)
	}
	if !found.UpToDate() {
		return r.update(ctx, a, c, refs, found)
	}
	return r.verify(ctx, a, c, refs)
}

// markCreate writes the kind's create mark into o's status and persists it, before
// the create it announces.
func (r *Reconciler[O, S]) markCreate(ctx context.Context, a *attempt[O, S]) error {
	if r.kind.CreateMark == nil {
		return nil
	}
	field, mark := r.kind.CreateMark(a.obj)
	*field = mark
	return r.persistStatus(ctx, a)
}

// clearMark clears the kind's create mark in o's status.
func (r *Reconciler[O, S]) clearMark(o O) {
	if r.kind.CreateMark != nil {
		field, _ := r.kind.CreateMark(o)
		*field = ""
	}
}

// mayTake refuses, before any write, an object that Observe found by the kind's own
// traces (a user's e-mail) for an object that has recorded no id yet, unless this
// object's create made it (its mark names it) or the spec adopts existing objects:
// another person's account is never taken over. Once found and allowed, the object's
// id is recorded from now on, so the mark is cleared.
func (k Kind[O, S]) mayTake(o O, obs Observation[S]) error {
	if k.CreateMark == nil || !obs.Exists {
		return nil
	}
	field, mark := k.CreateMark(o)
	if obs.FoundID != "" && o.GetManagedStatus().ExternalID == "" && !strings.EqualFold(*field, mark) &&
		(k.AdoptExisting == nil || !k.AdoptExisting(o)) {
		return Terminal("HoxtonAi %s %s matches this object (%s) but was not created by it; nothing was written to HoxtonAi. "+
			"To manage it, set spec.adoptExisting: true", k.Name, obs.FoundID, mark)
	}
	*field = ""
	return nil
}

// refused reports whether HoxtonAi refused a request (4xx), so that it did nothing.
func refused(err error) bool {
	var apiErr *hoxton.APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode >= 400 && apiErr.StatusCode < 500
}
