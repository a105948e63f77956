package connection

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
)

// Metric names per Connection. Labels: kind (Connection or ClusterConnection),
// namespace ("" for a ClusterConnection) and name. Tokens never appear: only the
// expiry of the current one, as a time.
const (
	MetricConnectionReady        = "hoxton_connection_ready"
	MetricTokenExpiry            = "hoxton_connection_token_expiry_timestamp_seconds"
	MetricCircuitBreakerOpen     = "hoxton_connection_circuit_breaker_open"
	MetricBudgetWaitSecondsTotal = "hoxton_connection_budget_wait_seconds_total"
)

var (
	connLabels = []string{"kind", "namespace", "name"}
	readyDesc  = prometheus.NewDesc(MetricConnectionReady,
		"1 when the Connection's Ready condition is True (its credentials work), else 0.", connLabels, nil)
	expiryDesc = prometheus.NewDesc(MetricTokenExpiry,
		"Expiry of the Connection's current access token, as a Unix time; absent before the first token.", connLabels, nil)
	breakerDesc = prometheus.NewDesc(MetricCircuitBreakerOpen,
		"1 while the Connection's credentials circuit breaker is open (token requests fail fast), else 0.", connLabels, nil)
	waitDesc = prometheus.NewDesc(MetricBudgetWaitSecondsTotal,
		"Time API requests of the Connection spent waiting on its request budget (rate limit and 429 pauses).", connLabels, nil)
)

// resolverCollector reports every Connection in the caches of the running resolvers,
// at scrape time, from what the resolver already holds.
type resolverCollector struct {
	mu        sync.Mutex
	resolvers map[*Resolver]struct{}
}

var (
	resolvers         = &resolverCollector{resolvers: map[*Resolver]struct{}{}}
	resolversRegister sync.Once
)

// RegisterMetrics exports the per-Connection metrics of r until r's context ends.
func RegisterMetrics(r *Resolver) {
	resolversRegister.Do(func() { _ = metrics.Registry.Register(resolvers) })
	resolvers.mu.Lock()
	resolvers.resolvers[r] = struct{}{}
	resolvers.mu.Unlock()
	go func() {
		<-r.ctx.Done()
		resolvers.mu.Lock()
		delete(resolvers.resolvers, r)
		resolvers.mu.Unlock()
	}()
}

func (c *resolverCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{readyDesc, expiryDesc, breakerDesc, waitDesc} {
		ch <- d
	}
}

// scrapeTimeout bounds a list from a cache that is not synced yet.
const scrapeTimeout = 5 * time.Second

func (c *resolverCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	all := make([]*Resolver, 0, len(c.resolvers))
	for r := range c.resolvers {
		all = append(all, r)
	}
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	for _, r := range all {
		r.collect(ctx, ch)
	}
}

func (r *Resolver) collect(ctx context.Context, ch chan<- prometheus.Metric) {
	var conns []Object
	var namespaced v1alpha1.ConnectionList
	if r.cache.List(ctx, &namespaced) == nil {
		for i := range namespaced.Items {
			conns = append(conns, &namespaced.Items[i])
		}
	}
	var cluster v1alpha1.ClusterConnectionList
	if r.cache.List(ctx, &cluster) == nil {
		for i := range cluster.Items {
			conns = append(conns, &cluster.Items[i])
		}
	}
	for _, conn := range conns {
		labels := []string{string(conn.Reference().Kind), conn.GetNamespace(), conn.GetName()}
		ready := 0.0
		if conditions.IsTrue(conn.GetConnectionStatus().Conditions, conditions.TypeReady) {
			ready = 1
		}
		ch <- prometheus.MustNewConstMetric(readyDesc, prometheus.GaugeValue, ready, labels...)
		r.mu.Lock()
		e := r.entries[connectionKey(conn)]
		r.mu.Unlock()
		if e == nil {
			continue
		}
		if exp := e.source.Expiry(); !exp.IsZero() {
			ch <- prometheus.MustNewConstMetric(expiryDesc, prometheus.GaugeValue, float64(exp.Unix()), labels...)
		}
		open := 0.0
		if e.source.CircuitOpen() {
			open = 1
		}
		ch <- prometheus.MustNewConstMetric(breakerDesc, prometheus.GaugeValue, open, labels...)
		ch <- prometheus.MustNewConstMetric(waitDesc, prometheus.CounterValue, e.budget.WaitedSeconds(), labels...)
	}
}
