package managed

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/reference"
)

// Event reasons, typed so that users can filter on them.
const (
	ReasonCreated        = "Created"
	ReasonUpdated        = "Updated"
	ReasonDeleted        = "Deleted"
	ReasonOrphaned       = "Orphaned"
	ReasonAdopted        = "Adopted"
	ReasonDrifted        = "Drifted"
	ReasonTerminalError  = "TerminalError"
	ReasonReconcileError = "ReconcileError"
)

const (
	eventNormal  = corev1.EventTypeNormal
	eventWarning = corev1.EventTypeWarning
)

// minThrottleWait keeps a Retry-After of zero from turning into a hot loop.
const minThrottleWait = time.Second

// fail maps an error to conditions, an event and a requeue: the one place where the
// error classes of the client become outcomes.
//
//   - references not ready: Synced=False/ReferencesNotReady, wait for the watch;
//   - Terminal (400/409/422, Gone, adoption of nothing): Synced=False/Terminal with the
//     service's message, no retry until the next poll or a spec change;
//   - Forbidden (403): this one object is outside the organisation or role of the
//     credentials: Synced=False/Forbidden, like Terminal, and the Connection is left
//     alone, since its other objects are unaffected;
//   - Throttled: retry after Retry-After;
//   - Auth: reported here and on the Connection, retried at the next poll;
//   - Transient and anything else: returned, so the work queue backs off exponentially.
func (r *Reconciler[O, S]) fail(a *attempt[O, S], action string, err error) (ctrl.Result, error) {
	o := a.obj
	if !conditions.IsTrue(o.GetManagedStatus().Conditions, conditions.TypeReady) && o.GetDeletionTimestamp() == nil {
		r.setReady(o, false, conditions.ReasonUnavailable, "not available in HoxtonAi yet")
	}
	msg := fmt.Sprintf("%s: %v", action, err)
	var adopt *adoptionError
	var terminal *TerminalError
	switch {
	case reference.IsNotReady(err):
		r.setSynced(o, false, conditions.ReasonReferencesNotReady, msg)
		return r.requeuePoll(o), nil
	case hoxton.IsForbidden(err):
		if r.setSynced(o, false, conditions.ReasonForbidden, msg+"; the Connection's credentials may not act on this HoxtonAi object (another organisation's, or outside their role)") {
			r.event(o, eventWarning, conditions.ReasonForbidden, action, "%s", msg)
		}
		return r.requeuePoll(o), nil
	case errors.As(err, &adopt), errors.As(err, &terminal), hoxton.IsTerminal(err), hoxton.IsConflict(err), hoxton.IsGone(err):
		if hoxton.IsGone(err) {
			msg = fmt.Sprintf("%s: HoxtonAi object %s was deleted outside the operator and its id cannot be reused; "+
				"recreate this object under another name, or adopt another HoxtonAi object with spec.externalID (%v)",
				action, o.GetManagedStatus().ExternalID, err)
		}
		if r.setSynced(o, false, conditions.ReasonTerminal, msg) {
			r.event(o, eventWarning, ReasonTerminalError, action, "%s", msg)
		}
		return r.requeuePoll(o), nil
	case hoxton.IsThrottled(err):
		wait, _ := hoxton.RetryAfter(err)
		if a.poll && hoxton.IsRateWait(err) {
			// A poll the Connection's own rate limit put off has found nothing: the
			// object is as it was reported, and tries again behind users' work. A
			// pause the service asked for is reported, as any throttling.
			return requeue(max(wait, minThrottleWait)+jitter(minThrottleWait), true), nil
		}
		r.setSynced(o, false, conditions.ReasonReconcileError, msg)
		return ctrl.Result{RequeueAfter: max(wait, minThrottleWait) + jitter(minThrottleWait)}, nil
	case hoxton.IsAuth(err):
		r.conns.ReportAuthFailure(o.GetNamespace(), o.GetManagedSpec().GetConnectionRef())
		if r.setSynced(o, false, conditions.ReasonReconcileError, msg) {
			r.event(o, eventWarning, conditions.ReasonCredentialsRejected, action, "%s", msg)
		}
		return r.requeuePoll(o), nil
	default:
		if r.setSynced(o, false, conditions.ReasonReconcileError, msg) {
			r.event(o, eventWarning, ReasonReconcileError, action, "%s", msg)
		}
		return ctrl.Result{}, err
	}
}

// finish stamps the generation and patches the status once, if anything changed. In
// steady state nothing changes, so nothing is written.
func (r *Reconciler[O, S]) finish(ctx context.Context, a *attempt[O, S], res ctrl.Result, err error) (ctrl.Result, error) {
	if a.gone {
		return res, err
	}
	a.obj.GetManagedStatus().ObservedGeneration = a.obj.GetGeneration()
	r.recordOutcome(a.obj)
	r.logOutcome(ctx, a.obj, res, err)
	if equality.Semantic.DeepEqual(a.orig, a.obj) {
		return res, err
	}
	if perr := r.client.Status().Patch(ctx, a.obj, client.MergeFrom(a.orig)); perr != nil && client.IgnoreNotFound(perr) != nil {
		logf.FromContext(ctx).Error(perr, "patching status")
		// The work queue's backoff retries it; a RequeueAfter beside an error would
		// only be ignored, with a warning in the log.
		return ctrl.Result{}, errors.Join(err, perr)
	}
	return res, err
}

// logOutcome logs, at V(1), how a reconcile ended: its Synced reason and when the
// object comes back, the trail to follow when an object seems to wait for nothing.
// The condition messages are those of the status, which hold no secret.
func (r *Reconciler[O, S]) logOutcome(ctx context.Context, o O, res ctrl.Result, err error) {
	log := logf.FromContext(ctx).V(1)
	if !log.Enabled() {
		return
	}
	synced := ""
	if c := conditions.Get(o.GetManagedStatus().Conditions, conditions.TypeSynced); c != nil {
		synced = c.Reason
	}
	log.Info("reconciled", "synced", synced, "requeueAfter", res.RequeueAfter, "failed", err != nil)
}

// setReady sets the Ready condition; it reports whether it changed.
func (r *Reconciler[O, S]) setReady(o O, ready bool, reason, msg string) bool {
	return conditions.Set(&o.GetManagedStatus().Conditions, o.GetGeneration(), conditions.TypeReady, ready, reason, msg)
}

// setSynced sets the Synced condition; it reports whether it changed, so that
// warnings become events once per change rather than once per retry.
func (r *Reconciler[O, S]) setSynced(o O, synced bool, reason, msg string) bool {
	return conditions.Set(&o.GetManagedStatus().Conditions, o.GetGeneration(), conditions.TypeSynced, synced, reason, msg)
}

// event records a Kubernetes Event on o. The note is cut to the API server's limit,
// which would otherwise reject the event, and the event would be lost.
func (r *Reconciler[O, S]) event(o O, eventType, reason, action, format string, args ...any) {
	r.recorder.Eventf(o, nil, eventType, reason, action, "%s", conditions.Truncate(fmt.Sprintf(format, args...), maxEventNote))
}

// maxEventNote is the API server's limit on an event's note (1 KiB).
const maxEventNote = 1024
