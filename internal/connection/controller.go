package connection

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// ReasonCheckFailed is the Ready reason of a check that failed before it reached
// HoxtonAi (the token state could not be read, for instance).
const ReasonCheckFailed = "CheckFailed"

// retryUnavailable is the longest wait before an unreachable token endpoint or API
// is tried again (outage.go).
const retryUnavailable = 30 * time.Second

// Reconciler checks a Connection or ClusterConnection: it builds the client, obtains a
// token, reads the organisation, and reports the outcome in the Ready condition.
type Reconciler[C Object] struct {
	client       client.Client
	resolver     *Resolver
	recorder     events.EventRecorder
	newObject    func() C
	pollInterval time.Duration
	// users counts the managed objects that use a Connection.
	users Users
	// releaseGrace bounds how long a ClusterConnection being deleted waits for the
	// objects that use it (zero: DefaultClusterReleaseGrace).
	releaseGrace time.Duration
	// checkTimeout bounds one check (zero: DefaultCheckTimeout).
	checkTimeout time.Duration
	// unavailableGrace is how long a Ready Connection stays Ready while its checks
	// cannot reach HoxtonAi (zero: DefaultUnavailableGrace).
	unavailableGrace time.Duration
	outages          outages
	// crds tells whether a deleted Connection goes with its CRD (uninstall.go).
	crds *managed.CRDs
}

// Users lists the managed objects that use the Connection ref (in namespace, or in
// every namespace for a ClusterConnection).
type Users func(ctx context.Context, namespace string, ref v1alpha1.ConnectionReference) ([]managed.ConnectionUser, error)

// InUseFinalizer keeps a Connection while managed objects use it: deleting those
// objects needs its credentials, and `kubectl delete -f` on a folder, or deleting an
// Argo CD application, deletes the Connection and its Secret at the same moment.
const InUseFinalizer = "hoxtonai.dev/connection-in-use"

// releaseCheckInterval is how often a Connection being deleted counts its users.
const releaseCheckInterval = 2 * time.Second

// DefaultClusterReleaseGrace is how long a ClusterConnection being deleted waits for
// the objects that use it. Those objects belong to tenants, and no tenant may keep
// the administrator's ClusterConnection (a finalizer of their own on a Site would
// otherwise hold it for ever); a namespaced Connection waits as long as it takes,
// since its users are of its own namespace.
const DefaultClusterReleaseGrace = 2 * time.Minute

// DefaultCheckTimeout bounds one check (token and organisation requests), so that no
// Connection holds a worker for long. The status is written after it, under the
// reconcile's own context, so that a timed-out check is still reported.
const DefaultCheckTimeout = 2 * time.Minute

// retrySecretNotFound is how soon a Connection whose Secret is missing looks again:
// the cache holds only labelled Secrets, so the creation of a new one is not seen.
const retrySecretNotFound = 10 * time.Second

// Reconcile checks one Connection and patches its status once.
func (r *Reconciler[C]) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	conn := r.newObject()
	if err := r.client.Get(ctx, req.NamespacedName, conn); err != nil {
		if apierrors.IsNotFound(err) {
			// Deleted (without our finalizer, or while the manager was down): drop its
			// client, token source and budget.
			conn.SetNamespace(req.Namespace)
			conn.SetName(req.Name)
			if moved, err := r.resolver.movedToAnotherShard(ctx, conn); moved || err != nil {
				if moved {
					r.resolver.forget(connectionKey(conn))
					r.outages.ended(connectionKey(conn))
				}
				return ctrl.Result{}, err
			}
			r.revokeUnlessUninstalled(ctx, conn, r.resolver.forget(connectionKey(conn)))
			r.outages.ended(connectionKey(conn))
			// Gone without its release (its finalizer removed by hand): its token
			// state must not outlive it.
			return ctrl.Result{}, r.resolver.releaseTokenState(ctx, conn)
		}
		return ctrl.Result{}, err
	}
	if conn.GetDeletionTimestamp() != nil {
		return r.release(ctx, conn)
	}
	if !controllerutil.ContainsFinalizer(conn, InUseFinalizer) {
		base := conn.DeepCopyObject().(C)
		controllerutil.AddFinalizer(conn, InUseFinalizer)
		if err := r.client.Patch(ctx, conn, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil {
			return ctrl.Result{}, err
		}
	}
	orig := conn.DeepCopyObject().(C)
	checkCtx, cancel := context.WithTimeout(ctx, cmp.Or(r.checkTimeout, DefaultCheckTimeout))
	res, checkErr := r.check(checkCtx, conn)
	cancel()
	st := conn.GetConnectionStatus()
	st.ObservedGeneration = conn.GetGeneration()
	if !equality.Semantic.DeepEqual(orig.GetConnectionStatus(), st) {
		if err := r.client.Status().Patch(ctx, conn, client.MergeFrom(orig)); err != nil {
			return ctrl.Result{}, errors.Join(checkErr, err)
		}
	}
	return res, checkErr
}

// release lets a deleted Connection go once no managed object uses it. Until then it
// keeps its Ready condition, its client and its token state, so those objects can
// still be deleted in HoxtonAi, and says what it waits for (TypeDeleting, and an
// event naming the objects). The token state is released last.
func (r *Reconciler[C]) release(ctx context.Context, conn C) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(conn, InUseFinalizer) {
		return ctrl.Result{}, nil
	}
	users, err := r.users(ctx, conn.GetNamespace(), conn.Reference())
	if err != nil {
		return ctrl.Result{}, err
	}
	n := len(users)
	if n > 0 && !r.graceOver(conn) {
		logf.FromContext(ctx).V(1).Info("deletion waits for the objects that use the Connection", "objects", n)
		if err := r.reportInUse(ctx, conn, users); err != nil {
			return ctrl.Result{}, err
		}
		return ctrl.Result{RequeueAfter: releaseCheckInterval}, nil
	}
	if n > 0 {
		r.recorder.Eventf(conn, nil, corev1.EventTypeWarning, "ReleasedInUse", "Delete",
			"deleted after %s although %d objects still use it: their deletion in HoxtonAi waits for a ClusterConnection of this name", r.grace(), n)
	}
	if err := r.resolver.releaseTokenState(ctx, conn); err != nil {
		return ctrl.Result{}, err
	}
	base := conn.DeepCopyObject().(C)
	controllerutil.RemoveFinalizer(conn, InUseFinalizer)
	if err := r.client.Patch(ctx, conn, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	// Revoked after the finalizer is gone: a failing revocation endpoint is an
	// event, never a Connection stuck in deletion.
	r.revokeUnlessUninstalled(ctx, conn, r.resolver.forget(connectionKey(conn)))
	return ctrl.Result{}, nil
}

// check verifies the credentials end to end and sets the Ready condition.
func (r *Reconciler[C]) check(ctx context.Context, conn C) (ctrl.Result, error) {
	st := conn.GetConnectionStatus()
	notReady := func(reason, msg string) {
		if conditions.Set(&st.Conditions, conn.GetGeneration(), conditions.TypeReady, false, reason, msg) {
			r.recorder.Eventf(conn, nil, corev1.EventTypeWarning, reason, "Check", "%s", msg)
		}
	}
	c, source, err := r.resolver.Client(ctx, conn)
	var cfg *ConfigError
	switch {
	case errors.As(err, &cfg) && cfg.Reason == conditions.ReasonSecretNotFound:
		notReady(cfg.Reason, cfg.Message)
		return ctrl.Result{RequeueAfter: retrySecretNotFound}, nil
	case errors.As(err, &cfg):
		notReady(cfg.Reason, cfg.Message)
		return ctrl.Result{}, nil // the Secret and spec watches bring the next check
	case err != nil:
		// Reported, so that a check that cannot even start says why; a Connection
		// Ready for its current spec stays so through a passing error of the
		// Kubernetes API, which the retry with backoff is for.
		if c := conditions.Get(st.Conditions, conditions.TypeReady); c == nil || c.Status != metav1.ConditionTrue || c.ObservedGeneration != conn.GetGeneration() {
			notReady(ReasonCheckFailed, fmt.Sprintf("the check failed: %s", describeError(err)))
		}
		return ctrl.Result{}, err
	}
	tok, err := source.Token(ctx)
	secretKey, _ := r.resolver.secretKeyOf(conn)
	r.reportSaved(conn, source, secretKey.String())
	switch {
	case auth.IsRejected(err):
		r.outages.ended(connectionKey(conn))
		if wait, ok := r.resolver.rejoinLineage(ctx, conn, source); ok {
			logf.FromContext(ctx).Info("another manager rotated the refresh token; continuing from the token state after a pause", "wait", wait)
			return ctrl.Result{RequeueAfter: wait}, nil
		}
		fallthrough
	case auth.IsCircuitOpen(err):
		notReady(conditions.ReasonCredentialsRejected, fmt.Sprintf("the token endpoint rejected the credentials in Secret %s: %v", secretKey, err))
		return ctrl.Result{RequeueAfter: r.pollInterval}, nil
	case err != nil:
		return r.unavailable(ctx, conn, conditions.ReasonTokenEndpointUnavailable, fmt.Sprintf("token endpoint: %v", err), notReady), nil
	}
	st.TokenExpiresAt = &metav1.Time{Time: tok.Expiry.UTC().Truncate(time.Second)}
	orgID := conn.GetParameters().OrganisationID
	org, err := c.GetOrganisation(ctx, orgID)
	if err == nil || hoxton.IsAuth(err) || hoxton.IsForbidden(err) || hoxton.IsNotFound(err) {
		r.outages.ended(connectionKey(conn)) // the check reached HoxtonAi, which answered
	}
	switch {
	case hoxton.IsAuth(err), hoxton.IsForbidden(err):
		// For the organisation itself, a 403 does mean these credentials cannot use it.
		notReady(conditions.ReasonCredentialsRejected, fmt.Sprintf("HoxtonAi refused these credentials access to organisation %s: %v", orgID, err))
		return ctrl.Result{RequeueAfter: r.pollInterval}, nil
	case hoxton.IsThrottled(err):
		// The budget is paused or spent (by this check or by the objects): the
		// Connection is no less Ready for it. Look again once the wait is over.
		wait, _ := hoxton.RetryAfter(err)
		return ctrl.Result{RequeueAfter: max(wait, time.Second)}, nil
	case hoxton.IsNotFound(err):
		notReady(conditions.ReasonOrganisationNotFound, fmt.Sprintf("organisation %s not found", orgID))
		return ctrl.Result{RequeueAfter: r.pollInterval}, nil
	case err != nil:
		return r.unavailable(ctx, conn, conditions.ReasonAPIUnavailable, fmt.Sprintf("HoxtonAi API: %v", err), notReady), nil
	}
	st.OrganisationName = org.Name
	st.Collections = collectionPolling(c.Sweeps())
	msg := fmt.Sprintf("token obtained; organisation %q", org.Name)
	if conditions.Set(&st.Conditions, conn.GetGeneration(), conditions.TypeReady, true, conditions.ReasonAvailable, msg) {
		r.recorder.Eventf(conn, nil, corev1.EventTypeNormal, conditions.ReasonAvailable, "Check", "%s", msg)
	}
	return ctrl.Result{RequeueAfter: r.pollInterval}, nil
}

// reportSaved sets the RefreshTokenSaved condition of a RefreshToken Connection.
func (r *Reconciler[C]) reportSaved(conn C, source *auth.Source, secret string) {
	if conn.GetParameters().Grant != v1alpha1.GrantRefreshToken {
		return
	}
	st := conn.GetConnectionStatus()
	ok, reason, msg := persistCondition(source, secret)
	if conditions.Set(&st.Conditions, conn.GetGeneration(), TypeRefreshTokenSaved, ok, reason, msg) && !ok {
		r.recorder.Eventf(conn, nil, corev1.EventTypeWarning, reason, "SaveRefreshToken", "%s", msg)
	}
}

// graceOver reports whether a ClusterConnection being deleted has waited long enough
// for its users. A namespaced Connection waits for them however long it takes.
func (r *Reconciler[C]) graceOver(conn C) bool {
	if conn.Reference().Kind != v1alpha1.ConnectionKindCluster || conn.GetDeletionTimestamp() == nil {
		return false
	}
	return time.Since(conn.GetDeletionTimestamp().Time) >= r.grace()
}

func (r *Reconciler[C]) grace() time.Duration {
	if r.releaseGrace > 0 {
		return r.releaseGrace
	}
	return DefaultClusterReleaseGrace
}

// describeError describes an error of the check for its status: a Kubernetes API
// error by its reason only (the messages of Secret requests can quote the data),
// any other as it is (the operator's own, which never carry credentials).
func describeError(err error) string {
	if _, ok := err.(apierrors.APIStatus); ok {
		return apiReason(err)
	}
	return err.Error()
}
