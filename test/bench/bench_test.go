// Package bench is the performance harness (`make bench`): the manager with every
// controller on an envtest control plane against the fake HoxtonAi API, measuring how
// close a fleet of every kind converges to the API's floor (the writes it cannot do
// without, at the Connection's request budget), what it costs the API and the
// kube-apiserver, and (memory_test.go) the real manager binary's memory and restart
// with 10,000 objects. Figures come from b.ReportMetric; logs go to the file the run
// names on its first line. `make test` runs the same code on a few dozen objects
// (TestBenchShortProfile), so that the benchmark cannot stop working unnoticed.
package bench

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
	"github.com/hoxton-operator/hoxton-operator/test/bench/fleet"
)

var (
	env  *testenv.Env
	kube client.Client
)

// The conditions of the floor benchmark.
const (
	apiLatency = 20 * time.Millisecond
	budgetRPS  = 50
	kubeQPS    = 200
)

func TestMain(m *testing.M) {
	path, closeLog, err := testenv.LogToFile("hoxton-bench")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("logs: %s\n", path)
	env, err = testenv.Start(hoxtontest.Options{})
	if err == nil {
		kube, err = env.FastClient()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	if err := env.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	closeLog()
	os.Exit(code)
}

// BenchmarkFleet converges fleets of every kind (stores with cameras, monitors fed by
// several cameras, nested notification groups, alerts) from nothing, with 20 ms of
// API latency and a budget of 50 requests per second, and reports:
//   - s-to-in-sync: time until every object is Ready and Synced, and x-floor, its
//     ratio to the floor (required writes / budget);
//   - api-req/object, and req/write, the requests' ratio to the required writes;
//   - token-req: token requests made while converging;
//   - status-writes/object: status writes to the kube-apiserver.
func BenchmarkFleet(b *testing.B) {
	for _, size := range []int{100, 1000} {
		b.Run(fmt.Sprintf("objects=%d", size), func(b *testing.B) {
			for i := range b.N {
				convergeFleet(b, b, fmt.Sprintf("fleet-%d-%d", size, i), size)
			}
		})
	}
}

// figures receives a run's figures: b.ReportMetric in the benchmarks, a recorder in
// the short profile.
type figures interface {
	ReportMetric(n float64, unit string)
}

func convergeFleet(b testing.TB, fig figures, ns string, size int) {
	ctx := context.Background()
	statusWrites := &testenv.StatusWrites{}
	// Each new object costs about 3.6 writes to the kube-apiserver (finalizer, id,
	// status), so the default --kube-api-qps of 50 would hold a 1,000-object fleet
	// at 1.5 times the API floor; the benchmark measures the API side.
	must(b, env.StartManager(operator.Options{NewClient: statusWrites.NewClient, KubeQPS: kubeQPS, KubeBurst: 2 * kubeQPS}))
	env.API.SetLatency(apiLatency)
	defer func() {
		env.API.SetLatency(0)
		must(b, env.StopManager())
		must(b, testenv.ClearNamespace(ctx, kube, ns))
	}()
	must(b, env.CreateNamespace(ctx, ns))
	must(b, createBudgetedConnection(ctx, ns, budgetRPS))
	waitConnectionReady(b, ns)

	objs := fleet.Build(ns, ns, fleet.StoresFor(size))
	writes := fleet.Floor(objs)
	floor := time.Duration(float64(writes) / budgetRPS * float64(time.Second))
	env.API.ResetRequests()
	tokensBefore := env.API.TokenRequests("")
	statusBefore := statusWrites.Count()
	start := time.Now()
	must(b, testenv.CreateAll(ctx, kube, clientObjects(objs)))
	waitInSync(b, ns, len(objs), max(5*time.Minute, 10*floor))
	elapsed := time.Since(start)

	reqs := env.API.Requests()
	logBreakdown(ns, reqs)
	requests := len(reqs)
	n := float64(len(objs))
	fig.ReportMetric(n, "objects")
	fig.ReportMetric(float64(writes), "required-writes")
	fig.ReportMetric(floor.Seconds(), "floor-s")
	fig.ReportMetric(elapsed.Seconds(), "s-to-in-sync")
	fig.ReportMetric(elapsed.Seconds()/floor.Seconds(), "x-floor")
	fig.ReportMetric(float64(requests)/n, "api-req/object")
	fig.ReportMetric(float64(requests)/float64(writes), "req/write")
	fig.ReportMetric(float64(env.API.TokenRequests("")-tokensBefore), "token-req")
	fig.ReportMetric(float64(statusWrites.Count()-statusBefore)/n, "status-writes/object")
}

// createBudgetedConnection creates the namespace's default Connection with a budget
// of rps requests per second and no burst beyond one, so that the floor is exact.
func createBudgetedConnection(ctx context.Context, ns string, rps int32) error {
	if err := kube.Create(ctx, testenv.ConnectionSecret(ns, "default-credentials")); err != nil {
		return err
	}
	conn := env.Connection(ns, "default", "default-credentials")
	conn.Spec.RequestBudget = &v1alpha1.RequestBudget{RequestsPerSecond: rps, Burst: 1}
	return kube.Create(ctx, conn)
}

func waitConnectionReady(b testing.TB, ns string) {
	b.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		var c v1alpha1.Connection
		if err := kube.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "default"}, &c); err == nil && conditions.IsTrue(c.Status.Conditions, conditions.TypeReady) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Fatalf("the Connection in %s is not Ready after a minute", ns)
}

// waitInSync waits until want objects of ns are Ready and Synced.
func waitInSync(b testing.TB, ns string, want int, timeout time.Duration) {
	b.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st, err := testenv.Fleet(context.Background(), kube, ns)
		must(b, err)
		if st.InSync >= want {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s: %d of %d objects in sync after %s; for example %v", ns, st.InSync, want, timeout, st.NotInSync)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func clientObjects(objs []fleet.Object) []client.Object {
	out := make([]client.Object, len(objs))
	for i, o := range objs {
		out[i] = o.Obj
	}
	return out
}

func must(b testing.TB, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}
