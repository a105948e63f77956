package connection

import (
	"context"
	"encoding/json"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
)

// SecretFinalizer is the finalizer earlier versions put on the Secrets Connections
// use, to keep their credentials until no Connection named them. It outlived the
// operator: after an uninstall, or with the manager scaled to zero, those Secrets
// could not be deleted and their namespaces hung. The operator now keeps a copy of
// the credentials in the Connection's own token state Secret instead (credcopy.go),
// and removes this finalizer wherever it finds it.
const SecretFinalizer = "hoxtonai.dev/connection-secret-in-use"

// patchFinalizers sets the finalizers of a Secret, guarded by its resourceVersion so
// that finalizers others add concurrently are kept.
func patchFinalizers(ctx context.Context, w client.Writer, secret *metav1.PartialObjectMetadata, finalizers []string) error {
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{
		"finalizers": finalizers, "resourceVersion": secret.GetResourceVersion(),
	}})
	if err != nil {
		return err
	}
	return client.IgnoreNotFound(w.Patch(withoutBodyLogging(ctx), secret, client.RawPatch(types.MergePatchType, patch)))
}

// secretRelease removes SecretFinalizer from the Secrets that still carry it.
type secretRelease struct {
	client client.Client
}

func (s *secretRelease) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	secret := secretMetadata()
	if err := s.client.Get(ctx, req.NamespacedName, secret); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !slices.Contains(secret.GetFinalizers(), SecretFinalizer) {
		return ctrl.Result{}, nil
	}
	rest := slices.DeleteFunc(slices.Clone(secret.GetFinalizers()), func(f string) bool { return f == SecretFinalizer })
	return ctrl.Result{}, patchFinalizers(ctx, s.client, secret, rest)
}

// setupSecretRelease registers the controller that removes SecretFinalizer. The
// Secrets that carry it are labelled (the operator labelled a Secret before it held
// it), so the metadata cache sees them all, at the start and whenever one changes.
func setupSecretRelease(mgr ctrl.Manager) error {
	carriesFinalizer := predicate.NewPredicateFuncs(func(o client.Object) bool {
		return slices.Contains(o.GetFinalizers(), SecretFinalizer)
	})
	return ctrl.NewControllerManagedBy(mgr).
		Named("ConnectionSecret").
		For(secretMetadata(), builder.OnlyMetadata, builder.WithPredicates(carriesFinalizer)).
		Complete(&secretRelease{client: mgr.GetClient()})
}
