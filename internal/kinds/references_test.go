package kinds_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// TestLateReferences: a Camera and a PeopleCountMonitor created before the Site (and
// Camera) they refer to report ReferencesNotReady, create nothing, and converge as soon
// as what they refer to is Ready. The poll interval is ten minutes, so only the
// watches on the referenced kinds can bring the convergence within the deadline.
func TestLateReferences(t *testing.T) {
	startManager(t, operator.Options{PollInterval: longPollInterval})
	ns := newConnectedNamespace(t)
	waitDefaultConnectionReady(t, ns)
	calls := countCalls()

	monitor := &v1alpha1.PeopleCountMonitor{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "entrance"},
		Spec: v1alpha1.PeopleCountMonitorSpec{
			SiteParent: v1alpha1.SiteParent{SiteRef: &v1alpha1.LocalReference{Name: "hq"}}, Name: "Entrance",
			CameraPositions: []v1alpha1.MonitorCameraPosition{{CameraRef: &v1alpha1.LocalReference{Name: "door"}}},
		},
	}
	camera := &v1alpha1.Camera{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "door"},
		Spec:       v1alpha1.CameraSpec{SiteRef: &v1alpha1.LocalReference{Name: "hq"}, SerialNumber: "SN-" + ns + "-door", Name: "Door"},
	}
	create(t, monitor)
	create(t, camera)

	waitSyncedFalse(t, monitor, conditions.ReasonReferencesNotReady)
	msg := cond(monitor, conditions.TypeSynced).Message
	for _, want := range []string{`Site "hq" not found`, `Camera "door"`} {
		if !strings.Contains(msg, want) {
			t.Fatalf("the monitor's ReferencesNotReady message %q does not say %q", msg, want)
		}
	}
	waitSyncedFalse(t, camera, conditions.ReasonReferencesNotReady)
	if msg := cond(camera, conditions.TypeSynced).Message; !strings.Contains(msg, `Site "hq" not found`) {
		t.Fatalf("the camera's ReferencesNotReady message %q does not name the missing Site", msg)
	}
	if w := calls.writes(); w != 0 {
		t.Fatalf("%d API writes while references were missing, want none:\n  %s", w, describeRequests(calls.requests(nil)))
	}

	site := &v1alpha1.Site{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "hq"}, Spec: v1alpha1.SiteSpec{Name: "HQ " + ns}}
	start := time.Now()
	create(t, site)
	waitReady(t, site)
	waitReady(t, camera)
	waitReady(t, monitor)
	t.Logf("Site, Camera and PeopleCountMonitor converged %s after the Site was created (poll interval %s)", time.Since(start).Round(time.Millisecond), longPollInterval)

	siteID, cam := site.Status.ExternalID, fakeObject(t, "cameras", camera.Status.ExternalID)
	if got := fakeField(cam, "siteId"); got != siteID {
		t.Fatalf("the camera was claimed into site %q, want %s", got, siteID)
	}
	if got := fakeField(fakeObject(t, "people-count-monitors", monitor.Status.ExternalID), "siteId"); got != siteID {
		t.Fatalf("the monitor is in site %q, want %s", got, siteID)
	}
	want := []v1alpha1.MonitorCameraPosition{{CameraPositionID: fakeField(cam, "cameraPositionId")}}
	if d := pcmLinksMismatch(monitor.Status.ExternalID, want); d != "" {
		t.Fatalf("the monitor's links do not feed it the camera's position: %s", d)
	}
}

// TestCameraClaimIntoMissingSite: a camera whose spec.siteID names no site of the
// organisation cannot be claimed (the service answers 404) until the spec changes or
// the site appears: Synced=False/Terminal, retried at the poll, not in a loop.
func TestCameraClaimIntoMissingSite(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	f := newFixture(t, ns)
	f.siteID = "00000000-0000-4000-8000-000000000002" // no such site
	o := cameraCase.build(f, "lost")
	calls := countCalls()
	create(t, o)
	waitSyncedFalse(t, o, conditions.ReasonTerminal)
	if msg := cond(o, conditions.TypeSynced).Message; !strings.Contains(msg, f.siteID) {
		t.Fatalf("the Terminal message %q does not name the missing site", msg)
	}
	const window, most = 5 * time.Second, 4
	consistently(t, window, fmt.Sprintf("at most %d claims", most), func() (bool, string) {
		n := calls.count("POST", "/cameras")
		return n <= most, fmt.Sprintf("%d claims:\n  %s", n, describeRequests(calls.requests(nil)))
	})
}
