package connection

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// regardingRecorder keeps what its events are about.
type regardingRecorder struct {
	events.EventRecorder
	regarding []metav1.Object
}

func (r *regardingRecorder) Eventf(regarding, _ runtime.Object, _, _, _, _ string, _ ...any) {
	r.regarding = append(r.regarding, regarding.(metav1.Object))
}

// TestClusterConnectionEventsInOperatorNamespace: events about a ClusterConnection
// are recorded in the operator's namespace; those about a Connection in its own.
func TestClusterConnectionEventsInOperatorNamespace(t *testing.T) {
	rec := &regardingRecorder{}
	r := inOperatorNamespace(rec, "operator")
	r.Eventf(&v1alpha1.ClusterConnection{ObjectMeta: metav1.ObjectMeta{Name: "retail", UID: "u"}}, nil, "Normal", "Available", "Check", "ok")
	r.Eventf(&v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "default"}}, nil, "Normal", "Available", "Check", "ok")
	if got := rec.regarding[0]; got.GetNamespace() != "operator" || got.GetName() != "retail" || got.GetUID() != "u" {
		t.Errorf("ClusterConnection event about %s/%s (%s), want operator/retail (u)", got.GetNamespace(), got.GetName(), got.GetUID())
	}
	if got := rec.regarding[1]; got.GetNamespace() != "shop" {
		t.Errorf("Connection event in namespace %q, want shop", got.GetNamespace())
	}
}
