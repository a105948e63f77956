package operator

import "sigs.k8s.io/controller-runtime/pkg/cache"

// watchOnly restricts the cache's namespaced informers to namespaces, so that a
// namespaced install (Roles instead of a ClusterRole) can list and watch.
func watchOnly(opts *cache.Options, namespaces []string) {
	if len(namespaces) == 0 {
		return
	}
	opts.DefaultNamespaces = make(map[string]cache.Config, len(namespaces))
	for _, ns := range namespaces {
		opts.DefaultNamespaces[ns] = cache.Config{}
	}
}
