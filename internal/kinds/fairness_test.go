package kinds_test

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// slowTenantSites is how many Sites the slow tenant has: twice the Site controller's
// workers, so that without a cap they would hold every worker.
const slowTenantSites = 8

// TestSlowConnectionDoesNotStallOthers: one tenant's HoxtonAi answers every request
// after 25 seconds, and it has more Sites than the Site controller has workers. Another
// tenant's Site, created meanwhile, is Ready within two seconds: the slow Connection
// runs at most MaxReconcilesPerConnection reconciles at once, and its other objects
// are put off without holding a worker or writing their status.
func TestSlowConnectionDoesNotStallOthers(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})

	// The slow tenant: its own fake HoxtonAi, fast until its Connection is Ready. Its
	// cleanup drops the requests still waiting rather than wait them out.
	slow := hoxtontest.NewHandler(hoxtontest.Options{})
	slowServer := httptest.NewServer(slow.Handler())
	t.Cleanup(func() {
		slowServer.CloseClientConnections()
		slowServer.Close()
	})
	nsSlow := newNamespace(t)
	// Runs before the namespace's cleanup, which deletes through the API.
	t.Cleanup(func() { slow.SetLatency(0) })
	create(t, testenv.ConnectionSecret(nsSlow, "slow-credentials"))
	connSlow := env.Connection(nsSlow, v1alpha1.DefaultConnectionName, "slow-credentials")
	connSlow.Spec.APIURL, connSlow.Spec.TokenURL = slowServer.URL+"/api/v0", slowServer.URL+"/oauth/token"
	connSlow.Spec.OrganisationID = slow.OrganisationID()
	create(t, connSlow)
	nsFast := newConnectedNamespace(t)
	waitConnection(t, connSlow, metav1.ConditionTrue, conditions.ReasonAvailable)
	waitDefaultConnectionReady(t, nsFast)
	deferredBefore := reconcilesDeferred(t, nsSlow)

	slow.SetLatency(25 * time.Second)
	sites := make([]*v1alpha1.Site, slowTenantSites)
	for i := range sites {
		sites[i] = isolationSite(nsSlow, fmt.Sprintf("slow-%d", i), nil)
		create(t, sites[i])
	}
	// A site records its id just before its first PUT: that many are in flight.
	inFlight := func() int {
		n := 0
		for _, s := range sites {
			get(t, s)
			if s.Status.ExternalID != "" {
				n++
			}
		}
		return n
	}
	eventually(t, "the slow tenant's first PUTs to be under way", func() (bool, string) {
		n := inFlight()
		return n >= 3, fmt.Sprintf("%d sites sent their PUT", n)
	})

	start := time.Now()
	fast := isolationSite(nsFast, "fast", nil)
	create(t, fast)
	eventuallyWithin(t, 2*time.Second, "the other tenant's Site to be Ready while the slow tenant's requests hang", func() (bool, string) {
		get(t, fast)
		return isReadyAndSynced(fast), describeStatus(fast)
	})
	t.Logf("the other tenant's Site was Ready after %s", time.Since(start).Round(time.Millisecond))

	// The slow tenant ran at most its cap, and the reconciles put off left no trace
	// in the objects' status.
	if n := inFlight(); n > 3 {
		t.Errorf("%d of the slow tenant's Sites sent a request at once, over the cap of 3 (MaxConcurrentReconciles 4 minus one)", n)
	}
	for _, s := range sites {
		if s.Status.ExternalID == "" && len(s.Status.Conditions) > 0 {
			t.Errorf("Site %s was put off, yet its status was written: %s", key(s), describeStatus(s))
		}
	}
	if got := reconcilesDeferred(t, nsSlow) - deferredBefore; got < 1 {
		t.Errorf("%s for the slow Connection rose by %v, want at least 1", managed.MetricReconcilesDeferred, got)
	}
}

// reconcilesDeferred sums the deferred-reconciles counter of the Connection "default"
// of ns, read from the manager's registry.
func reconcilesDeferred(t testing.TB, ns string) float64 {
	t.Helper()
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatalf("gathering metrics: %v", err)
	}
	sum := 0.0
	for _, f := range families {
		if f.GetName() != managed.MetricReconcilesDeferred {
			continue
		}
		for _, m := range f.GetMetric() {
			if label(m, "namespace") == ns && label(m, "name") == v1alpha1.DefaultConnectionName {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
