package operator_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// syncingCache is a cache whose informers have synced or not.
type syncingCache struct {
	cache.Cache
	synced bool
}

func (c syncingCache) WaitForCacheSync(ctx context.Context) bool {
	if !c.synced {
		<-ctx.Done()
	}
	return c.synced
}

// TestCachesSyncedChecker: the readiness check fails, within a probe's timeout,
// while the caches have not synced, and passes once they have.
func TestCachesSyncedChecker(t *testing.T) {
	req, _ := http.NewRequest(http.MethodGet, "/readyz", nil)
	start := time.Now()
	if err := operator.CachesSynced(syncingCache{synced: false})(req); err == nil {
		t.Error("ready with caches that have not synced")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the check took %s, longer than a probe's default timeout", d)
	}
	if err := operator.CachesSynced(syncingCache{synced: true})(req); err != nil {
		t.Errorf("not ready with synced caches: %v", err)
	}
}

// readinessWaitsForTheCaches: a manager whose caches cannot sync (its identity may
// not list anything yet, as with RBAC applied after the Deployment) is alive but not
// ready; once it may list, its caches sync and it becomes ready.
func readinessWaitsForTheCaches(t *testing.T, cp *testenv.ControlPlane) {
	const user = "hoxton-readiness-test"
	cfg := rest.CopyConfig(cp.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user}
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	mgr, err := operator.New(ctx, cfg, operator.Options{MetricsAddr: "0", ProbeAddr: addr, SkipNameValidation: true})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		// A manager stopped before its caches synced may report an error, or be slow
		// to stop: neither is this test's concern.
		select {
		case err := <-done:
			if err != nil {
				t.Logf("the manager without permissions stopped: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Log("the manager without permissions did not stop within 30s")
		}
	})
	hc := &http.Client{Timeout: 2 * time.Second}
	probe := func(path string) int {
		resp, err := hc.Get("http://" + addr + path)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	poll := func(what string, within time.Duration, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(within); !ok(); time.Sleep(200 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within %s", what, within)
			}
		}
	}
	poll("/healthz answers 200", 30*time.Second, func() bool { return probe("/healthz") == http.StatusOK })
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if code := probe("/readyz"); code != http.StatusServiceUnavailable && code != http.StatusInternalServerError {
			t.Fatalf("/readyz = %d while the caches cannot sync, want not ready", code)
		}
	}

	admin, err := client.New(cp.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}},
	}
	if err := admin.Create(ctx, binding); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Delete(context.Background(), binding) })
	poll("/readyz answers 200 once the caches synced", 60*time.Second, func() bool { return probe("/readyz") == http.StatusOK })
}

// standbyIsReady: of two replicas with leader election, the one waiting for the
// lease is Ready too (its caches synced), or a two-replica Deployment would never be
// available.
func standbyIsReady(t *testing.T, cp *testenv.ControlPlane) {
	ctx, cancel := context.WithCancel(context.Background())
	var stopped []chan error
	t.Cleanup(func() {
		cancel()
		for _, done := range stopped {
			if err := <-done; err != nil {
				t.Errorf("manager: %v", err)
			}
		}
	})
	var addrs []string
	var elected []<-chan struct{}
	for range 2 {
		addr := freeAddr(t)
		mgr, err := operator.New(ctx, cp.Config, operator.Options{MetricsAddr: "0", ProbeAddr: addr, SkipNameValidation: true,
			LeaderElection: true, LeaderElectionNamespace: "default"})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- mgr.Start(ctx) }()
		stopped = append(stopped, done)
		addrs, elected = append(addrs, addr), append(elected, mgr.Elected())
	}
	hc := &http.Client{Timeout: 2 * time.Second}
	ready := func(addr string) bool {
		resp, err := hc.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	for deadline := time.Now().Add(60 * time.Second); !ready(addrs[0]) || !ready(addrs[1]); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not both replicas ready within 60s: %v, %v", ready(addrs[0]), ready(addrs[1]))
		}
	}
	// Readiness does not wait for the lease, which an earlier manager of this control
	// plane may still hold until it expires: wait for one leader, then both must
	// still be ready, the standby included.
	countLeaders := func() int {
		n := 0
		for _, e := range elected {
			select {
			case <-e:
				n++
			default:
			}
		}
		return n
	}
	for deadline := time.Now().Add(60 * time.Second); countLeaders() == 0; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no replica elected within 60s")
		}
	}
	if leaders := countLeaders(); leaders != 1 || !ready(addrs[0]) || !ready(addrs[1]) {
		t.Errorf("%d leaders, replicas ready %t %t; want 1 leader and a Ready standby", leaders, ready(addrs[0]), ready(addrs[1]))
	}
}
