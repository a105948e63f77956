package operator

import (
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/hoxton-operator/hoxton-operator/internal/connection"
)

// Serving metrics with authentication and authorization: the manager asks the API
// server who a scraper is (TokenReview) and whether it may get /metrics
// (SubjectAccessReview).
// +kubebuilder:rbac:groups=authentication.k8s.io,resources=tokenreviews,verbs=create
// +kubebuilder:rbac:groups=authorization.k8s.io,resources=subjectaccessreviews,verbs=create

// cacheOptions returns the manager's cache settings: Secret metadata of labelled
// Secrets only, and only the watched namespaces when the install is namespaced.
func cacheOptions(t Tenancy) cache.Options {
	// Managed fields are never read here; dropping them from the cache roughly halves
	// the memory an object costs.
	opts := cache.Options{DefaultTransform: cache.TransformStripManagedFields()}
	if len(t.WatchNamespaces) > 0 {
		opts.DefaultNamespaces = map[string]cache.Config{}
		for _, ns := range t.WatchNamespaces {
			opts.DefaultNamespaces[ns] = cache.Config{}
		}
	}
	connection.SecretMetadataOnly(&opts)
	return opts
}

// metricsOptions serves metrics over HTTPS to callers the API server authenticates
// and authorizes (the metrics-reader ClusterRole), unless insecure is set. Without a
// certificate directory the server makes a self-signed certificate, which scrapers
// cannot verify; with one (tls.crt and tls.key, a kubernetes.io/tls Secret mounted
// there) they can, and the server reloads it when it is renewed.
func metricsOptions(addr, certDir string, insecure bool) metricsserver.Options {
	if insecure {
		return metricsserver.Options{BindAddress: addr}
	}
	return metricsserver.Options{BindAddress: addr, SecureServing: true, FilterProvider: filters.WithAuthenticationAndAuthorization,
		CertDir: certDir, CertName: "tls.crt", KeyName: "tls.key"}
}
