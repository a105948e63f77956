package managed

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
)

// connectionIndex names the index of managed objects by the Connection they use
// (connectionIndexOf).
const connectionIndex = "hoxtonai.dev/connection"

// ConnectionUser is an object that uses a Connection.
type ConnectionUser struct {
	Kind, Namespace, Name string
}

// ConnectionUsers lists the objects of the given kinds that use the Connection ref:
// in namespace for a Connection, in every namespace for a ClusterConnection; in the
// order of newLists, then by namespace and name.
func ConnectionUsers(ctx context.Context, r client.Reader, newLists []func() client.ObjectList, namespace string, ref v1alpha1.ConnectionReference) ([]ConnectionUser, error) {
	opts := []client.ListOption{client.MatchingFields{connectionIndex: ConnectionIndexValue(ref)}}
	if ref.Kind != v1alpha1.ConnectionKindCluster {
		opts = append(opts, client.InNamespace(namespace))
	}
	var users []ConnectionUser
	for _, newList := range newLists {
		list := newList()
		if err := r.List(ctx, list, opts...); err != nil {
			return nil, err
		}
		start := len(users)
		_ = meta.EachListItem(list, func(o runtime.Object) error {
			m := o.(client.Object)
			// Typed list items carry no TypeMeta: the kind is the item's type.
			users = append(users, ConnectionUser{Kind: reflect.TypeOf(o).Elem().Name(), Namespace: m.GetNamespace(), Name: m.GetName()})
			return nil
		})
		slices.SortFunc(users[start:], func(a, b ConnectionUser) int {
			return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
		})
	}
	return users, nil
}

// ConnectionIndexValue is the value connectionIndex stores for a reference.
func ConnectionIndexValue(ref v1alpha1.ConnectionReference) string {
	return string(ref.Kind) + "/" + ref.Name
}

// Setup registers the generic reconciler of one kind with the manager: its field
// indexes, and watches on its Connections and on the kinds it references.
func Setup[O Object, S any](ctx context.Context, mgr ctrl.Manager, kind Kind[O, S], conns Connections, opts Options) error {
	if err := kind.Validate(); err != nil {
		return err
	}
	r := &Reconciler[O, S]{
		kind:     kind,
		client:   mgr.GetClient(),
		reader:   mgr.GetClient(),
		secrets:  mgr.GetAPIReader(),
		crds:     NewCRDs(mgr),
		conns:    conns,
		recorder: mgr.GetEventRecorder("hoxton-operator"),
		opts:     opts,
	}
	indexer := mgr.GetFieldIndexer()
	byConnection := connectionIndexOf[O]()
	if err := byConnection.register(ctx, indexer, kind.New); err != nil {
		return fmt.Errorf("indexing %s by connection: %w", kind.Name, err)
	}

	b := ctrl.NewControllerManagedBy(mgr).
		Named(kind.Name).
		For(kind.New(), builder.WithPredicates(specOrLifecycleChanged())).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(opts.MaxConcurrentReconciles, 1), RateLimiter: RetryLimiter()}).
		Watches(&v1alpha1.Connection{}, r.dependents([]valueIndex[O]{byConnection}, func(o client.Object) string {
			return ConnectionIndexValue(v1alpha1.ConnectionReference{Kind: v1alpha1.ConnectionKindNamespaced, Name: o.GetName()})
		}, true), builder.WithPredicates(readinessChanged(nil))).
		Watches(&v1alpha1.ClusterConnection{}, r.dependents([]valueIndex[O]{byConnection}, func(o client.Object) string {
			return ConnectionIndexValue(v1alpha1.ConnectionReference{Kind: v1alpha1.ConnectionKindCluster, Name: o.GetName()})
		}, false), builder.WithPredicates(readinessChanged(nil)))

	if err := externalIDIndexOf[O]().register(ctx, indexer, kind.New); err != nil {
		return fmt.Errorf("indexing %s by external id: %w", kind.Name, err)
	}

	// One index per reference field; one watch per referenced kind, which wakes the
	// objects that name the changed object in any field referring to that kind.
	byTarget := map[string][]valueIndex[O]{}
	targets := map[string]Target{}
	for _, ref := range kind.References {
		index := referenceIndexOf(ref)
		if err := index.register(ctx, indexer, kind.New); err != nil {
			return fmt.Errorf("indexing %s by %s: %w", kind.Name, ref.Field, err)
		}
		if _, seen := targets[ref.Target.Kind]; !seen {
			targets[ref.Target.Kind] = ref.Target
		}
		byTarget[ref.Target.Kind] = append(byTarget[ref.Target.Kind], index)
	}
	for name, target := range targets {
		b = b.Watches(target.New(), r.dependents(byTarget[name], client.Object.GetName, true), builder.WithPredicates(readinessChanged(target.Value)))
	}
	if kind.CredentialsSecret != nil {
		byCredentials := credentialsIndexOf(kind.CredentialsSecret)
		if err := byCredentials.register(ctx, indexer, kind.New); err != nil {
			return fmt.Errorf("indexing %s by credentials Secret: %w", kind.Name, err)
		}
		// A deleted credentials Secret is delivered again at once rather than at the next
		// poll. Only deletions pass: the operator's own writes of it must wake nothing.
		b = b.WatchesMetadata(&metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"}},
			r.dependents([]valueIndex[O]{byCredentials}, client.Object.GetName, true),
			builder.WithPredicates(predicate.Funcs{CreateFunc: func(event.CreateEvent) bool { return false },
				UpdateFunc: func(event.UpdateEvent) bool { return false }, GenericFunc: func(event.GenericEvent) bool { return false }}))
	}
	return b.Complete(r)
}

// credentialsIndex names the index of objects by their credentials Secret.
const credentialsIndex = "hoxtonai.dev/credentials-secret"

// externalIDIndex names the index of managed objects by status.externalID
// (externalIDIndexOf).
const externalIDIndex = "hoxtonai.dev/external-id"

// referenceIndex names the index of a reference field.
func referenceIndex(field string) string { return "hoxtonai.dev/ref." + field }

// referencedNames are the names among entries.
func referencedNames(entries []Entry) []string {
	var names []string
	for _, e := range entries {
		if e.Name != "" {
			names = append(names, e.Name)
		}
	}
	return names
}

// dependents maps an object to the managed objects whose value in any of indexes
// equals key(obj): those in obj's namespace, or in every namespace for cluster-scoped
// objects.
func (r *Reconciler[O, S]) dependents(indexes []valueIndex[O], key func(client.Object) string, sameNamespace bool) handler.EventHandler {
	return handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, obj client.Object) []reconcile.Request {
		namespace := ""
		if sameNamespace {
			namespace = obj.GetNamespace()
		}
		seen := map[types.NamespacedName]bool{}
		var reqs []reconcile.Request
		for _, index := range indexes {
			_ = index.each(ctx, r.reader, r.kind.NewList(), namespace, key(obj), func(o O) {
				if name := client.ObjectKeyFromObject(o); !seen[name] {
					seen[name] = true
					reqs = append(reqs, reconcile.Request{NamespacedName: name})
				}
			})
		}
		return reqs
	})
}

// specOrLifecycleChanged lets through what a user changes (spec, annotations such as
// pause, deletion) and not the operator's own status patches, which would otherwise
// re-trigger a reconcile, and an API call, after every status write.
func specOrLifecycleChanged() predicate.Predicate {
	return predicate.Or(
		predicate.GenerationChangedPredicate{},
		predicate.AnnotationChangedPredicate{},
		predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
			return (e.ObjectOld.GetDeletionTimestamp() == nil) != (e.ObjectNew.GetDeletionTimestamp() == nil)
		}},
	)
}

// readinessChanged lets through events of a referenced object that can change what a
// reference to it resolves to, or what the referring objects report about it:
// creation, deletion, its Ready condition, or value(obj). The Ready reason counts too:
// a Connection going from "not checked yet" to CredentialsRejected is not Ready either
// way, but its dependents' ReferencesNotReady message would otherwise keep saying "not
// checked yet" until their next poll. So does the start of its deletion: a Connection
// being deleted serves the deletions of the objects still using it whatever its last
// check said (its Secret often went first, deleted with it), so an object whose own
// deletion waited for it must try again then, or wait for ever; and it serves live
// objects no more, which must say so.
func readinessChanged(value func(client.Object) string) predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		if readinessOf(e.ObjectOld) != readinessOf(e.ObjectNew) {
			return true
		}
		if (e.ObjectOld.GetDeletionTimestamp() == nil) != (e.ObjectNew.GetDeletionTimestamp() == nil) {
			return true
		}
		return value != nil && value(e.ObjectOld) != value(e.ObjectNew)
	}}
}

// readinessOf returns the status and reason of the Ready condition of any of this
// API's kinds ("" when it has none).
func readinessOf(obj client.Object) string {
	var conds []metav1.Condition
	switch o := obj.(type) {
	case Object:
		conds = o.GetManagedStatus().Conditions
	case *v1alpha1.Connection:
		conds = o.Status.Conditions
	case *v1alpha1.ClusterConnection:
		conds = o.Status.Conditions
	}
	c := conditions.Get(conds, conditions.TypeReady)
	if c == nil {
		return ""
	}
	return string(c.Status) + "/" + c.Reason
}
