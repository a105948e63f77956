// Package managed holds the one generic reconciler every managed kind uses, and the
// declarations a kind is made of. It owns the whole lifecycle of a HoxtonAi object:
// finalizer, deletion and orphaning, adoption by spec.externalID, ObserveOnly, pause,
// references (resolved, watched and gated), deterministic ids, links, secret rotation,
// drift correction on a jittered poll, error classification, events, and a single
// status patch per reconcile. A kind contributes a Kind: either an Upserted declaration
// (the PUT body, the managed fields, the link sets, the export) or, for the three kinds
// whose API differs (Camera, User, OAuthClient), a hand-written Adapter that maps to and
// from the API and declares its policy needs on the Kind.
package managed

import (
	"context"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// Object is a managed kind: a Kubernetes object embedding ManagedSpec and ManagedStatus.
type Object interface {
	client.Object
	GetManagedSpec() *v1alpha1.ManagedSpec
	GetManagedStatus() *v1alpha1.ManagedStatus
}

// Observation is what an adapter found in HoxtonAi. S is the adapter's own record of
// what it read, handed back to Update so that it writes only what differs without
// reading the object again.
type Observation[S any] struct {
	// Exists is false when the object is absent or gone (404, 410, state deleted).
	Exists bool
	// FoundID is the id of an object found by other means than status.externalID (a
	// camera found by its serial after a crash). The reconciler records it, after
	// checking that no other object manages it.
	FoundID string
	// Observed is what the adapter read.
	Observed S
	// Diff is how HoxtonAi differs from the spec; empty means up to date.
	Diff Diff
}

// UpToDate reports whether the HoxtonAi object matches the spec.
func (o Observation[S]) UpToDate() bool { return len(o.Diff) == 0 }

// Adapter connects one kind to the HoxtonAi API. It makes API calls and maps fields;
// every lifecycle decision is the reconciler's (ObserveOnly, adoption, secret
// rotation and its status). It may write read-only fields into the object's status
// (atProvider), never status.externalID.
type Adapter[O Object, S any] interface {
	// Observe reads the HoxtonAi object whose id is o's status.externalID, or, while
	// that is empty, finds the one this object created or may take on by the kind's
	// own traces (FoundID). Gone or absent is Exists=false with a nil error.
	Observe(ctx context.Context, c *hoxton.Client, o O, refs Refs) (Observation[S], error)
	// Create creates the object (for kinds with deterministic ids, under the id already
	// in status.externalID). It returns what HoxtonAi holds after it, reported in o's
	// status as Observe would, or nil when that is not known: then the reconciler
	// reads the object back.
	Create(ctx context.Context, c *hoxton.Client, o O, refs Refs) (Created, *S, error)
	// Update makes the existing object match the spec, writing only what obs, what
	// Observe returned, found different; like Create it returns what HoxtonAi now
	// holds, or nil when unknown.
	Update(ctx context.Context, c *hoxton.Client, o O, refs Refs, obs Observation[S]) (*S, error)
	// Delete deletes the object (and what it owns); absent or already gone is success.
	Delete(ctx context.Context, c *hoxton.Client, o O) error
}

// Created is what Create did.
type Created struct {
	// ID of the object.
	ID string
	// Existed is true when the object was already there and Create made it match
	// (an upsert answered 204 for an object an earlier cluster created), so that
	// events say so.
	Existed bool
	// Found is true, and ID empty, when Create found the object already there and
	// wrote nothing (a camera claim answered 409): the reconciler finds it with
	// Observe, records its id once no other object manages it, and updates it.
	Found bool
}

// Comparer is implemented by adapters whose writes return what HoxtonAi holds (an
// upsert of the full body answered 201 or 204, links created as listed), so that the
// reconciler does not read an object again when only its references changed: it
// compares the spec with what it last read or wrote. The poll always reads, so a
// write that HoxtonAi did not keep, or a change made in HoxtonAi, is found at the
// next poll at the latest.
type Comparer[O Object, S any] interface {
	// Compare is Observe without API calls: it compares o with seen, what HoxtonAi
	// held at the last read or write.
	Compare(o O, refs Refs, seen S) (Observation[S], error)
}

// IDPolicy says who chooses the HoxtonAi id of a new object.
type IDPolicy int

const (
	// DeterministicID: the operator derives the id from the organisation, namespace,
	// kind and name and upserts with it, so a crash between the write and the status
	// update, or a cluster rebuilt from the same Git repository, finds the same object.
	DeterministicID IDPolicy = iota
	// ServerAssignedID: the service chooses the id (cameras, claimed by serial); the
	// adapter's Observe must find an object created before a crash by other means and
	// report it as FoundID.
	ServerAssignedID
)

// Kind describes one managed kind to the generic reconciler.
type Kind[O Object, S any] struct {
	// Name is the kind's name, e.g. "Site"; it also names the controller.
	Name string
	// New returns an empty object of the kind.
	New func() O
	// NewList returns an empty list of the kind.
	NewList func() client.ObjectList
	// Adapter performs the API calls.
	Adapter Adapter[O, S]
	// IDs says who chooses ids of new objects.
	IDs IDPolicy
	// References are the kind's reference fields, each declared once: the reconciler
	// resolves them, indexes them by field and watches the referenced kinds.
	References []Reference[O]
	// Secrets returns the Secret keys (same namespace) whose values the object's body
	// takes (a webhook URL); they are read at each reconcile and handed to the adapter
	// in Refs, never stored or shown.
	Secrets func(o O) []v1alpha1.SecretKeySelector
	// DeletionNote is added to the Deleted event, for kinds whose deletion in
	// HoxtonAi is not what users would guess (cameras cannot be un-claimed).
	DeletionNote string
	// Export reads the organisation's objects of the kind as manifests (hoxtonctl
	// export); every registered kind declares one, and a test checks it.
	Export *Export[O]
	// CredentialsSecret names the Secret (same namespace) into which the kind delivers
	// credentials that HoxtonAi returns once (an OAuth client's generated secret), or
	// "" for none. The reconciler reads it, uncached, at each reconcile and hands it
	// to the adapter in Refs.Credentials, through which the adapter delivers them
	// (Credentials.Deliver) right after the call that returned them, so that they are
	// durable before the status records success.
	CredentialsSecret func(o O) string
	// Rotation, for a kind whose credentials HoxtonAi can issue again (an OAuth
	// client's secret), lets the reconciler decide when they are due and record each
	// delivery; nil for none.
	Rotation *Rotation[O]
	// CreateFinds says that the create itself finds an object the organisation
	// already holds (a camera claim answered 409, Created.Found): an object in Manage
	// mode without an id is then created without a lookup first, which would only cost
	// a request. ObserveOnly, which never creates, always looks.
	CreateFinds bool
	// ConnectionClientIDs says the kind's ids are OAuth client ids, which Connections
	// may authenticate with: the reconciler refuses to manage or delete one that a
	// Connection or ClusterConnection uses (other than through the object's own
	// CredentialsSecret).
	ConnectionClientIDs bool
	// CreateMark, when set, returns a status field of o and the mark to write into it
	// before each create; the reconciler persists the mark before it sends the create,
	// and clears it once the object is found (its id is recorded from then on) or the
	// create is refused (nothing was created). A kind whose ids the service chooses
	// uses it to tell, after a crash that lost the answer, the object its own create
	// made from one that was there before (a user found by its e-mail).
	CreateMark func(o O) (field *string, mark string)
	// AdoptExisting, with CreateMark, says whether the spec lets o take on an object
	// Observe found by the kind's own traces that o did not create (spec.adoptExisting);
	// without it such an object is refused before any write (mayTake).
	AdoptExisting func(o O) bool
}

// TerminalError is an adapter's way to say that only a change of the spec (or of
// HoxtonAi, by a person) can fix the problem, so retrying sooner is pointless.
type TerminalError struct{ Message string }

func (e *TerminalError) Error() string { return e.Message }

// Terminal returns a *TerminalError with a formatted message.
func Terminal(format string, args ...any) error {
	return &TerminalError{Message: fmt.Sprintf(format, args...)}
}
