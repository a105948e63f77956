package kinds_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"

	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// startSecondManager runs another manager beside the suite's, as a `make run`
// beside a deployed operator without leader election would, until the test ends.
func startSecondManager(t *testing.T) {
	t.Helper()
	mctx, cancel := context.WithCancel(context.Background())
	mgr, err := operator.New(mctx, env.ControlPlane.Config, operator.Options{
		PollInterval: pollInterval, MetricsAddr: "0", ProbeAddr: "0", SkipNameValidation: true,
	})
	if err != nil {
		cancel()
		t.Fatalf("building the second manager: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(mctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("the second manager: %v", err)
		}
	})
}

// TestTwoManagersOneRefreshTokenConnection: two managers without leader election
// share a RefreshToken Connection. With writeBackRefreshToken, each rotation one of
// them makes is copied into the Connection's Secret, which wakes the other; the other
// keeps its access token instead of refreshing at once. Either way, when its refresh
// token was rotated away it continues from the token state after a pause. The
// Connection works, and the token requests stay within a budget instead of racing
// (205 in 15 s before).
func TestTwoManagersOneRefreshTokenConnection(t *testing.T) {
	for _, writeBack := range []bool{false, true} {
		t.Run(fmt.Sprintf("writeBackRefreshToken=%v", writeBack), func(t *testing.T) { twoManagersOneRefreshTokenConnection(t, writeBack) })
	}
}

func twoManagersOneRefreshTokenConnection(t *testing.T, writeBack bool) {
	// A fake of its own: the token requests it counts are this Connection's only.
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	t.Cleanup(fake.Close)
	startManager(t, operator.Options{PollInterval: pollInterval})
	startSecondManager(t)
	ns := newNamespace(t)
	create(t, credentialsSecret(ns, "refresh-credentials", map[string]string{
		v1alpha1.SecretKeyClientID: hoxtontest.DefaultClientID, v1alpha1.SecretKeyClientSecret: hoxtontest.DefaultClientSecret,
		v1alpha1.SecretKeyRefreshToken: fake.IssueRefreshToken(hoxtontest.DefaultClientID),
	}))
	conn := env.Connection(ns, v1alpha1.DefaultConnectionName, "refresh-credentials")
	conn.Spec.APIURL, conn.Spec.TokenURL, conn.Spec.Grant = fake.APIURL(), fake.TokenURL(), v1alpha1.GrantRefreshToken
	conn.Spec.WriteBackRefreshToken = writeBack
	create(t, conn)
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
	site := dialectSite(ns, "shared")
	create(t, site)
	waitReady(t, site)

	// Two managers: each needs a token once, and each rotation away costs one
	// more request of the manager that lost the race.
	const budget = 6
	consistently(t, 15*time.Second, fmt.Sprintf("at most %d token requests", budget), func() (bool, string) {
		n := fake.TokenRequests("refresh_token")
		return n <= budget, fmt.Sprintf("%d token requests", n)
	})
	t.Logf("%d token requests", fake.TokenRequests("refresh_token"))
	update(t, site, func(s *v1alpha1.Site) { s.Spec.Address = "2 Low Road, Leeds" })
	waitReady(t, site)
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
}
