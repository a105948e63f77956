package connection

import (
	"context"
	"encoding/json"
	"slices"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// SecretFinalizer holds a Connection's Secret while a Connection names it. Deleting a
// whole folder of manifests deletes the Secret, the Connection and the objects at once;
// the objects need the credentials to be deleted in HoxtonAi, and a manager restarted
// meanwhile has only the Secret to get them from. So the Secret goes last: once no
// Connection names it any more.
const SecretFinalizer = "hoxtonai.dev/connection-secret-in-use"

// holdSecret adds SecretFinalizer to the Secret a Connection uses.
func (r *Resolver) holdSecret(ctx context.Context, secret *metav1.PartialObjectMetadata) error {
	if secret.GetDeletionTimestamp() != nil || slices.Contains(secret.GetFinalizers(), SecretFinalizer) {
		return nil
	}
	return patchFinalizers(ctx, r.writer, secret, append(slices.Clone(secret.GetFinalizers()), SecretFinalizer))
}

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

// secretRelease removes SecretFinalizer from a Secret no Connection names any more: a
// Connection released (deleted) or pointed at another Secret.
type secretRelease struct {
	client client.Client
	// clusterScoped is false in a namespace-scoped install, which has no
	// ClusterConnections.
	clusterScoped bool
}

func (s *secretRelease) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	secret := secretMetadata()
	if err := s.client.Get(ctx, req.NamespacedName, secret); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !slices.Contains(secret.GetFinalizers(), SecretFinalizer) {
		return ctrl.Result{}, nil
	}
	lists := []client.ObjectList{&v1alpha1.ConnectionList{}}
	if s.clusterScoped {
		lists = append(lists, &v1alpha1.ClusterConnectionList{})
	}
	for _, list := range lists {
		if err := s.client.List(ctx, list, client.MatchingFields{secretIndex: req.String()}); err != nil {
			return ctrl.Result{}, err
		}
		if meta.LenList(list) > 0 {
			return ctrl.Result{}, nil
		}
	}
	rest := slices.DeleteFunc(slices.Clone(secret.GetFinalizers()), func(f string) bool { return f == SecretFinalizer })
	return ctrl.Result{}, patchFinalizers(ctx, s.client, secret, rest)
}

// setupSecretRelease registers the controller that lets Secrets go: it looks at a
// Secret when it changes, and when a Connection that named it is deleted or changed.
func setupSecretRelease(mgr ctrl.Manager, resolver *Resolver) error {
	enqueue := func(q workqueue.TypedRateLimitingInterface[reconcile.Request], objs ...client.Object) {
		for _, o := range objs {
			if conn, ok := o.(Object); ok {
				if key, err := resolver.secretKeyOf(conn); err == nil {
					q.Add(reconcile.Request{NamespacedName: key})
				}
			}
		}
	}
	// Both Secrets of a changed reference: the old one may be free now.
	toSecrets := handler.Funcs{
		UpdateFunc: func(_ context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			enqueue(q, e.ObjectOld, e.ObjectNew)
		},
		DeleteFunc: func(_ context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			enqueue(q, e.Object)
		},
	}
	clusterScoped := !resolver.tenancy.NamespaceScoped
	b := ctrl.NewControllerManagedBy(mgr).
		Named("ConnectionSecret").
		For(secretMetadata(), builder.OnlyMetadata).
		Watches(&v1alpha1.Connection{}, toSecrets)
	if clusterScoped {
		b = b.Watches(&v1alpha1.ClusterConnection{}, toSecrets)
	}
	return b.Complete(&secretRelease{client: mgr.GetClient(), clusterScoped: clusterScoped})
}
