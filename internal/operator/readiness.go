package operator

import (
	"context"
	"errors"
	"net/http"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
)

// readyWait is how long one readiness probe waits for the caches to sync, well
// within a kubelet probe's default timeout of one second.
const readyWait = 500 * time.Millisecond

// CachesSynced is the manager's readiness check (/readyz): ready once the informers
// of every kind the manager watches have listed their objects. Before that, a
// replica would act on an empty cache: Connections not found, objects without their
// references.
//
// Readiness does not depend on leadership. With leader election only the leader
// reconciles, but every replica starts its cache (the kinds' field indexes create
// the informers before the controllers start), so a standby is Ready as soon as its
// cache is, and takes over with a warm cache. A check that waited for the lease
// would keep a two-replica Deployment unavailable for ever, and `kubectl rollout
// status` and Helm's --wait with it.
func CachesSynced(c cache.Cache) healthz.Checker {
	return func(req *http.Request) error {
		ctx, cancel := context.WithTimeout(req.Context(), readyWait)
		defer cancel()
		if !c.WaitForCacheSync(ctx) {
			return errors.New("the informer caches have not synced yet")
		}
		return nil
	}
}
