package connection

import (
	"cmp"
	"context"
	"math/rand/v2"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
)

// A check that cannot reach the token endpoint or the API (a 500, a dropped
// connection, a timeout) says little about a Connection that was Ready for its
// spec: every object of the Connection waits while it is not Ready, so one failed
// request would stop a whole tenant until the next check. Such a Connection stays
// Ready for DefaultUnavailableGrace of failing checks, retried after a second and
// then with doubling waits, and only then turns NotReady. A Connection not Ready
// yet reports the failure at once, as it cannot be relied on anyway.

// DefaultUnavailableGrace is how long a Connection Ready for its spec stays Ready
// while its checks cannot reach HoxtonAi.
const DefaultUnavailableGrace = 30 * time.Second

// firstUnavailableRetry is how soon a check that could not reach HoxtonAi is tried
// again; each further failure doubles the wait, up to retryUnavailable.
const firstUnavailableRetry = time.Second

// outages remembers, per Connection, since when its checks fail to reach HoxtonAi.
type outages struct {
	mu      sync.Mutex
	started map[string]outage
}

type outage struct {
	since    time.Time
	failures int
}

// failed records a failed check of key and returns its outage so far.
func (o *outages) failed(key string, now time.Time) outage {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.started == nil {
		o.started = map[string]outage{}
	}
	cur, ok := o.started[key]
	if !ok {
		cur.since = now
	}
	cur.failures++
	o.started[key] = cur
	return cur
}

// ended forgets the outage of key: a check reached HoxtonAi, or the Connection is gone.
func (o *outages) ended(key string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.started, key)
}

// retry is the wait before the next check: a second after the first failure,
// doubling, up to retryUnavailable, with a little jitter so that the Connections of
// one outage do not come back in step.
func (cur outage) retry() time.Duration {
	d := retryUnavailable
	if cur.failures < 6 {
		d = min(firstUnavailableRetry<<(cur.failures-1), retryUnavailable)
	}
	return d + rand.N(d/5+1)
}

// unavailable handles a check that could not reach HoxtonAi: NotReady with reason
// and msg, unless the Connection was Ready for its spec and the outage is younger
// than the grace.
func (r *Reconciler[C]) unavailable(ctx context.Context, conn C, reason, msg string, notReady func(reason, msg string)) ctrl.Result {
	cur := r.outages.failed(connectionKey(conn), time.Now())
	c := conditions.Get(conn.GetConnectionStatus().Conditions, conditions.TypeReady)
	readyForSpec := c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == conn.GetGeneration()
	if readyForSpec && time.Since(cur.since) < cmp.Or(r.unavailableGrace, DefaultUnavailableGrace) {
		logf.FromContext(ctx).V(1).Info("the check could not reach HoxtonAi; the Connection stays Ready for the grace",
			"failures", cur.failures, "since", cur.since.Format(time.RFC3339), "error", msg)
		return ctrl.Result{RequeueAfter: cur.retry()}
	}
	notReady(reason, msg)
	return ctrl.Result{RequeueAfter: cur.retry()}
}
