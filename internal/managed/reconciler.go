package managed

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// Connections hands out API clients for the Connection a managed object names.
type Connections interface {
	// ClientFor returns the client of a Ready Connection, or a reference.NotReadyError
	// naming why the Connection cannot be used yet.
	ClientFor(ctx context.Context, namespace string, ref v1alpha1.ConnectionReference) (*hoxton.Client, error)
	// ClientForDeletion is ClientFor for an object being deleted: a Connection being
	// deleted still serves it, with the credentials it kept.
	ClientForDeletion(ctx context.Context, namespace string, ref v1alpha1.ConnectionReference) (*hoxton.Client, error)
	// ReportAuthFailure tells the Connection that HoxtonAi rejected its credentials,
	// so that it re-checks them and reports the failure in its own status.
	ReportAuthFailure(namespace string, ref v1alpha1.ConnectionReference)
	// ConnectionsUsingClient names the Connections and ClusterConnections whose Secret
	// holds OAuth client id clientID, but for those using the Secret except.
	ConnectionsUsingClient(ctx context.Context, clientID string, except types.NamespacedName) ([]ConnectionName, error)
}

// Options are the settings every managed kind's reconciler shares.
type Options struct {
	// IDNamespace is the UUID namespace deterministic ids are derived in.
	IDNamespace uuid.UUID
	// PollInterval is how often an in-sync object is re-read (jittered ±10%).
	PollInterval time.Duration
	// MaxConcurrentReconciles per kind.
	MaxConcurrentReconciles int
	// MaxReconcilesPerConnection caps the reconciles of one Connection running at
	// once in a kind's controller, below MaxConcurrentReconciles, so that a slow
	// tenant API leaves workers to the others (fairness.go); zero means no cap.
	MaxReconcilesPerConnection int
	// SpreadFirstPolls gives an object found in sync at its generation its first poll
	// at a random point of the poll interval instead of at once, so that a restarted
	// manager does not re-read the whole fleet together (see firstPolls).
	SpreadFirstPolls bool
	// SecretWrites are the namespaces where the operator may write Secrets: a kind
	// that delivers credentials is refused elsewhere before any API call.
	SecretWrites SecretWrites
}

// reconcileTimeout bounds one reconcile, so that no request or wait can hold a worker
// for long; what is left is retried with backoff.
const reconcileTimeout = 2 * time.Minute

// Reconciler is the generic reconciler of one managed kind.
type Reconciler[O Object, S any] struct {
	kind   Kind[O, S]
	client client.Client
	reader client.Reader
	// secrets reads Secret contents uncached: the manager caches only their metadata.
	secrets client.Reader
	// crds tells whether an object being deleted goes with its CRD (uninstall.go).
	crds     crdChecker
	conns    Connections
	recorder events.EventRecorder
	opts     Options
	// firstPolls spreads the first polls of in-sync objects after a start.
	firstPolls firstPolls
	// known is what HoxtonAi held at the last read or known write, per object.
	known knownStates[S]
	// verified are the literal reference ids HoxtonAi confirmed (checkReferences).
	verified verifiedIDs
	// slots caps the concurrent reconciles per Connection.
	slots connectionSlots
}

// attempt is the state of one reconcile: the object as read (base of the status
// patch) and the object as it is being changed.
type attempt[O Object, S any] struct {
	orig, obj O
	// known is what HoxtonAi holds after this reconcile's read or write, when the
	// adapter is a Comparer; it is remembered until the next poll.
	known *S
	// gone is set once the finalizer is removed: the object may no longer exist, so
	// there is no status to patch.
	gone bool
	// adopting is set when this reconcile records spec.externalID for the first time.
	adopting bool
	// poll is set when the object was in sync at its generation: this reconcile is a
	// drift check, behind users' work in the queue and in the request budget.
	poll bool
}

// Reconcile is the lifecycle of one managed object, as a short list of steps. The
// status is patched once, in finish; only the finalizer and the external id are
// persisted as soon as they are known.
func (r *Reconciler[O, S]) Reconcile(parent context.Context, req ctrl.Request) (result ctrl.Result, err error) {
	ctx, cancel := context.WithTimeout(parent, reconcileTimeout)
	defer cancel()
	o := r.kind.New()
	if err := r.client.Get(ctx, req.NamespacedName, o); err != nil {
		if apierrors.IsNotFound(err) {
			r.firstPolls.forget(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if wait := r.firstPollDeferral(req.NamespacedName, o); wait > 0 {
		return ctrl.Result{RequeueAfter: wait, Priority: ptr.To(pollPriority)}, nil
	}
	poll := inSyncAtGeneration(o)
	release, retry := r.connectionSlot(o, poll)
	if release == nil {
		return requeue(retry, poll), nil
	}
	defer release()
	if poll {
		// Its requests wait in the poll lane of the Connection's budget.
		ctx = hoxton.WithPoll(ctx, pollInterval(o, r.opts.PollInterval))
	}
	a := &attempt[O, S]{orig: o.DeepCopyObject().(O), obj: o, poll: poll}
	// The status is written even when the reconcile ran out of time, so that it
	// says why.
	defer func() {
		result, err = r.finish(parent, a, result, err)
		r.known.remember(req.NamespacedName, a.obj, a.known, result, err)
	}()

	if handled, res, err := r.refuseOtherShard(ctx, a); handled {
		return res, err
	}
	switch {
	case isPaused(o):
		r.pause(a)
		return ctrl.Result{}, nil
	case o.GetDeletionTimestamp() != nil:
		return r.delete(ctx, a)
	}
	if err := r.ensureFinalizer(ctx, a); err != nil {
		return ctrl.Result{}, err
	}
	c, err := r.conns.ClientFor(ctx, o.GetNamespace(), o.GetManagedSpec().GetConnectionRef())
	if err != nil {
		return r.fail(a, "connection", err)
	}
	refs, err := r.resolve(ctx, o)
	if err == nil {
		err = checkReferences(ctx, c, &r.verified, r.kind.Name, o, r.kind.References, refs)
	}
	if err != nil {
		return r.fail(a, "references", err)
	}
	fresh := r.neverWritten(o)
	if err := r.assignID(ctx, a, c.OrganisationID()); err != nil {
		return r.fail(a, "adopt", err)
	}
	if err := r.refuseConnectionClient(ctx, o, o.GetManagedStatus().ExternalID); err != nil {
		return r.fail(a, "adopt", err)
	}
	obs, err := r.observe(ctx, a, c, refs, fresh, req.NamespacedName)
	if err != nil {
		return r.fail(a, "observe", err)
	}
	if err := r.recordFound(ctx, a, obs); err != nil {
		return r.fail(a, "adopt", err)
	}
	if o.GetManagedSpec().ManagementPolicy == v1alpha1.ManagementPolicyObserveOnly {
		return r.reportObserved(a, obs), nil
	}
	res, err := r.converge(ctx, a, c, refs, obs)
	if err == nil && len(refs.Pending()) > 0 && conditions.IsTrue(o.GetManagedStatus().Conditions, conditions.TypeSynced) {
		// The object is written; some of its links wait for their targets, whose
		// watches bring the next reconcile.
		r.setSynced(o, false, conditions.ReasonReferencesNotReady, "links wait for references: "+strings.Join(refs.Pending(), "; "))
	}
	return res, err
}

// resolve resolves the object's references and refuses a cycle of references to its
// own kind.
func (r *Reconciler[O, S]) resolve(ctx context.Context, o O) (Refs, error) {
	cycle, err := findCycle(ctx, r.reader, o, r.kind.Name, r.kind.New, r.kind.References)
	switch {
	case err != nil:
		return Refs{}, err
	case cycle != nil:
		return Refs{}, cycleError(r.kind.Name, cycle)
	}
	refs, err := resolveReferences(ctx, r.reader, o, r.kind.References)
	if err == nil && r.kind.Secrets != nil {
		refs.secrets, err = readSecrets(ctx, r.secrets, o.GetNamespace(), r.kind.Secrets(o))
	}
	if err == nil && r.kind.CredentialsSecret != nil && o.GetManagedSpec().ManagementPolicy != v1alpha1.ManagementPolicyObserveOnly {
		// Delivering credentials is a Secret write: refused before any API call
		// where the administrator does not allow one.
		err = r.opts.SecretWrites.Check(o.GetNamespace(), r.kind.Name+" "+o.GetName())
	}
	if err == nil && r.kind.CredentialsSecret != nil {
		refs.credentials, err = readCredentials(ctx, r.secrets, r.client, o, r.kind.Name, r.kind.CredentialsSecret(o))
	}
	if err == nil && r.kind.Rotation != nil && refs.credentials != nil {
		refs.credentials.record = r.kind.Rotation.Record(o)
	}
	return refs, err
}

// requeuePoll is the result of a reconcile that has nothing left to do until the next
// drift check.
func (r *Reconciler[O, S]) requeuePoll(o O) ctrl.Result {
	wait := pollInterval(o, r.opts.PollInterval)
	if o.GetDeletionTimestamp() != nil {
		// Someone waits for a deletion (kubectl, Argo CD, the Connection's release),
		// and what stopped it (a Connection that could not serve, a token) can come
		// back without an event this object watches.
		return ctrl.Result{RequeueAfter: jitter(min(wait, deletionRetry))}
	}
	return ctrl.Result{RequeueAfter: jitter(wait), Priority: ptr.To(pollPriority)}
}

// requeue is the result that tries a reconcile again after wait, a poll keeping its
// place behind users' work.
func requeue(wait time.Duration, poll bool) ctrl.Result {
	if poll {
		return ctrl.Result{RequeueAfter: wait, Priority: ptr.To(pollPriority)}
	}
	return ctrl.Result{RequeueAfter: wait}
}

// pollPriority is the work queue priority of a poll: below the events of users'
// changes, new objects and deletions (priority 0), so that when polls are due faster
// than the request budget allows, what users asked for goes first. An event for an
// object waiting for its poll raises it to 0 (controller-runtime's priority queue).
const pollPriority = handler.LowPriority

// deletionRetry is the longest an object being deleted waits before it tries again
// after a failure that would otherwise wait for its next poll.
const deletionRetry = 30 * time.Second

// recordFound persists an id the adapter discovered while observing (a camera found
// by its serial after a crash or a claim answered 409), so the next reconcile reads
// the object directly, unless another object manages it already.
func (r *Reconciler[O, S]) recordFound(ctx context.Context, a *attempt[O, S], obs Observation[S]) error {
	id := obs.FoundID
	if !obs.Exists || id == "" || id == a.obj.GetManagedStatus().ExternalID {
		return nil
	}
	if err := r.ensureUnmanaged(ctx, a.obj, id); err != nil {
		return err
	}
	if err := r.refuseConnectionClient(ctx, a.obj, id); err != nil {
		return err
	}
	a.obj.GetManagedStatus().ExternalID = id
	if err := r.persistExternalID(ctx, a); err != nil {
		return err
	}
	r.event(a.obj, eventNormal, ReasonAdopted, "Adopt", "found existing HoxtonAi %s %s", r.kind.Name, id)
	return nil
}

// neverWritten reports whether o is about to get its first, derived id, so that no
// write of this cluster can have used it yet.
func (r *Reconciler[O, S]) neverWritten(o O) bool {
	return r.kind.IDs == DeterministicID && o.GetManagedStatus().ExternalID == "" && o.GetManagedSpec().ExternalID == ""
}

// observe asks the adapter what HoxtonAi holds, except for an object in Manage mode
// whose create finds it anyway: a fresh one, whose create is an idempotent upsert with
// the derived id, and one of a kind whose create finds what the organisation holds
// (CreateFinds) that has no id yet. If the object does exist (a cluster rebuilt from
// the same Git created it), the create updates or finds it; after a crash following
// the first write the id is already recorded, so this shortcut is not taken. Between
// polls, a Comparer kind's object that nobody changed is compared with what was last
// read or written (knownStates) rather than read again.
func (r *Reconciler[O, S]) observe(ctx context.Context, a *attempt[O, S], c *hoxton.Client, refs Refs, fresh bool, key types.NamespacedName) (Observation[S], error) {
	o := a.obj
	createFinds := fresh || (r.kind.CreateFinds && o.GetManagedStatus().ExternalID == "")
	if createFinds && o.GetManagedSpec().ManagementPolicy != v1alpha1.ManagementPolicyObserveOnly {
		return Observation[S]{}, nil
	}
	cmp, comparer := r.kind.Adapter.(Comparer[O, S])
	if seen, ok := r.known.get(key, o); ok && comparer && o.GetDeletionTimestamp() == nil {
		a.known = &seen
		obs, err := cmp.Compare(o, refs, seen)
		if err != nil {
			return obs, err
		}
		return r.withPolicy(o, refs, obs)
	}
	obs, err := r.read(ctx, c, o, refs)
	if err == nil && obs.Exists && comparer {
		a.known = &obs.Observed
	}
	return obs, err
}
