package operator

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/hoxton-operator/hoxton-operator/internal/version"
)

var registerBuildInfo sync.Once

// registerBuildInfoMetric registers hoxton_build_info: always 1, labelled with the running build, so that a
// dashboard or an alert can tell which version each replica runs (and an upgrade
// that did not roll out).
func registerBuildInfoMetric() {
	registerBuildInfo.Do(func() {
		info := version.Get()
		g := prometheus.NewGauge(prometheus.GaugeOpts{
			Name:        "hoxton_build_info",
			Help:        "Build of the running manager: always 1, with its version, VCS revision and Go version as labels.",
			ConstLabels: prometheus.Labels{"version": info.Version, "revision": info.Revision, "goversion": info.GoVersion},
		})
		g.Set(1)
		metrics.Registry.MustRegister(g)
	})
}
