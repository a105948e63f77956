package kinds_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// Sites per namespace in the isolation tests: more than the workers of a controller,
// so that parked workers would starve the other namespace.
const isolationSites = 6

// isolationSite returns a Site of ns that uses the Connection ref (nil: "default").
func isolationSite(ns, name string, ref *v1alpha1.ConnectionReference) *v1alpha1.Site {
	s := &v1alpha1.Site{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.SiteSpec{
			Name: "Site " + ns + "/" + name, Address: "1 High Street, London", TimeZone: "Europe/London",
			OpeningHours: &runtime.RawExtension{Raw: []byte(`{"monday":{"open":"08:00","close":"18:00"}}`)},
		},
	}
	s.Spec.ConnectionRef = ref
	return s
}

// TestThrottledConnectionDoesNotStallOthers: one Connection's organisation answers
// every request with 429 and Retry-After 999999999 (31.7 years). The objects of
// another Connection, created afterwards, still converge on time: no worker of any
// controller waits on the throttled Connection's budget, and the pause is capped.
func TestThrottledConnectionDoesNotStallOthers(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})

	// Namespace A: its own OAuth client, so that a fault can single it out.
	nsA := newNamespace(t)
	secret := credentialsSecret(nsA, "throttled-credentials", map[string]string{
		v1alpha1.SecretKeyClientID: rotatingClientID, v1alpha1.SecretKeyClientSecret: rotatingClientSecret,
	})
	create(t, secret)
	connA := env.Connection(nsA, v1alpha1.DefaultConnectionName, secret.Name)
	create(t, connA)
	sitesA := make([]*v1alpha1.Site, isolationSites)
	for i := range sitesA {
		sitesA[i] = isolationSite(nsA, fmt.Sprintf("a-%d", i), nil)
		create(t, sitesA[i])
	}
	for _, s := range sitesA {
		waitReady(t, s)
	}

	// From now on HoxtonAi throttles A without end.
	env.API.AddFault(hoxtontest.Fault{ClientID: rotatingClientID, Status: http.StatusTooManyRequests, RetryAfter: 999999999 * time.Second})
	t.Cleanup(env.API.ClearFaults)
	calls := countCalls()
	eventually(t, "a 429 answered to namespace A", func() (bool, string) {
		n := len(calls.requests(func(r hoxtontest.Request) bool { return r.Status == http.StatusTooManyRequests }))
		return n > 0, fmt.Sprintf("%d throttled requests", n)
	})
	// A's objects report the throttling instead of hanging in a worker.
	for _, s := range sitesA {
		waitFor(t, s, "Synced=False after the throttling", func(o *v1alpha1.Site) bool {
			return hasCondition(o, conditions.TypeSynced, metav1.ConditionFalse, conditions.ReasonReconcileError)
		})
	}
	throttled := len(calls.requests(func(r hoxtontest.Request) bool { return r.Status == http.StatusTooManyRequests }))

	// Namespace B, with the default client, created while A is throttled.
	start := time.Now()
	nsB := newConnectedNamespace(t)
	sitesB := make([]*v1alpha1.Site, isolationSites)
	for i := range sitesB {
		sitesB[i] = isolationSite(nsB, fmt.Sprintf("b-%d", i), nil)
		create(t, sitesB[i])
	}
	for _, s := range sitesB {
		eventuallyWithin(t, 20*time.Second, fmt.Sprintf("Site %s Ready while namespace A is throttled", key(s)), func() (bool, string) {
			get(t, s)
			return isReadyAndSynced(s), describeStatus(s)
		})
	}
	t.Logf("namespace B converged in %s while namespace A was throttled", time.Since(start).Round(time.Millisecond))

	// A honoured the pause: none of its objects sent a request while B converged.
	if n := len(calls.requests(func(r hoxtontest.Request) bool { return r.Status == http.StatusTooManyRequests })); n != throttled {
		t.Errorf("namespace A sent %d more requests during its pause", n-throttled)
	}
	// The throttled Connection stays Ready: throttling says nothing about credentials.
	waitConnection(t, connA, metav1.ConditionTrue, conditions.ReasonAvailable)
	for _, s := range sitesA {
		get(t, s)
		if c := cond(s, conditions.TypeSynced); c == nil || !strings.Contains(c.Message, "budget") && !strings.Contains(c.Message, "429") {
			t.Errorf("Site %s: Synced %v does not say it is throttled", key(s), c)
		}
		// Let the cleanup delete them without waiting out the pause.
		update(t, s, func(o *v1alpha1.Site) { o.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan })
	}
}

// TestSlowAPIBoundsConnectionChecks: an API that takes longer to answer than a
// check may last turns the check into APIUnavailable, instead of holding a worker of
// the Connection controller until it answers.
func TestSlowAPIBoundsConnectionChecks(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval, ConnectionCheckTimeout: time.Second})
	ns := newNamespace(t)
	// Far longer than the bound below, so that only the check's own timeout (1 s) can
	// end it in time, however slowly a loaded machine starts the manager.
	env.API.SetLatency(40 * time.Second)
	t.Cleanup(func() { env.API.SetLatency(0) })
	start := time.Now()
	if err := env.CreateConnection(ctx, ns, v1alpha1.DefaultConnectionName); err != nil {
		t.Fatal(err)
	}
	conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName}}
	eventuallyWithin(t, 25*time.Second, "the slow check to end as APIUnavailable", func() (bool, string) {
		get(t, conn)
		return hasCondition(conn, conditions.TypeReady, metav1.ConditionFalse, conditions.ReasonAPIUnavailable), describeStatus(conn)
	})
	t.Logf("check ended after %s", time.Since(start).Round(time.Millisecond))
}
