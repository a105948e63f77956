package managed

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
)

// Metric names of the managed kinds, in the shape users query: outcomes by kind and
// reason (rate), and objects by Ready/Synced (how many are in sync now).
const (
	MetricReconcileOutcomes = "hoxton_reconcile_outcomes_total"
	MetricObjects           = "hoxton_objects"
)

// reconcileOutcomes counts finished reconciles by kind and the reason of the Synced
// condition they left (ReconcileSuccess, Terminal, ReferencesNotReady, ...).
var reconcileOutcomes = func() *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: MetricReconcileOutcomes,
		Help: "Reconciles of hoxtonai.dev objects by kind and the reason of the Synced condition they left.",
	}, []string{"kind", "reason"})
	var are prometheus.AlreadyRegisteredError
	if err := metrics.Registry.Register(c); errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
			return existing
		}
	}
	return c
}()

// recordOutcome derives the kstatus conditions (Stalled, Reconciling) from Ready and
// Synced and counts the outcome; finish calls it before comparing the status, so the
// derived conditions are part of the one status patch.
func (r *Reconciler[O, R]) recordOutcome(o O) {
	status := o.GetManagedStatus()
	conditions.DeriveProgress(&status.Conditions, o.GetGeneration())
	reason := "Unknown"
	if c := conditions.Get(status.Conditions, conditions.TypeSynced); c != nil {
		reason = c.Reason
	}
	reconcileOutcomes.WithLabelValues(r.kind.Name, reason).Inc()
}

var objectsDesc = prometheus.NewDesc(MetricObjects,
	"hoxtonai.dev objects in the manager's cache by kind, namespace, the status of their Ready and Synced conditions (True, False, Unknown) and the Synced reason.",
	[]string{"kind", "namespace", "ready", "synced", "reason"}, nil)

// objectSource is one manager's cache and its kinds.
type objectSource struct {
	reader   client.Reader
	scheme   *runtime.Scheme
	newLists []func() client.ObjectList
}

// objectsCollector counts objects at scrape time from the caches of the running
// managers: nothing to keep up to date, and deleted objects disappear by themselves.
type objectsCollector struct {
	mu      sync.Mutex
	sources map[*objectSource]struct{}
}

var (
	objects         = &objectsCollector{sources: map[*objectSource]struct{}{}}
	objectsRegister sync.Once
)

// RegisterObjectMetrics exports hoxton_objects for the kinds newLists returns, read
// from reader (the manager's cache) until ctx ends.
func RegisterObjectMetrics(ctx context.Context, reader client.Reader, scheme *runtime.Scheme, newLists []func() client.ObjectList) {
	objectsRegister.Do(func() { _ = metrics.Registry.Register(objects) })
	src := &objectSource{reader: reader, scheme: scheme, newLists: newLists}
	objects.mu.Lock()
	objects.sources[src] = struct{}{}
	objects.mu.Unlock()
	go func() {
		<-ctx.Done()
		objects.mu.Lock()
		delete(objects.sources, src)
		objects.mu.Unlock()
	}()
}

func (c *objectsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- objectsDesc }

// scrapeTimeout bounds a list from a cache that is not synced yet.
const scrapeTimeout = 5 * time.Second

func (c *objectsCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	sources := make([]*objectSource, 0, len(c.sources))
	for s := range c.sources {
		sources = append(sources, s)
	}
	c.mu.Unlock()
	type key struct{ kind, namespace, ready, synced, reason string }
	counts := map[key]int{}
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	for _, s := range sources {
		for _, newList := range s.newLists {
			list := newList()
			if s.reader.List(ctx, list) != nil {
				continue
			}
			_ = meta.EachListItem(list, func(item runtime.Object) error {
				o, ok := item.(Object)
				if !ok {
					return nil
				}
				gvk, err := apiutil.GVKForObject(o, s.scheme)
				if err != nil {
					return nil
				}
				conds := o.GetManagedStatus().Conditions
				reason := ""
				if c := conditions.Get(conds, conditions.TypeSynced); c != nil {
					reason = c.Reason
				}
				counts[key{gvk.Kind, o.GetNamespace(), statusOf(conds, conditions.TypeReady), statusOf(conds, conditions.TypeSynced), reason}]++
				return nil
			})
		}
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(objectsDesc, prometheus.GaugeValue, float64(n), k.kind, k.namespace, k.ready, k.synced, k.reason)
	}
}

func statusOf(conds []metav1.Condition, condType string) string {
	if c := conditions.Get(conds, condType); c != nil {
		return string(c.Status)
	}
	return "Unknown"
}
