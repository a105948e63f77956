package kinds_test

import (
	"fmt"
	"testing"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

const linkCollection = "people-count-monitor-camera-positions"

// activeLinks returns the fake's active links of a monitor by camera position id.
func activeLinks(t testing.TB, monitorID string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, l := range activeObjects(linkCollection, map[string]string{"peopleCountMonitorId": monitorID}) {
		pos := fakeField(l, "cameraPositionId")
		if _, dup := out[pos]; dup {
			t.Fatalf("two active links of monitor %s to camera position %s", monitorID, pos)
		}
		out[pos] = l
	}
	return out
}

// pcmLinksMismatch compares a people count monitor's active links with positions.
func pcmLinksMismatch(monitorID string, positions v1alpha1.MonitorCameraPositions) string {
	return monitorLinksMismatch(map[string]any{"id": monitorID}, linkCollection, "peopleCountMonitorId", positions)
}

// TestPeopleCountMonitorLinks: the monitor's camera-position links follow
// spec.cameraPositions: missing links are created, a changed direction mapping updates
// the link in place, links no longer listed are deleted, and a link deleted behind the
// operator's back is recreated (under a new id: HoxtonAi never reuses one).
func TestPeopleCountMonitorLinks(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	f := newFixture(t, ns)
	p1 := f.cameraPositionID
	p2 := seedCamera(t, f.siteID, "SEED2-"+ns)["cameraPositionId"].(string)
	p3 := seedCamera(t, f.siteID, "SEED3-"+ns)["cameraPositionId"].(string)

	m := peopleCountMonitorCase.build(f, "links").(*v1alpha1.PeopleCountMonitor)
	m.Spec.CameraPositions = []v1alpha1.MonitorCameraPosition{
		{CameraPositionID: p1},
		{CameraPositionID: p2, Direction1Maps: v1alpha1.Direction2, Direction2Maps: v1alpha1.Direction1},
	}
	create(t, m)
	waitReady(t, m)
	id := m.Status.ExternalID
	if d := pcmLinksMismatch(id, m.Spec.CameraPositions); d != "" {
		t.Fatalf("after create: %s", d)
	}
	if n := len(m.Status.AtProvider.CameraPositions); n != 2 {
		t.Fatalf("status.atProvider.cameraPositions has %d links, want 2: %+v", n, m.Status.AtProvider.CameraPositions)
	}
	before := activeLinks(t, id)

	// Shrink (p1 goes), remap (p2 back to the default mapping) and add (p3).
	update(t, m, func(m *v1alpha1.PeopleCountMonitor) {
		m.Spec.CameraPositions = []v1alpha1.MonitorCameraPosition{{CameraPositionID: p2}, {CameraPositionID: p3}}
	})
	waitReady(t, m)
	if d := pcmLinksMismatch(id, m.Spec.CameraPositions); d != "" {
		t.Fatalf("after the list changed: %s", d)
	}
	after := activeLinks(t, id)
	if got := fakeField(fakeObject(t, linkCollection, fakeField(before[p1], "id")), "state"); got != "deleted" {
		t.Fatalf("the link to %s, no longer listed, is in state %q, want deleted", p1, got)
	}
	if was, is := fakeField(before[p2], "id"), fakeField(after[p2], "id"); was != is {
		t.Fatalf("the remapped link to %s was replaced (%s -> %s) instead of updated", p2, was, is)
	}
	if n := len(m.Status.AtProvider.CameraPositions); n != 2 {
		t.Fatalf("status.atProvider.cameraPositions has %d links, want 2", n)
	}

	// A link deleted behind the operator's back comes back, under a new id.
	gone := fakeField(after[p3], "id")
	env.API.PatchObject(linkCollection, gone, map[string]any{"state": "deleted"})
	eventuallyWithin(t, driftDeadline, fmt.Sprintf("the deleted link to %s to be recreated", p3), func() (bool, string) {
		d := pcmLinksMismatch(id, m.Spec.CameraPositions)
		return d == "", d
	})
	if again := fakeField(activeLinks(t, id)[p3], "id"); again == gone {
		t.Fatalf("the recreated link to %s has the deleted link's id %s", p3, gone)
	}
	waitReady(t, m)
}
