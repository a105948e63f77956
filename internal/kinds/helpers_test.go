package kinds_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/kinds"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// Timing of the suite.
const (
	// pollInterval is the drift poll of the managers most tests start: short, so that
	// drift is corrected within seconds.
	pollInterval = 2 * time.Second
	// longPollInterval is for tests that must prove a watch, not the poll, did the work.
	longPollInterval = 10 * time.Minute
	// waitTimeout bounds every wait for a condition.
	waitTimeout = 30 * time.Second
	// waitPeriod is how often a wait re-checks its condition.
	waitPeriod = 100 * time.Millisecond
)

// zapLevelAll makes the zap logger log every V level.
var zapLevelAll = zapcore.Level(-10)

// ctx is the context of the suite's Kubernetes calls.
var ctx = context.Background()

// ---- waits ----

// eventually polls cond every waitPeriod until it reports true, and fails the test
// after waitTimeout with what was awaited and the last thing cond saw.
func eventually(t testing.TB, what string, cond func() (bool, string)) {
	t.Helper()
	eventuallyWithin(t, waitTimeout, what, cond)
}

// eventuallyWithin is eventually with its own deadline.
func eventuallyWithin(t testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	testenv.Eventually(t, timeout, what, cond)
}

// consistently checks cond every waitPeriod for the whole window and fails the test
// as soon as it does not hold: the way to assert that nothing happens.
func consistently(t testing.TB, window time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	end := time.Now().Add(window)
	for {
		if ok, last := cond(); !ok {
			t.Fatalf("expected %s throughout %s; broken after %s: %s", what, window, window-time.Until(end).Round(time.Millisecond), last)
		}
		if time.Now().After(end) {
			return
		}
		time.Sleep(waitPeriod)
	}
}

// ---- Kubernetes objects ----

// key returns the key of obj.
func key(obj client.Object) client.ObjectKey { return client.ObjectKeyFromObject(obj) }

// create creates obj, failing the test on error.
func create(t testing.TB, obj client.Object) {
	t.Helper()
	if err := env.Client.Create(ctx, obj); err != nil {
		t.Fatalf("creating %T %s: %v", obj, key(obj), err)
	}
}

// get re-reads obj from the API server (uncached).
func get(t testing.TB, obj client.Object) {
	t.Helper()
	if err := env.Client.Get(ctx, key(obj), obj); err != nil {
		t.Fatalf("reading %T %s: %v", obj, key(obj), err)
	}
}

// update re-reads obj, applies mutate and writes it back, retrying on conflicts
// (the manager writes finalizers and status concurrently).
func update[O client.Object](t testing.TB, obj O, mutate func(O)) {
	t.Helper()
	for attempt := 0; ; attempt++ {
		get(t, obj)
		mutate(obj)
		err := env.Client.Update(ctx, obj)
		if err == nil {
			return
		}
		if !apierrors.IsConflict(err) || attempt == 10 {
			t.Fatalf("updating %T %s: %v", obj, key(obj), err)
		}
	}
}

// deleteObject deletes obj (absent is fine).
func deleteObject(t testing.TB, obj client.Object) {
	t.Helper()
	if err := env.Client.Delete(ctx, obj); client.IgnoreNotFound(err) != nil {
		t.Fatalf("deleting %T %s: %v", obj, key(obj), err)
	}
}

// waitGone waits until obj no longer exists in Kubernetes.
func waitGone(t testing.TB, obj client.Object) {
	t.Helper()
	probe := obj.DeepCopyObject().(client.Object)
	eventually(t, fmt.Sprintf("%T %s to be gone", obj, key(obj)), func() (bool, string) {
		err := env.Client.Get(ctx, key(obj), probe)
		if apierrors.IsNotFound(err) {
			return true, ""
		}
		if err != nil {
			return false, err.Error()
		}
		return false, fmt.Sprintf("still there: deletionTimestamp=%v finalizers=%v %s", probe.GetDeletionTimestamp(), probe.GetFinalizers(), describeStatus(probe))
	})
}

// ---- conditions ----

// cond returns the condition of the given type of a managed object or Connection.
func cond(obj client.Object, condType string) *metav1.Condition {
	switch o := obj.(type) {
	case managed.Object:
		return conditions.Get(o.GetManagedStatus().Conditions, condType)
	case *v1alpha1.Connection:
		return conditions.Get(o.Status.Conditions, condType)
	}
	return nil
}

// describeStatus summarises the generation and conditions of obj for failure messages.
func describeStatus(obj client.Object) string {
	var b strings.Builder
	fmt.Fprintf(&b, "generation=%d", obj.GetGeneration())
	if o, ok := obj.(managed.Object); ok {
		st := o.GetManagedStatus()
		fmt.Fprintf(&b, " status.observedGeneration=%d status.externalID=%q", st.ObservedGeneration, st.ExternalID)
	}
	for _, t := range []string{conditions.TypeReady, conditions.TypeSynced} {
		if c := cond(obj, t); c != nil {
			fmt.Fprintf(&b, " %s=%s/%s(gen %d): %q", t, c.Status, c.Reason, c.ObservedGeneration, c.Message)
		}
	}
	return b.String()
}

// hasCondition reports whether obj's condition condType has the status and reason
// (any reason when reason is empty).
func hasCondition(obj client.Object, condType string, status metav1.ConditionStatus, reason string) bool {
	c := cond(obj, condType)
	return c != nil && c.Status == status && (reason == "" || c.Reason == reason)
}

// isReadyAndSynced reports whether a managed object is Ready=True and Synced=True,
// with both conditions and status.observedGeneration at the current generation.
func isReadyAndSynced(o managed.Object) bool {
	gen := o.GetGeneration()
	r, s := cond(o, conditions.TypeReady), cond(o, conditions.TypeSynced)
	return r != nil && s != nil && r.Status == metav1.ConditionTrue && s.Status == metav1.ConditionTrue &&
		r.ObservedGeneration == gen && s.ObservedGeneration == gen && o.GetManagedStatus().ObservedGeneration == gen
}

// waitFor re-reads obj until pred holds, failing with what and obj's status.
func waitFor[O client.Object](t testing.TB, obj O, what string, pred func(O) bool) {
	t.Helper()
	eventually(t, fmt.Sprintf("%T %s to be %s", obj, key(obj), what), func() (bool, string) {
		if err := env.Client.Get(ctx, key(obj), obj); err != nil {
			return false, err.Error()
		}
		return pred(obj), describeStatus(obj)
	})
}

// waitReady waits until a managed object is Ready and Synced at its current generation.
func waitReady[O managed.Object](t testing.TB, obj O) {
	t.Helper()
	waitFor(t, obj, "Ready=True and Synced=True at its generation", func(o O) bool { return isReadyAndSynced(o) })
}

// waitSyncedFalse waits until obj's Synced condition is False with the given reason,
// at its current generation.
func waitSyncedFalse[O managed.Object](t testing.TB, obj O, reason string) {
	t.Helper()
	waitFor(t, obj, "Synced=False/"+reason, func(o O) bool {
		c := cond(o, conditions.TypeSynced)
		return c != nil && c.Status == metav1.ConditionFalse && c.Reason == reason && c.ObservedGeneration == o.GetGeneration()
	})
}

// waitConnection waits until a Connection's Ready condition has the status and reason.
func waitConnection(t testing.TB, conn *v1alpha1.Connection, status metav1.ConditionStatus, reason string) {
	t.Helper()
	waitFor(t, conn, fmt.Sprintf("Ready=%s/%s", status, reason), func(c *v1alpha1.Connection) bool {
		return hasCondition(c, conditions.TypeReady, status, reason) && c.Status.ObservedGeneration == c.Generation
	})
}

// ---- namespaces, Connections, managers ----

var namespaceSeq atomic.Int32

var notDNS = regexp.MustCompile(`[^a-z0-9]+`)

// newNamespace creates a namespace named after the test, and deletes every managed
// object in it when the test ends, so that no later manager reconciles it.
func newNamespace(t *testing.T) string {
	t.Helper()
	name := strings.Trim(notDNS.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	if len(name) > 50 {
		name = name[len(name)-50:]
	}
	name = fmt.Sprintf("%s-%d", strings.Trim(name, "-"), namespaceSeq.Add(1))
	if err := env.CreateNamespace(ctx, name); err != nil {
		t.Fatalf("creating namespace %s: %v", name, err)
	}
	t.Cleanup(func() { cleanNamespace(t, name) })
	return name
}

// newConnectedNamespace creates a namespace with a working Connection "default".
func newConnectedNamespace(t *testing.T) string {
	t.Helper()
	ns := newNamespace(t)
	if err := env.CreateConnection(ctx, ns, v1alpha1.DefaultConnectionName); err != nil {
		t.Fatalf("creating the Connection in %s: %v", ns, err)
	}
	return ns
}

// waitDefaultConnectionReady waits until the namespace's Connection "default" is Ready.
func waitDefaultConnectionReady(t testing.TB, ns string) {
	t.Helper()
	conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName}}
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
}

// cleanNamespace deletes the managed objects of ns, of every registered kind, and
// waits for them to go: through the running manager when there is one (its
// finalizer), else, or when that takes too long, by removing the finalizer.
func cleanNamespace(t *testing.T, ns string) {
	registry := kinds.Registry()
	for i := len(registry) - 1; i >= 0; i-- {
		if err := env.Client.DeleteAllOf(ctx, registry[i].New(), client.InNamespace(ns)); err != nil {
			t.Errorf("cleaning up %s: %v", ns, err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := 0
		for _, k := range registry {
			list := k.NewList()
			if err := env.Client.List(ctx, list, client.InNamespace(ns)); err != nil {
				t.Errorf("cleaning up %s: %v", ns, err)
				return
			}
			left += forEachItem(list, func(o client.Object) {
				if time.Now().After(deadline) {
					t.Logf("cleanup: %s %s was not deleted in time, removing its finalizer: %s",
						o.GetObjectKind().GroupVersionKind().Kind, key(o), describeStatus(o))
					patch := client.MergeFrom(o.DeepCopyObject().(client.Object))
					controllerutil.RemoveFinalizer(o, managed.Finalizer)
					_ = env.Client.Patch(ctx, o, patch)
				}
			})
		}
		if left == 0 {
			return
		}
		time.Sleep(waitPeriod)
	}
}

// forEachItem calls fn with every item of list and returns their number.
func forEachItem(list client.ObjectList, fn func(client.Object)) int {
	n := 0
	_ = meta.EachListItem(list, func(o runtime.Object) error {
		fn(o.(client.Object))
		n++
		return nil
	})
	return n
}

// startManager starts a manager for the test and stops it when the test ends (after
// the namespaces of the test are cleaned, since cleanups run last-in first-out when
// the manager is started before the namespaces are created).
func startManager(t *testing.T, opts operator.Options) {
	t.Helper()
	if opts.PollInterval == 0 {
		opts.PollInterval = pollInterval
	}
	if err := env.StartManager(opts); err != nil {
		t.Fatalf("starting the manager: %v", err)
	}
	t.Cleanup(func() {
		if err := env.StopManager(); err != nil {
			t.Errorf("stopping the manager: %v", err)
		}
		if t.Failed() {
			t.Logf("manager log (tail):\n%s", managerLog.Tail(6000))
		}
	})
}

// stopManager stops the test's manager now (a crash, as far as the API is concerned).
func stopManager(t testing.TB) {
	t.Helper()
	if err := env.StopManager(); err != nil {
		t.Fatalf("stopping the manager: %v", err)
	}
}

// restartManager starts another manager after stopManager. The cleanup registered by
// startManager stops it, after the test's namespaces are cleaned.
func restartManager(t testing.TB, opts operator.Options) {
	t.Helper()
	if opts.PollInterval == 0 {
		opts.PollInterval = pollInterval
	}
	if err := env.StartManager(opts); err != nil {
		t.Fatalf("starting the manager again: %v", err)
	}
}

// ---- the fake API ----
