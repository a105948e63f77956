package hoxton

import (
	"errors"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Names and help texts of the metrics exported by the client.
const (
	metricRequestsTotal   = "hoxton_api_requests_total"
	metricRequestDuration = "hoxton_api_request_duration_seconds"
	helpRequestsTotal     = "HoxtonAi API requests by resource, method and HTTP status code (\"error\" when no answer arrived)."
	helpRequestDuration   = "Latency of HoxtonAi API requests by resource and method."
	// codeError is the code label of a request that got no HTTP answer.
	codeError = "error"
)

var (
	requestsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: metricRequestsTotal,
		Help: helpRequestsTotal,
	}, []string{"resource", "method", "code"})

	requestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    metricRequestDuration,
		Help:    helpRequestDuration,
		Buckets: prometheus.DefBuckets,
	}, []string{"resource", "method"})

	registerOnce sync.Once
)

// registerMetrics registers the client's collectors with controller-runtime's registry
// exactly once per process. If collectors with the same descriptors are already
// registered (for example by a second copy of the package in a test binary), the existing
// ones are used.
func registerMetrics() {
	registerOnce.Do(func() {
		requestsTotal = registerOrReuse(requestsTotal)
		requestDuration = registerOrReuse(requestDuration)
	})
}

func registerOrReuse[C prometheus.Collector](c C) C {
	err := metrics.Registry.Register(c)
	var already prometheus.AlreadyRegisteredError
	if errors.As(err, &already) {
		if existing, ok := already.ExistingCollector.(C); ok {
			return existing
		}
	}
	return c
}
