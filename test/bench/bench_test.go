// Package bench is the performance harness (`make bench`): the manager with every
// controller on an envtest control plane against the fake HoxtonAi API, measuring how
// fast a set of objects converges and what it costs the API, in steady state too.
// Figures come from b.ReportMetric, so `make bench` prints them per run; quote medians
// of several runs (benchstat), the machines are noisy.
package bench

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	var err error
	env, err = testenv.Start(hoxtontest.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	if err := env.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

// camerasPerSite is how many cameras each site of the fleet has.
const camerasPerSite = 2

// BenchmarkConvergeFleet creates a fleet (sites, each with cameras and a people count
// monitor fed by them) in a fresh namespace and measures the time until every object
// is Ready, the API requests per object, and the token requests (one per
// credentials is the goal; the Connection's check already fetched it, so 0 here).
// With the default request budget of 10 per second, the time to Ready is about
// requests / 10: the budget, not the operator, sets the pace.
func BenchmarkConvergeFleet(b *testing.B) {
	for _, sites := range []int{10, 50} {
		b.Run(fmt.Sprintf("sites=%d", sites), func(b *testing.B) {
			for i := range b.N {
				convergeFleet(b, fmt.Sprintf("fleet-%d-%d", sites, i), sites)
			}
		})
	}
}

func convergeFleet(b *testing.B, ns string, sites int) {
	ctx := context.Background()
	must(b, env.StartManager(operator.Options{MaxConcurrentReconciles: 4}))
	defer func() {
		must(b, env.StopManager())
		clearNamespace(b, ns)
	}()
	must(b, env.CreateNamespace(ctx, ns))
	must(b, env.CreateConnection(ctx, ns, "default"))
	waitReady(b, ns, &v1alpha1.ConnectionList{}, 1, time.Minute)

	env.API.ResetRequests()
	tokensBefore := env.API.TokenRequests("")
	start := time.Now()
	objects := createFleet(b, ns, sites)
	waitReady(b, ns, &v1alpha1.SiteList{}, sites, 5*time.Minute)
	waitReady(b, ns, &v1alpha1.CameraList{}, sites*camerasPerSite, 5*time.Minute)
	waitReady(b, ns, &v1alpha1.PeopleCountMonitorList{}, sites, 5*time.Minute)
	elapsed := time.Since(start)

	requests := len(env.API.Requests())
	b.ReportMetric(elapsed.Seconds(), "s-to-ready")
	b.ReportMetric(float64(requests)/float64(objects), "api-requests/object")
	b.ReportMetric(float64(env.API.CountWrites())/float64(objects), "api-writes/object")
	b.ReportMetric(float64(env.API.TokenRequests("")-tokensBefore), "token-requests")
}

// BenchmarkSteadyState measures what an in-sync fleet costs over several poll
// intervals: API reads per object per poll, and writes (the goal is zero). The fleet
// is sized so that its polls stay under the Connection's default budget of 10
// requests per second; a larger fleet's polls are spread out by the budget instead.
func BenchmarkSteadyState(b *testing.B) {
	const sites, poll, polls = 5, 4 * time.Second, 5
	ctx := context.Background()
	for i := range b.N {
		ns := fmt.Sprintf("steady-%d", i)
		must(b, env.StartManager(operator.Options{PollInterval: poll}))
		must(b, env.CreateNamespace(ctx, ns))
		must(b, env.CreateConnection(ctx, ns, "default"))
		objects := createFleet(b, ns, sites)
		waitReady(b, ns, &v1alpha1.PeopleCountMonitorList{}, sites, 5*time.Minute)
		waitReady(b, ns, &v1alpha1.CameraList{}, sites*camerasPerSite, 5*time.Minute)

		env.API.ResetRequests()
		window := time.Duration(polls) * poll
		time.Sleep(window) // the measurement window itself: nothing is awaited, traffic is counted
		reads := len(env.API.Requests()) - env.API.CountWrites()
		b.ReportMetric(float64(reads)/float64(objects)/polls, "api-reads/object/poll")
		b.ReportMetric(float64(env.API.CountWrites()), "api-writes")
		must(b, env.StopManager())
		clearNamespace(b, ns)
	}
}

// clearNamespace removes a benchmark's objects from the cluster without touching HoxtonAi
// (the manager is stopped and the finalizers are dropped), so that the next
// benchmark's manager does not poll them.
func clearNamespace(b *testing.B, ns string) {
	ctx := context.Background()
	for _, list := range []client.ObjectList{&v1alpha1.PeopleCountMonitorList{}, &v1alpha1.CameraList{}, &v1alpha1.SiteList{}, &v1alpha1.ConnectionList{}} {
		must(b, env.Client.List(ctx, list, client.InNamespace(ns)))
		must(b, meta.EachListItem(list, func(o runtime.Object) error {
			obj := o.(client.Object)
			base := obj.DeepCopyObject().(client.Object)
			obj.SetFinalizers(nil)
			if err := env.Client.Patch(ctx, obj, client.MergeFrom(base)); client.IgnoreNotFound(err) != nil {
				return err
			}
			return client.IgnoreNotFound(env.Client.Delete(ctx, obj))
		}))
	}
}

// createFleet creates sites with cameras and a monitor each; it returns the number of
// managed objects.
func createFleet(b *testing.B, ns string, sites int) int {
	ctx := context.Background()
	for s := range sites {
		site := fmt.Sprintf("site-%d", s)
		must(b, env.Client.Create(ctx, &v1alpha1.Site{ObjectMeta: objectMeta(ns, site), Spec: v1alpha1.SiteSpec{Name: "Store " + site, TimeZone: "Europe/London"}}))
		var positions []v1alpha1.MonitorCameraPosition
		for c := range camerasPerSite {
			cam := fmt.Sprintf("%s-cam-%d", site, c)
			must(b, env.Client.Create(ctx, &v1alpha1.Camera{ObjectMeta: objectMeta(ns, cam), Spec: v1alpha1.CameraSpec{
				SerialNumber: ns + "-" + cam, SiteRef: &v1alpha1.LocalReference{Name: site}, Name: cam,
			}}))
			positions = append(positions, v1alpha1.MonitorCameraPosition{CameraRef: &v1alpha1.LocalReference{Name: cam}})
		}
		must(b, env.Client.Create(ctx, &v1alpha1.PeopleCountMonitor{ObjectMeta: objectMeta(ns, site+"-footfall"), Spec: v1alpha1.PeopleCountMonitorSpec{
			SiteParent: v1alpha1.SiteParent{SiteRef: &v1alpha1.LocalReference{Name: site}}, Name: "Footfall " + site, CameraPositions: positions,
		}}))
	}
	return sites * (2 + camerasPerSite)
}

// waitReady waits until want objects of the list's kind in ns are Ready.
func waitReady(b *testing.B, ns string, list client.ObjectList, want int, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for {
		must(b, env.Client.List(context.Background(), list, client.InNamespace(ns)))
		if n := countReady(list); n >= want {
			return
		} else if time.Now().After(deadline) {
			b.Fatalf("%T in %s: %d of %d Ready after %s", list, ns, n, want, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func countReady(list client.ObjectList) int {
	n := 0
	switch l := list.(type) {
	case *v1alpha1.ConnectionList:
		for _, o := range l.Items {
			n += ready(o.Status.Conditions)
		}
	case *v1alpha1.SiteList:
		for _, o := range l.Items {
			n += ready(o.Status.Conditions)
		}
	case *v1alpha1.CameraList:
		for _, o := range l.Items {
			n += ready(o.Status.Conditions)
		}
	case *v1alpha1.PeopleCountMonitorList:
		for _, o := range l.Items {
			n += ready(o.Status.Conditions)
		}
	}
	return n
}

func ready(conds []metav1.Condition) int {
	if conditions.IsTrue(conds, conditions.TypeReady) {
		return 1
	}
	return 0
}

func objectMeta(ns, name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: ns, Name: name}
}

func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}
