package managed

import (
	"time"

	"golang.org/x/time/rate"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// MaxRetryDelay is the longest a failing object waits for its next try.
//
// controller-runtime's default doubles the wait from 5 ms up to 1,000 s. An object fails
// many times in a row while the kube-apiserver is unreachable (each try fails at once,
// and every watch event of a referenced object starts another), so after a minute's
// outage it could wait a quarter of an hour for its next try, long after everything
// came back. A minute is the ceiling instead: what keeps retries from storming
// HoxtonAi is each Connection's request budget and circuit breaker, not this backoff.
const MaxRetryDelay = time.Minute

// RetryLimiter spaces the retries of the objects of one controller: per object,
// doubling from 5 ms to MaxRetryDelay; for all of them, at most 10 a second with
// bursts of 100, as controller-runtime's default.
func RetryLimiter() workqueue.TypedRateLimiter[reconcile.Request] {
	return workqueue.NewTypedMaxOfRateLimiter(
		workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](5*time.Millisecond, MaxRetryDelay),
		&workqueue.TypedBucketRateLimiter[reconcile.Request]{Limiter: rate.NewLimiter(rate.Limit(10), 100)},
	)
}
