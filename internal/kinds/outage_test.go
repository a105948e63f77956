package kinds_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// TestConnectionStaysReadyThroughAFailedCheck: every object of a Connection waits
// while it is not Ready, so a Ready Connection whose check meets one failed request
// stays Ready, and is checked again within seconds; an API failing for longer than
// the grace makes it NotReady (APIUnavailable), and it is Ready again soon after the
// API answers.
func TestConnectionStaysReadyThroughAFailedCheck(t *testing.T) {
	const grace = 3 * time.Second
	startManager(t, operator.Options{PollInterval: pollInterval, ConnectionUnavailableGrace: grace})
	t.Cleanup(env.API.ClearFaults)
	ns := newNamespace(t)
	if err := env.CreateConnection(ctx, ns, v1alpha1.DefaultConnectionName); err != nil {
		t.Fatal(err)
	}
	conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName}}
	eventuallyWithin(t, 20*time.Second, "the Connection Ready", func() (bool, string) {
		get(t, conn)
		return hasCondition(conn, conditions.TypeReady, metav1.ConditionTrue, conditions.ReasonAvailable), describeStatus(conn)
	})
	readySince := cond(conn, conditions.TypeReady).LastTransitionTime

	// One failed request: the next check's read of the organisation answers 500.
	failedAt := time.Now()
	env.API.AddFault(hoxtontest.Fault{Method: http.MethodGet, PathPrefix: "/organisations", Count: 1})
	var failed, retried time.Time
	eventuallyWithin(t, 4*pollInterval+10*time.Second, "a failed check, then a successful one", func() (bool, string) {
		get(t, conn)
		if !conditions.IsTrue(conn.Status.Conditions, conditions.TypeReady) {
			t.Fatalf("the Connection turned NotReady on one failed request: %s", describeStatus(conn))
		}
		for _, r := range env.API.Requests() {
			if r.Time.Before(failedAt) || r.Method != http.MethodGet || !strings.HasPrefix(r.Path, "/organisations") {
				continue
			}
			switch {
			case r.Status == http.StatusInternalServerError && failed.IsZero():
				failed = r.Time
			case r.Status == http.StatusOK && !failed.IsZero() && r.Time.After(failed):
				retried = r.Time
			}
		}
		return !retried.IsZero(), "no failed check followed by a successful one yet"
	})
	if wait := retried.Sub(failed); wait > firstRetryBound {
		t.Errorf("the failed check was tried again after %s, want within %s", wait, firstRetryBound)
	}
	get(t, conn)
	if c := cond(conn, conditions.TypeReady); c == nil || !c.LastTransitionTime.Equal(&readySince) {
		t.Errorf("Ready changed during the failed check: %v (Ready since %s)", c, readySince)
	}

	// An outage longer than the grace: NotReady, then Ready once the API answers.
	env.API.AddFault(hoxtontest.Fault{Method: http.MethodGet, PathPrefix: "/organisations"})
	eventuallyWithin(t, grace+4*pollInterval+10*time.Second, "the Connection NotReady after the grace", func() (bool, string) {
		get(t, conn)
		return hasCondition(conn, conditions.TypeReady, metav1.ConditionFalse, conditions.ReasonAPIUnavailable), describeStatus(conn)
	})
	env.API.ClearFaults()
	eventuallyWithin(t, 20*time.Second, "the Connection Ready again once the API answers", func() (bool, string) {
		get(t, conn)
		return conditions.IsTrue(conn.Status.Conditions, conditions.TypeReady), describeStatus(conn)
	})
}

// firstRetryBound bounds the wait before a failed check is tried again: a second,
// with jitter and a loaded machine's slack.
const firstRetryBound = 3 * time.Second
