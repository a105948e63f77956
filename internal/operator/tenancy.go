package operator

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
// Secrets only, only the watched namespaces when the install is namespaced, and only
// the objects of the manager's shard.
func cacheOptions(t Tenancy, shard string) cache.Options {
	opts := cache.Options{DefaultTransform: stripUnread}
	if len(t.WatchNamespaces) > 0 {
		opts.DefaultNamespaces = map[string]cache.Config{}
		for _, ns := range t.WatchNamespaces {
			opts.DefaultNamespaces[ns] = cache.Config{}
		}
	}
	connection.SecretMetadataOnly(&opts)
	restrictToShard(&opts, shard)
	return opts
}

// lastAppliedAnnotation is where client-side `kubectl apply` keeps a whole copy of
// the object as last applied.
const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// stripUnread drops from every cached object what the manager never reads: its
// managed fields and kubectl's last-applied copy, which together cost more memory
// than the object itself. Nothing is lost on the server: the manager writes objects
// only by patches computed between two cached copies, which leave both alone.
func stripUnread(obj any) (any, error) {
	obj, err := cache.TransformStripManagedFields()(obj)
	if m, ok := obj.(metav1.Object); ok && err == nil {
		if a := m.GetAnnotations(); a[lastAppliedAnnotation] != "" {
			delete(a, lastAppliedAnnotation)
			m.SetAnnotations(a)
		}
	}
	return obj, err
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
