package operator_test

import (
	"context"
	"strings"
	"testing"

	"k8s.io/client-go/rest"

	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// TestReconcilesPerConnectionDefault: by default one Connection may use every worker
// of a kind but one, and a single worker is still one.
func TestReconcilesPerConnectionDefault(t *testing.T) {
	for workers, want := range map[int]int{0: 3, 1: 1, 2: 1, 8: 7} {
		o := operator.Options{MaxConcurrentReconciles: workers}
		o.Defaults()
		if o.MaxReconcilesPerConnection != want {
			t.Errorf("%d workers: %d reconciles per Connection, want %d", workers, o.MaxReconcilesPerConnection, want)
		}
	}
}

// TestReconcilesPerConnectionBelowWorkers: a cap that would let one Connection hold
// every worker is refused before the manager is built.
func TestReconcilesPerConnectionBelowWorkers(t *testing.T) {
	_, err := operator.New(context.Background(), &rest.Config{Host: "https://127.0.0.1:1"},
		operator.Options{MaxConcurrentReconciles: 4, MaxReconcilesPerConnection: 4})
	if err == nil || !strings.Contains(err.Error(), "fewer than") {
		t.Fatalf("a cap equal to the workers was accepted (error %v)", err)
	}
}
