package connection

import (
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// TokenStateFinalizer keeps a Connection's token state Secret until the Connection
// itself is released. The Secret is owned by its Connection (an ownerReference), so
// the garbage collector deletes it once the Connection is gone. But deleting the
// Connection with foreground propagation (`kubectl delete --cascade=foreground`,
// Argo CD's default when an Application is deleted) makes the collector delete the
// dependents first, while the Connection still waits for the objects that use it
// (InUseFinalizer); a namespace deletion, or anyone deleting Secrets, does the same.
// Without the state, a Connection whose user's Secret only holds a refresh token
// rotated away cannot delete those objects in HoxtonAi, and everything hangs.
//
// A finalizer on the state Secret holds it whoever deletes it and whatever the
// propagation: a deleted state Secret stays readable and writable until the
// Connection's own release removes this finalizer, just before InUseFinalizer.
// The alternatives fail somewhere: blockOwnerDeletion only makes the owner wait for
// the dependent's deletion, it does not delay it; no ownerReference, with the
// operator deleting the Secret, still loses it to a namespace deletion or to
// `kubectl delete secret`, and needs the right to delete Secrets, which the operator
// does not have.
const TokenStateFinalizer = "hoxtonai.dev/token-state-in-use"

// holdTokenState adds TokenStateFinalizer to a token state Secret about to be
// written, and reports whether it was missing. A Secret already being deleted can
// take no new finalizer (the API server refuses it); it is still written.
func holdTokenState(state *corev1.Secret) bool {
	if state.DeletionTimestamp != nil || slices.Contains(state.Finalizers, TokenStateFinalizer) {
		return false
	}
	state.Finalizers = append(state.Finalizers, TokenStateFinalizer)
	return true
}

// releaseTokenState removes TokenStateFinalizer from conn's token state Secret, so
// that the Secret can go (at once if it is being deleted already, with its
// Connection otherwise). It is the last step of a Connection's release, and is
// repeated when a Connection is found gone without it (its finalizer removed by
// hand). A Secret of that name the operator does not own is left alone.
func (r *Resolver) releaseTokenState(ctx context.Context, conn Object) error {
	secretKey, _ := r.secretKeyOf(conn)
	if secretKey.Namespace == "" {
		return nil
	}
	state := secretMetadata()
	if err := r.secrets.Get(withoutBodyLogging(ctx), tokenStateKey(conn, secretKey.Namespace), state); err != nil {
		return client.IgnoreNotFound(err)
	}
	if state.GetLabels()[LabelTokenState] != "true" || !slices.Contains(state.GetFinalizers(), TokenStateFinalizer) {
		return nil
	}
	rest := slices.DeleteFunc(slices.Clone(state.GetFinalizers()), func(f string) bool { return f == TokenStateFinalizer })
	return patchFinalizers(ctx, r.writer, state, rest)
}
