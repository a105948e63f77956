package kinds_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"

	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
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
// share a RefreshToken Connection. Each rotation one of them makes is copied into
// the Connection's Secret, which wakes the other; the other keeps its access token
// instead of refreshing at once, and when its refresh token was rotated away it
// continues from the token state after a pause. The Connection works, and the
// token requests stay within a budget instead of racing (205 in 15 s before).
func TestTwoManagersOneRefreshTokenConnection(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	startSecondManager(t)
	ns := newNamespace(t)
	before := env.API.TokenRequests("refresh_token")
	conn, _ := refreshConnection(t, ns)
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
	site := dialectSite(ns, "shared")
	create(t, site)
	waitReady(t, site)

	// Two managers: each needs a token once, and each rotation away costs one
	// more request of the manager that lost the race, after a pause.
	const budget = 8
	consistently(t, 15*time.Second, fmt.Sprintf("at most %d token requests", budget), func() (bool, string) {
		n := env.API.TokenRequests("refresh_token") - before
		return n <= budget, fmt.Sprintf("%d token requests", n)
	})
	t.Logf("%d token requests", env.API.TokenRequests("refresh_token")-before)
	update(t, site, func(s *v1alpha1.Site) { s.Spec.Address = "2 Low Road, Leeds" })
	waitReady(t, site)
}
