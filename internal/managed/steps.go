package managed

import (
	"context"
	"fmt"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// ensureFinalizer adds the finalizer before anything is created in HoxtonAi, so that
// nothing created can outlive its Kubernetes object unnoticed.
func (r *Reconciler[O, S]) ensureFinalizer(ctx context.Context, a *attempt[O, S]) error {
	if controllerutil.ContainsFinalizer(a.obj, Finalizer) {
		return nil
	}
	base := a.obj.DeepCopyObject().(O)
	controllerutil.AddFinalizer(a.obj, Finalizer)
	// The optimistic lock keeps finalizers other controllers add concurrently.
	if err := r.client.Patch(ctx, a.obj, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil {
		return fmt.Errorf("adding finalizer: %w", err)
	}
	r.rebase(a)
	return nil
}

// removeFinalizer lets Kubernetes delete the object.
func (r *Reconciler[O, S]) removeFinalizer(ctx context.Context, a *attempt[O, S]) error {
	base := a.obj.DeepCopyObject().(O)
	controllerutil.RemoveFinalizer(a.obj, Finalizer)
	if err := r.client.Patch(ctx, a.obj, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil {
		return client.IgnoreNotFound(err)
	}
	a.gone = true
	return nil
}

// rebase makes the object as written the base of the final status patch, keeping the
// status changes made so far.
func (r *Reconciler[O, S]) rebase(a *attempt[O, S]) {
	status := *a.obj.GetManagedStatus()
	a.orig = a.obj.DeepCopyObject().(O)
	*a.orig.GetManagedStatus() = status
}

// assignID decides which HoxtonAi object this object is: the one it adopts
// (spec.externalID), the one it already manages (status.externalID), or for
// deterministic kinds the id derived from its identity in organisation org. A derived
// id is persisted before the first write, so that an empty status.externalID always
// means nothing was ever created (deletion then needs no API call).
func (r *Reconciler[O, S]) assignID(ctx context.Context, a *attempt[O, S], org string) error {
	spec, status := a.obj.GetManagedSpec(), a.obj.GetManagedStatus()
	switch {
	case spec.ExternalID != "" && status.ExternalID != "" && spec.ExternalID != status.ExternalID:
		// Switching would leave the object this one manages active and unmanaged.
		return Terminal("spec.externalID %s was added to an object that already manages HoxtonAi %s %s; "+
			"to adopt %s, delete this object with deletionPolicy Orphan (or let it delete %s) and create a new one with spec.externalID",
			spec.ExternalID, r.kind.Name, status.ExternalID, spec.ExternalID, status.ExternalID)
	case spec.ExternalID != "":
		if err := r.ensureUnmanaged(ctx, a.obj, spec.ExternalID); err != nil {
			return err
		}
		a.adopting = status.ExternalID != spec.ExternalID
		status.ExternalID = spec.ExternalID
	case status.ExternalID != "" || r.kind.IDs != DeterministicID:
		return nil
	default:
		status.ExternalID = DeterministicIDFor(r.opts.IDNamespace, org, r.kind.Name, a.obj.GetNamespace(), a.obj.GetName())
	}
	if a.orig.GetManagedStatus().ExternalID == status.ExternalID {
		return nil
	}
	return r.persistExternalID(ctx, a)
}

// ensureUnmanaged refuses to take on a HoxtonAi object that another object of the kind
// already manages: the two would overwrite each other at every poll, and deleting one
// would delete the other's object. The check reads the cache's index only.
func (r *Reconciler[O, S]) ensureUnmanaged(ctx context.Context, o O, id string) error {
	var holder string
	err := externalIDIndexOf[O]().each(ctx, r.reader, r.kind.NewList(), "", id, func(m O) {
		if holder == "" && m.GetUID() != o.GetUID() {
			holder = "another " + r.kind.Name + " in another namespace"
			if m.GetNamespace() == o.GetNamespace() {
				holder = fmt.Sprintf("%s %q", r.kind.Name, m.GetName())
			}
		}
	})
	if err != nil {
		return err
	}
	if holder != "" {
		return Terminal("HoxtonAi %s %s is already managed by %s; one HoxtonAi object can be managed by one object only", r.kind.Name, id, holder)
	}
	return nil
}

// persistExternalID writes status.externalID at once, not in the final patch: it is
// the one piece of state that must survive a crash right after the API call.
func (r *Reconciler[O, S]) persistExternalID(ctx context.Context, a *attempt[O, S]) error {
	written := a.orig.DeepCopyObject().(O)
	written.GetManagedStatus().ExternalID = a.obj.GetManagedStatus().ExternalID
	if err := r.client.Status().Patch(ctx, written, client.MergeFrom(a.orig)); err != nil {
		return fmt.Errorf("recording external id: %w", err)
	}
	a.orig = written
	a.obj.SetResourceVersion(written.GetResourceVersion())
	return nil
}

// persistStatus writes the status as it is now, for a mark that must be durable
// before the next API call (Kind.CreateMark).
func (r *Reconciler[O, S]) persistStatus(ctx context.Context, a *attempt[O, S]) error {
	if err := r.client.Status().Patch(ctx, a.obj, client.MergeFrom(a.orig)); err != nil {
		return fmt.Errorf("recording the status before a create: %w", err)
	}
	r.rebase(a)
	return nil
}

// converge creates or updates the HoxtonAi object as the observation requires.
func (r *Reconciler[O, S]) converge(ctx context.Context, a *attempt[O, S], c *hoxton.Client, refs Refs, obs Observation[S]) (ctrl.Result, error) {
	o := a.obj
	status := o.GetManagedStatus()
	if obs.Exists && a.adopting {
		// Announced before any update: an adopted object that differs from the spec
		// is adopted too, and the Updated event alone would not say so.
		r.event(o, eventNormal, ReasonAdopted, "Adopt", "adopted existing HoxtonAi %s %s", r.kind.Name, status.ExternalID)
	}
	switch {
	case !obs.Exists && o.GetManagedSpec().ExternalID != "":
		return r.fail(a, "adopt", &adoptionError{id: status.ExternalID})
	case !obs.Exists:
		created, err := r.create(ctx, a, c, refs)
		if err != nil {
			return r.fail(a, "create", err)
		}
		if created.Found {
			return r.takeFound(ctx, a, c, refs)
		}
		if created.ID != status.ExternalID {
			if err := r.ensureUnmanaged(ctx, o, created.ID); err != nil {
				return r.fail(a, "create", err)
			}
			status.ExternalID = created.ID
			if err := r.persistExternalID(ctx, a); err != nil {
				return ctrl.Result{}, err
			}
		}
		switch {
		case created.Existed:
			r.event(o, eventNormal, ReasonAdopted, "Adopt", "found existing HoxtonAi %s %s and made it match the spec", r.kind.Name, created.ID)
		default:
			r.event(o, eventNormal, ReasonCreated, "Create", "created HoxtonAi %s %s", r.kind.Name, created.ID)
		}
		if a.known != nil {
			return r.written(o), nil
		}
	case !obs.UpToDate():
		return r.update(ctx, a, c, refs, obs)
	default:
		r.setReady(o, true, conditions.ReasonAvailable, "")
		r.setSynced(o, true, conditions.ReasonReconcileSuccess, "")
		return r.requeuePoll(o), nil
	}
	return r.verify(ctx, a, c, refs)
}

// update makes the existing object match the spec, then verifies.
func (r *Reconciler[O, S]) update(ctx context.Context, a *attempt[O, S], c *hoxton.Client, refs Refs, obs Observation[S]) (ctrl.Result, error) {
	known, err := r.updateKnown(ctx, a, c, refs, obs)
	if err != nil {
		return r.fail(a, "update", err)
	}
	r.event(a.obj, eventNormal, ReasonUpdated, "Update", "updated HoxtonAi %s %s: %s", r.kind.Name, a.obj.GetManagedStatus().ExternalID, obs.Diff.String())
	if known {
		return r.written(a.obj), nil
	}
	return r.verify(ctx, a, c, refs)
}

// written reports a write whose result the adapter knows, without reading it back:
// HoxtonAi accepted the full state as sent. Should HoxtonAi not keep it, the next
// poll, which always reads, reports the difference and puts it back.
func (r *Reconciler[O, S]) written(o O) ctrl.Result {
	r.setReady(o, true, conditions.ReasonAvailable, "")
	r.setSynced(o, true, conditions.ReasonReconcileSuccess, "")
	return r.requeuePoll(o)
}

// verify reads the object back after a write: it fills the status with what HoxtonAi
// now reports (ids other objects resolve, such as a camera's position) and makes the
// status honest about a write that did not take effect.
func (r *Reconciler[O, S]) verify(ctx context.Context, a *attempt[O, S], c *hoxton.Client, refs Refs) (ctrl.Result, error) {
	o := a.obj
	obs, err := r.read(ctx, c, o, refs)
	switch {
	case err != nil:
		return r.fail(a, "read back", err)
	case !obs.Exists:
		return r.fail(a, "read back", fmt.Errorf("HoxtonAi %s %s is missing right after it was written", r.kind.Name, o.GetManagedStatus().ExternalID))
	case !obs.UpToDate():
		r.setReady(o, true, conditions.ReasonAvailable, "")
		r.setSynced(o, false, conditions.ReasonReconcileError, "HoxtonAi did not take the change: "+obs.Diff.String())
		return r.requeuePoll(o), nil
	}
	r.setReady(o, true, conditions.ReasonAvailable, "")
	r.setSynced(o, true, conditions.ReasonReconcileSuccess, "")
	return r.requeuePoll(o), nil
}

// reportObserved reports an ObserveOnly object: it never writes, only says what differs.
func (r *Reconciler[O, S]) reportObserved(a *attempt[O, S], obs Observation[S]) ctrl.Result {
	o := a.obj
	if obs.Exists && a.adopting {
		// Adopted by spec.externalID as in Manage mode, only never written.
		r.event(o, eventNormal, ReasonAdopted, "Adopt", "adopted existing HoxtonAi %s %s to observe it", r.kind.Name, o.GetManagedStatus().ExternalID)
	}
	switch {
	case !obs.Exists:
		r.setReady(o, false, conditions.ReasonUnavailable, fmt.Sprintf("no HoxtonAi %s %s to observe", r.kind.Name, o.GetManagedStatus().ExternalID))
		r.setSynced(o, false, conditions.ReasonDrifted, "the HoxtonAi object does not exist; managementPolicy ObserveOnly never creates it")
	case !obs.UpToDate():
		r.setReady(o, true, conditions.ReasonAvailable, "")
		if r.setSynced(o, false, conditions.ReasonDrifted, "HoxtonAi differs from the spec (ObserveOnly, not corrected): "+obs.Diff.String()) {
			r.event(o, eventWarning, ReasonDrifted, "Observe", "HoxtonAi %s %s differs from the spec: %s", r.kind.Name, o.GetManagedStatus().ExternalID, obs.Diff.String())
		}
	default:
		r.setReady(o, true, conditions.ReasonAvailable, "")
		r.setSynced(o, true, conditions.ReasonReconcileSuccess, "")
	}
	return r.requeuePoll(o)
}

// pause reports a paused object; it makes no API call at all.
func (r *Reconciler[O, S]) pause(a *attempt[O, S]) {
	r.setSynced(a.obj, false, conditions.ReasonPaused, "reconciliation is paused by the annotation "+AnnotationPaused+"; deletion waits for it to be removed")
}

// delete deletes or orphans the HoxtonAi object, then releases the finalizer. An
// object deleted because its CRD is being deleted is orphaned whatever its policy.
func (r *Reconciler[O, S]) delete(ctx context.Context, a *attempt[O, S]) (ctrl.Result, error) {
	o := a.obj
	if !controllerutil.ContainsFinalizer(o, Finalizer) {
		return ctrl.Result{}, nil
	}
	spec, id := o.GetManagedSpec(), o.GetManagedStatus().ExternalID
	if id == "" {
		// Adopted, and deleted before a reconcile recorded the id: adapters delete by
		// status.externalID.
		id = spec.ExternalID
		o.GetManagedStatus().ExternalID = id
	}
	switch {
	case id == "":
		// Nothing was ever created (see assignID).
	case spec.DeletionPolicy == v1alpha1.DeletionPolicyOrphan || spec.ManagementPolicy == v1alpha1.ManagementPolicyObserveOnly:
		r.event(o, eventNormal, ReasonOrphaned, "Delete", "left HoxtonAi %s %s in place (deletionPolicy %s, managementPolicy %s)", r.kind.Name, id, spec.DeletionPolicy, spec.ManagementPolicy)
	default:
		// Checked before anything else that could reach HoxtonAi: an uninstall that
		// deletes the CRDs must not delete the organisation (uninstall.go).
		if crd, going, err := r.crds.Going(ctx, o); err != nil || going {
			return r.uninstalled(ctx, a, crd, err)
		}
		r.setReady(o, false, conditions.ReasonDeleting, "")
		c, err := r.conns.ClientForDeletion(ctx, o.GetNamespace(), spec.GetConnectionRef())
		if err != nil {
			return r.fail(a, "delete", fmt.Errorf("%w; to remove this object without deleting HoxtonAi %s %s, set spec.deletionPolicy: Orphan", err, r.kind.Name, id))
		}
		if err := r.refuseConnectionClient(ctx, o, id); err != nil {
			return r.fail(a, "delete", err)
		}
		if err := hoxton.IgnoreGone(r.kind.Adapter.Delete(ctx, c, o)); err != nil {
			return r.fail(a, "delete", err)
		}
		r.event(o, eventNormal, ReasonDeleted, "Delete", "deleted HoxtonAi %s %s%s", r.kind.Name, id, r.kind.DeletionNote)
	}
	return ctrl.Result{}, r.removeFinalizer(ctx, a)
}

// adoptionError says spec.externalID names no HoxtonAi object.
type adoptionError struct{ id string }

func (e *adoptionError) Error() string {
	return fmt.Sprintf("spec.externalID %s: no such HoxtonAi object to adopt (it does not exist, was deleted, or belongs to another organisation)", e.id)
}
