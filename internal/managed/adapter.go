// Package managed holds the one generic reconciler every managed kind uses. It owns the
// whole lifecycle of a HoxtonAi object: finalizer, deletion and orphaning, adoption by
// spec.externalID, ObserveOnly, pause, reference gating, deterministic ids, drift
// correction on a jittered poll, error classification, events, and a single status
// patch per reconcile. A kind contributes only an Adapter: Resolve, Observe, Create,
// Update and Delete against a ready API client, plus pure mapping functions.
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

// Observation is what an adapter found in HoxtonAi.
type Observation struct {
	// Exists is false when the object is absent or gone (404, 410, state deleted).
	Exists bool
	// UpToDate is true when the HoxtonAi object matches the spec.
	UpToDate bool
	// Diff names what differs when UpToDate is false, for conditions and events.
	Diff string
	// Observed is the adapter's own record of what it read (its wire structs). The
	// reconciler hands it back to Update, which can then write only what differs
	// without reading the object again.
	Observed any
}

// Adapter connects one kind to the HoxtonAi API. R holds the ids its references
// resolved to; kinds without references use NoRefs. The adapter may write observed
// fields into the object's status (atProvider); the reconciler persists them.
type Adapter[O Object, R any] interface {
	// Resolve turns the object's references into ids. It answers a
	// reference.NotReadyError while a referenced object is missing or not Ready.
	Resolve(ctx context.Context, r client.Reader, o O) (R, error)
	// Observe reads the HoxtonAi object whose id is o's status.externalID (empty for
	// kinds with server-assigned ids that have not been created yet). Gone or absent
	// is Exists=false with a nil error.
	Observe(ctx context.Context, c *hoxton.Client, o O, refs R) (Observation, error)
	// Create creates the object. For kinds with deterministic ids the id to use is
	// already in status.externalID.
	Create(ctx context.Context, c *hoxton.Client, o O, refs R) (Created, error)
	// Update makes the existing object match the spec; obs is what Observe returned.
	Update(ctx context.Context, c *hoxton.Client, o O, refs R, obs Observation) error
	// Delete deletes the object; absent or already gone is success.
	Delete(ctx context.Context, c *hoxton.Client, o O) error
}

// Created is what Create did.
type Created struct {
	// ID of the object.
	ID string
	// Existed is true when the object was already there and Create made it match
	// (an upsert answered 204 for an object an earlier cluster created, a claim of a
	// camera the organisation already holds), so that events say so.
	Existed bool
}

// NoRefs is the resolved-references type of kinds that refer to nothing.
type NoRefs struct{}

// Reference declares that a kind refers to objects of another managed kind by name, so
// that the reconciler can index the names and reconcile the referring objects as soon
// as a referenced object becomes Ready or changes the value resolved from it.
type Reference[O Object] struct {
	// Kind names the referenced kind, e.g. "Site".
	Kind string
	// Target is an empty object of the referenced kind, for the watch.
	Target Object
	// Names returns the names o refers to (same namespace).
	Names func(o O) []string
	// Value returns what a reference to obj resolves to (its id, its camera position
	// id); a change of it, or of obj's readiness, re-reconciles the referring objects.
	Value func(obj client.Object) string
}

// IDPolicy says who chooses the HoxtonAi id of a new object.
type IDPolicy int

const (
	// DeterministicID: the operator derives the id from namespace, kind and name and
	// upserts with it, so a crash between the write and the status update, or a
	// cluster rebuilt from the same Git repository, finds the same object again.
	DeterministicID IDPolicy = iota
	// ServerAssignedID: the service chooses the id (cameras, claimed by serial); the
	// adapter's Observe must find an object created before a crash by other means.
	ServerAssignedID
)

// Kind describes one managed kind to the generic reconciler.
type Kind[O Object, R any] struct {
	// Name is the kind's name, e.g. "Site"; it also names the controller.
	Name string
	// New returns an empty object of the kind.
	New func() O
	// NewList returns an empty list of the kind.
	NewList func() client.ObjectList
	// Adapter performs the API calls.
	Adapter Adapter[O, R]
	// IDs says who chooses ids of new objects.
	IDs IDPolicy
	// References the kind makes to other managed kinds.
	References []Reference[O]
	// DeletionNote is added to the Deleted event, for kinds whose deletion in
	// HoxtonAi is not what users would guess (cameras cannot be un-claimed).
	DeletionNote string
}

// TerminalError is an adapter's way to say that only a change of the spec (or of
// HoxtonAi, by a person) can fix the problem, so retrying sooner is pointless.
type TerminalError struct{ Message string }

func (e *TerminalError) Error() string { return e.Message }

// Terminal returns a *TerminalError with a formatted message.
func Terminal(format string, args ...any) error {
	return &TerminalError{Message: fmt.Sprintf(format, args...)}
}
