package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
	"github.com/hoxton-operator/hoxton-operator/test/bench/fleet"
)

// saturationProfile is the scale of a spec change made while polls saturate the
// Connection's budget: objects polled every poll ask for more than budgetRPS.
type saturationProfile struct {
	objects int
	poll    time.Duration
	// window is how long the polls' request rate is measured before the change.
	window    time.Duration
	budgetRPS int32
}

var (
	// About 35 poll requests per second (1.76 per poll) against a budget of 10.
	saturationBig   = saturationProfile{objects: 200, poll: 10 * time.Second, window: 10 * time.Second, budgetRPS: 10}
	saturationShort = saturationProfile{objects: 20, poll: 2 * time.Second, window: 3 * time.Second, budgetRPS: 10}
)

// BenchmarkSpecChangeUnderPolls converges a fleet polled more often than a budget of
// 10 requests per second allows (converged with a large budget, then the budget is
// cut), and once the polls fill the budget (saturated-req/s, beside budget-req/s)
// changes one Site's spec and reports the time until HoxtonAi has it
// (s-to-apply-change): how long a user's change waits behind the polls.
func BenchmarkSpecChangeUnderPolls(b *testing.B) {
	for i := range b.N {
		changeUnderPolls(b, b, saturationBig, fmt.Sprintf("saturated-%d", i))
	}
}

func changeUnderPolls(tb testing.TB, fig figures, p saturationProfile, ns string) {
	ctx := context.Background()
	must(tb, env.StartManager(operator.Options{PollInterval: p.poll, KubeQPS: kubeQPS, KubeBurst: 2 * kubeQPS}))
	defer func() {
		must(tb, env.StopManager())
		must(tb, testenv.ClearNamespace(ctx, kube, ns))
	}()
	must(tb, env.CreateNamespace(ctx, ns))
	must(tb, createBudgetedConnection(ctx, ns, 50*p.budgetRPS))
	waitConnectionReady(tb, ns)
	objs := fleet.Build(ns, ns, fleet.StoresFor(p.objects))
	must(tb, testenv.CreateAll(ctx, kube, clientObjects(objs)))
	waitInSync(tb, ns, len(objs), 5*time.Minute)

	conn := &v1alpha1.Connection{}
	must(tb, kube.Get(ctx, client.ObjectKey{Namespace: ns, Name: "default"}, conn))
	base := conn.DeepCopy()
	conn.Spec.RequestBudget.RequestsPerSecond = p.budgetRPS
	must(tb, kube.Patch(ctx, conn, client.MergeFrom(base)))
	// The state measured: a poll interval for every object to queue its poll behind
	// the new budget (nothing signals it; the window below shows it).
	time.Sleep(p.poll)
	env.API.ResetRequests()
	time.Sleep(p.window)
	fig.ReportMetric(float64(len(objs)), "objects")
	fig.ReportMetric(float64(p.budgetRPS), "budget-req/s")
	fig.ReportMetric(float64(len(env.API.Requests()))/p.window.Seconds(), "saturated-req/s")

	site := &v1alpha1.Site{}
	must(tb, kube.Get(ctx, client.ObjectKey{Namespace: ns, Name: "store-0-site"}, site))
	siteBase := site.DeepCopy()
	site.Spec.Name = "Store 0 (renamed while the polls fill the budget)"
	must(tb, kube.Patch(ctx, site, client.MergeFrom(siteBase)))
	applied := waitSiteName(tb, site.Status.ExternalID, site.Spec.Name, 5*time.Minute)
	fig.ReportMetric(applied.Seconds(), "s-to-apply-change")
}
