package kinds_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// TestRebuiltClusterFindsItsObjects: the Kubernetes objects are lost without anything
// being deleted in HoxtonAi (a cluster rebuilt from the same Git repository; here the
// objects are deleted with deletionPolicy Orphan), then applied again. Each finds its
// HoxtonAi object again: same id, no second object, no second camera claim, no second
// monitor link, and an Adopted event rather than a Created one.
func TestRebuiltClusterFindsItsObjects(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	forEachKind(t, func(t *testing.T, kc kindCase, f fixture) {
		first := kc.build(f, "rebuilt")
		create(t, first)
		waitReady(t, first)
		id := first.GetManagedStatus().ExternalID
		active := len(activeObjects(kc.collection, nil))

		update(t, first, func(o managed.Object) { o.GetManagedSpec().DeletionPolicy = v1alpha1.DeletionPolicyOrphan })
		deleteObject(t, first)
		waitGone(t, first)

		again := kc.build(f, "rebuilt")
		if u, ok := again.(*v1alpha1.User); ok {
			// A user with the address exists and the new object did not create it:
			// taking it on must be asked for.
			u.Spec.AdoptExisting = true
		}
		create(t, again)
		waitReady(t, again)
		if got := again.GetManagedStatus().ExternalID; got != id {
			t.Fatalf("re-applied %s manages %s, want its old object %s", kc.kind, got, id)
		}
		if n := len(activeObjects(kc.collection, nil)); n != active {
			t.Fatalf("%d active %s in HoxtonAi after re-applying, want still %d", n, kc.collection, active)
		}
		// Events arrive on their own time: wait for the Adopted event the reconcile
		// that found the object must emit, so that an event list still empty cannot
		// pass for one without a Created event.
		var reasons []string
		eventually(t, "an Adopted event about the re-applied "+kc.kind, func() (bool, string) {
			reasons = reasons[:0]
			for _, e := range events(t, f.ns, again.GetName()) {
				if e.Regarding.UID == again.GetUID() {
					reasons = append(reasons, e.Reason)
				}
			}
			return slices.Contains(reasons, managed.ReasonAdopted), fmt.Sprintf("events: %v", reasons)
		})
		if slices.Contains(reasons, managed.ReasonCreated) {
			t.Fatalf("re-applied %s reported events %v, but nothing was created", kc.kind, reasons)
		}
		if d := kc.mismatch(again, fakeObject(t, kc.collection, id)); d != "" {
			t.Fatalf("the found object does not match the spec: %s", d)
		}
		if m, ok := again.(*v1alpha1.PeopleCountMonitor); ok {
			links := activeObjects("people-count-monitor-camera-positions", map[string]string{"peopleCountMonitorId": id})
			if len(links) != len(m.Spec.CameraPositions) {
				t.Fatalf("%d active links for the monitor, want %d", len(links), len(m.Spec.CameraPositions))
			}
		}
	})
}
