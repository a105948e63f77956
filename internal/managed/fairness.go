package managed

import (
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// The workers of a kind's controller are shared by every Connection, and one API
// request may take up to 30 seconds. A tenant whose API answers slowly would, with
// enough objects, hold every worker and stall the objects of all other tenants. So a
// Connection may run at most Options.MaxReconcilesPerConnection reconciles of a kind
// at once, fewer than the workers: another Connection's object always finds a free
// worker. A reconcile that finds its Connection's slots taken does not wait for one
// (that would park the worker, the very thing the cap prevents): it returns at once
// and its object is requeued after slotRetry, its status untouched, as the request
// budget does with waits over hoxton.MaxWait.

// slotRetry is how soon an object whose Connection had no free slot is tried again.
const slotRetry = time.Second

// MetricReconcilesDeferred counts the reconciles deferred because their Connection
// was at its cap of concurrent reconciles.
const MetricReconcilesDeferred = "hoxton_connection_reconciles_deferred_total"

// reconcilesDeferred is labelled like the per-Connection metrics of
// internal/connection, plus the kind of the deferred object.
var reconcilesDeferred = func() *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: MetricReconcilesDeferred,
		Help: "Reconciles put off because the Connection already ran its maximum of concurrent reconciles of the kind (--max-reconciles-per-connection): the Connection's API is slow or its objects are many.",
	}, []string{"kind", "namespace", "name", "object_kind"})
	var are prometheus.AlreadyRegisteredError
	if err := metrics.Registry.Register(c); errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
			return existing
		}
	}
	return c
}()

// connectionSlots counts the running reconciles of one kind per Connection.
type connectionSlots struct {
	mu    sync.Mutex
	inUse map[connectionKey]int
}

// connectionKey names a Connection: a ClusterConnection has no namespace.
type connectionKey struct {
	kind      v1alpha1.ConnectionKind
	namespace string
	name      string
}

// take takes one of limit slots of key, and returns its release, or nil when all are
// taken. A limit of zero or less means no cap.
func (s *connectionSlots) take(key connectionKey, limit int) (release func()) {
	if limit <= 0 {
		return func() {}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inUse[key] >= limit {
		return nil
	}
	if s.inUse == nil {
		s.inUse = map[connectionKey]int{}
	}
	s.inUse[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.inUse[key]--; s.inUse[key] <= 0 {
				delete(s.inUse, key)
			}
		})
	}
}

// connectionSlot takes a slot of o's Connection for this reconcile. When none is free
// it returns a nil release and the requeue that tries again soon. Polls take all the
// slots but one: the last is kept for users' changes, new objects and deletions,
// which would otherwise wait for a slot behind polls held up by the request budget.
func (r *Reconciler[O, S]) connectionSlot(o O, poll bool) (release func(), retry time.Duration) {
	ref := o.GetManagedSpec().GetConnectionRef()
	key := connectionKey{kind: ref.Kind, name: ref.Name}
	if ref.Kind != v1alpha1.ConnectionKindCluster {
		key.namespace = o.GetNamespace()
	}
	limit := r.opts.MaxReconcilesPerConnection
	if poll && limit > 1 {
		limit--
	}
	if release = r.slots.take(key, limit); release != nil {
		return release, 0
	}
	reconcilesDeferred.WithLabelValues(string(key.kind), key.namespace, key.name, r.kind.Name).Inc()
	return nil, jitter(slotRetry)
}
