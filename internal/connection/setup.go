package connection

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// secretIndex indexes Connections and ClusterConnections by "namespace/name" of their Secret.
const secretIndex = "hoxtonai.dev/credentials-secret"

// SecretMetadataOnly configures the manager's cache to keep only the metadata of
// Secrets, with annotations and managed fields dropped (kubectl's last-applied
// annotation would otherwise bring a copy of the data into memory), and only of the
// Secrets labelled SecretLabel, so that the cache is bounded by the Connections, not
// by the Secrets of the cluster. The operator learns from it that a Secret changed,
// and reads the contents of just that Secret.
func SecretMetadataOnly(opts *cache.Options) {
	if opts.ByObject == nil {
		opts.ByObject = map[client.Object]cache.ByObject{}
	}
	opts.ByObject[secretMetadata()] = cache.ByObject{Label: labels.SelectorFromSet(labels.Set{SecretLabel: "true"}), Transform: func(obj any) (any, error) {
		if m, ok := obj.(metav1.Object); ok {
			m.SetAnnotations(nil)
			m.SetManagedFields(nil)
		}
		return obj, nil
	}}
}

func secretMetadata() *metav1.PartialObjectMetadata {
	return &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"}}
}

// Options configure the Connection controllers.
type Options struct {
	// PollInterval is how often a Ready Connection is checked again.
	PollInterval time.Duration
	// MaxConcurrentReconciles is the number of workers of each controller, so that
	// one slow Connection does not hold the checks of the others.
	MaxConcurrentReconciles int
	// ClusterReleaseGrace bounds how long a ClusterConnection being deleted waits
	// for its users (zero: DefaultClusterReleaseGrace).
	ClusterReleaseGrace time.Duration
	// CheckTimeout bounds one check of a Connection (zero: DefaultCheckTimeout).
	CheckTimeout time.Duration
	// UnavailableGrace is how long a Ready Connection stays Ready while its checks
	// cannot reach HoxtonAi (zero: DefaultUnavailableGrace).
	UnavailableGrace time.Duration
}

// Setup registers the Connection controller, and the ClusterConnection controller
// unless the resolver is namespace-scoped. users counts the managed objects that
// still use a Connection being deleted.
func Setup(ctx context.Context, mgr ctrl.Manager, resolver *Resolver, opts Options, users Users) error {
	resolver.recorder = inOperatorNamespace(mgr.GetEventRecorder("hoxton-operator"), resolver.tenancy.ClusterResourceNamespace)
	if err := flushOnStop(mgr, resolver); err != nil {
		return err
	}
	if err := setupSecretRelease(mgr); err != nil {
		return err
	}
	if err := setupKind(ctx, mgr, resolver, opts, users, "Connection", func() *v1alpha1.Connection { return &v1alpha1.Connection{} },
		func() client.ObjectList { return &v1alpha1.ConnectionList{} }, resolver.authFailures, true); err != nil {
		return err
	}
	if resolver.tenancy.NamespaceScoped {
		return nil
	}
	return setupKind(ctx, mgr, resolver, opts, users, "ClusterConnection", func() *v1alpha1.ClusterConnection { return &v1alpha1.ClusterConnection{} },
		func() client.ObjectList { return &v1alpha1.ClusterConnectionList{} }, resolver.clusterAuthFailures, false)
}

func setupKind[C Object](ctx context.Context, mgr ctrl.Manager, resolver *Resolver, opts Options, users Users, name string,
	newObject func() C, newList func() client.ObjectList, authFailures chan event.GenericEvent, namespaced bool) error {
	if err := mgr.GetFieldIndexer().IndexField(ctx, newObject(), secretIndex, func(o client.Object) []string {
		key, err := resolver.secretKeyOf(o.(C))
		if err != nil {
			return nil // a refused reference reads no Secret
		}
		return []string{key.String()}
	}); err != nil {
		return err
	}
	r := &Reconciler[C]{
		client: mgr.GetClient(), resolver: resolver, recorder: resolver.recorder,
		newObject: newObject, pollInterval: opts.PollInterval, users: users, releaseGrace: opts.ClusterReleaseGrace,
		checkTimeout: opts.CheckTimeout, unavailableGrace: opts.UnavailableGrace, crds: managed.NewCRDs(mgr),
	}
	bySecret := handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, secret client.Object) []reconcile.Request {
		list := newList()
		opts := []client.ListOption{client.MatchingFields{secretIndex: client.ObjectKeyFromObject(secret).String()}}
		if namespaced {
			opts = append(opts, client.InNamespace(secret.GetNamespace()))
		}
		if err := mgr.GetClient().List(ctx, list, opts...); err != nil {
			return nil
		}
		var reqs []reconcile.Request
		_ = meta.EachListItem(list, func(o runtime.Object) error {
			m := o.(client.Object)
			reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: m.GetNamespace(), Name: m.GetName()}})
			return nil
		})
		return reqs
	})
	return ctrl.NewControllerManagedBy(mgr).
		Named(name).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(opts.MaxConcurrentReconciles, 1), RateLimiter: managed.RetryLimiter()}).
		For(newObject(), builder.WithPredicates(predicate.Or[client.Object](predicate.GenerationChangedPredicate{}, deletionStarted()))).
		WatchesMetadata(secretMetadata(), bySecret, builder.WithPredicates(predicate.ResourceVersionChangedPredicate{})).
		WatchesRawSource(source.Channel(authFailures, &handler.EnqueueRequestForObject{})).
		Complete(r)
}

// deletionStarted lets through the update that marks a Connection for deletion.
func deletionStarted() predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		return e.ObjectOld.GetDeletionTimestamp() == nil && e.ObjectNew.GetDeletionTimestamp() != nil
	}}
}
