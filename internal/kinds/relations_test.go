package kinds_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// Objects tied to what they name: the site of a monitor's or an alert's cameras and
// monitors, ids that must exist, and cycles of groups, all refused before any write.

// wantRefused waits for o's Synced=False/Terminal and checks that the message says
// every one of want.
func wantRefused[O managed.Object](t *testing.T, o O, want ...string) {
	t.Helper()
	waitSyncedFalse(t, o, conditions.ReasonTerminal)
	msg := cond(o, conditions.TypeSynced).Message
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("%s %s: the Terminal message %q does not say %q", o.GetObjectKind().GroupVersionKind().Kind, o.GetName(), msg, w)
		}
	}
}

// wantNoWrites checks that nothing was written to HoxtonAi since calls started.
func wantNoWrites(t *testing.T, calls apiCalls, what string) {
	t.Helper()
	if w := calls.writes(); w != 0 {
		t.Fatalf("%s: %d writes to HoxtonAi, want none:\n  %s", what, w, describeRequests(calls.requests(objectCalls)))
	}
}

// TestCameraOfAnotherSiteIsRefused: a monitor or an alert fed by a camera of another
// site, by name or by camera position id, is refused before anything is written,
// naming the camera and the two sites; so is moving a monitor to another site while
// its cameras stay in the old one.
func TestCameraOfAnotherSiteIsRefused(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	f := newFixture(t, ns)
	waitDefaultConnectionReady(t, ns)
	otherSite := seedSite(t)
	farPosition := seedCamera(t, otherSite, "FAR-"+ns)["cameraPositionId"].(string)
	far := cameraCase.build(fixture{ns: ns, siteID: otherSite}, "far").(*v1alpha1.Camera)
	create(t, far)
	waitReady(t, far)
	waitQuiet(t)

	calls := countCalls()
	byID := peopleCountMonitorCase.build(f, "by-id").(*v1alpha1.PeopleCountMonitor)
	byID.Spec.CameraPositions = v1alpha1.MonitorCameraPositions{{CameraPositionID: farPosition}}
	byName := peopleCountMonitorCase.build(f, "by-name").(*v1alpha1.PeopleCountMonitor)
	byName.Spec.CameraPositions = v1alpha1.MonitorCameraPositions{{CameraRef: &v1alpha1.LocalReference{Name: "far"}}}
	alert := alertCase.build(f, "alert").(*v1alpha1.Alert)
	alert.Spec.CameraPositionIDs = []string{f.cameraPositionID, farPosition}
	for _, o := range []managed.Object{byID, byName, alert} {
		create(t, o)
	}
	wantRefused(t, byID, "cameraPositions: camera position "+farPosition+" is in site "+otherSite+", not in site "+f.siteID)
	wantRefused(t, byName, `cameraPositions: Camera "far" is in site `+otherSite+", not in site "+f.siteID)
	wantRefused(t, alert, "cameras: camera position "+farPosition+" is in site "+otherSite)
	wantNoWrites(t, calls, "objects tied to a camera of another site")

	// A monitor of the camera's site is accepted; moving it to another site is not.
	mover := peopleCountMonitorCase.build(f, "mover").(*v1alpha1.PeopleCountMonitor)
	create(t, mover)
	waitReady(t, mover)
	waitQuiet(t)
	calls = countCalls()
	update(t, mover, func(m *v1alpha1.PeopleCountMonitor) { m.Spec.SiteID = otherSite })
	wantRefused(t, mover, "camera position "+f.cameraPositionID+" is in site "+f.siteID+", not in site "+otherSite)
	wantNoWrites(t, calls, "a monitor moved away from its cameras")
	if site := fakeField(fakeObject(t, "people-count-monitors", mover.Status.ExternalID), "siteId"); site != f.siteID {
		t.Fatalf("the monitor moved to site %s in HoxtonAi, want it left in %s", site, f.siteID)
	}
}

// TestReferencedIDsMustExist: an id given literally that names nothing in HoxtonAi
// (a people count monitor, a site, a camera position, a notification group) is
// refused before any write, naming the field and the id, instead of reporting Ready
// for an object that can never work. Confirmed ids are read once, not at every poll.
func TestReferencedIDsMustExist(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	f := newFixture(t, ns)
	waitDefaultConnectionReady(t, ns)
	waitQuiet(t)
	missing := uuid.NewString()

	calls := countCalls()
	peopleCount := &v1alpha1.Alert{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "people-count"}, Spec: v1alpha1.AlertSpec{
		AlertType: v1alpha1.AlertTypePeopleCount, Name: "Too many", SiteID: f.siteID, PeopleCountMonitorID: missing,
		Recipients: v1alpha1.Recipients{Emails: []v1alpha1.EmailAddress{"ops@example.com"}}}}
	noSite := peopleCountMonitorCase.build(fixture{ns: ns, siteID: missing, cameraPositionID: f.cameraPositionID}, "no-site")
	noPosition := peopleCountMonitorCase.build(fixture{ns: ns, siteID: f.siteID, cameraPositionID: missing}, "no-position")
	noGroup := notificationGroupCase.build(fixture{ns: ns, groupID: missing}, "no-group")
	for _, o := range []managed.Object{peopleCount, noSite, noPosition, noGroup} {
		create(t, o)
	}
	wantRefused(t, peopleCount, "peopleCountMonitorRef: HoxtonAi has no PeopleCountMonitor "+missing)
	wantRefused(t, noSite, "siteRef: HoxtonAi has no Site "+missing)
	wantRefused(t, noPosition, "cameraPositions: HoxtonAi has no camera position "+missing)
	wantRefused(t, noGroup, "childGroups: HoxtonAi has no NotificationGroup "+missing)
	wantNoWrites(t, calls, "objects naming ids that do not exist")

	// The monitor appears in HoxtonAi: the alert is accepted at its next attempt, and
	// the monitor's id is not read again at the polls that follow.
	env.API.SetObject("people-count-monitors", map[string]any{"id": missing, "siteId": f.siteID, "name": "Late", "state": "active"})
	waitReady(t, peopleCount)
	calls = countCalls()
	consistently(t, 3*pollInterval, "no second read of a confirmed id", func() (bool, string) {
		n := calls.count("GET", "/people-count-monitors")
		return n == 0, describeRequests(calls.requests(objectCalls))
	})
}

// TestAlertConfigurationCannotNameAMonitor: configurationDetails.peopleCountMonitorId
// would tie an alert of any type to a monitor nobody checked. CEL cannot see fields
// the schema leaves unknown, so the reconciler refuses it before any write.
func TestAlertConfigurationCannotNameAMonitor(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	f := newFixture(t, ns)
	waitDefaultConnectionReady(t, ns)
	waitQuiet(t)
	calls := countCalls()
	smuggled := alertCase.build(f, "smuggled").(*v1alpha1.Alert)
	smuggled.Spec.ConfigurationDetails = &runtime.RawExtension{Raw: []byte(`{"peopleCountMonitorId":"` + uuid.NewString() + `"}`)}
	create(t, smuggled)
	wantRefused(t, smuggled, "spec.configurationDetails.peopleCountMonitorId is not set by hand")
	wantNoWrites(t, calls, "an offline alert naming a monitor in configurationDetails")
}

// TestAnnotationGeometryRefusedBeforeWrite: a region the CRD's rules let through but
// HoxtonAi cannot draw (a ring crossing itself, a hole outside the outline) is
// refused before any write, saying which ring and why.
func TestAnnotationGeometryRefusedBeforeWrite(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	f := newFixture(t, ns)
	waitDefaultConnectionReady(t, ns)
	waitQuiet(t)
	annotation := func(name string, rings ...v1alpha1.LinearRing) *v1alpha1.Annotation {
		a := annotationCase.build(f, name).(*v1alpha1.Annotation)
		a.Spec.ROI = v1alpha1.RegionOfInterest{Polygon: rings}
		return a
	}
	calls := countCalls()
	bowTie := annotation("bow-tie", v1alpha1.LinearRing{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}})
	holeOutside := annotation("hole-outside", square(0.3, 0.3, 0.2), square(0.8, 0.8, 0.1))
	create(t, bowTie)
	create(t, holeOutside)
	wantRefused(t, bowTie, "spec.roi.polygon ring 0 (the outline) crosses itself")
	wantRefused(t, holeOutside, "spec.roi.polygon ring 1 (a hole) is not inside the outline")
	wantNoWrites(t, calls, "annotations HoxtonAi cannot draw")
}

// TestNotificationGroupCyclesAppliedTogether: groups forming a cycle applied in one
// go (a -> b -> a, and x -> y -> z -> x) are all refused, naming the cycle, and none
// is created in HoxtonAi, whichever of them the operator sees first.
func TestNotificationGroupCyclesAppliedTogether(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	waitDefaultConnectionReady(t, ns)
	waitQuiet(t)
	group := func(name, child string) *v1alpha1.NotificationGroup {
		return &v1alpha1.NotificationGroup{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: v1alpha1.NotificationGroupSpec{
			Name: name, ChildGroupRefs: []v1alpha1.LocalReference{{Name: child}}}}
	}
	calls := countCalls()
	groups := []*v1alpha1.NotificationGroup{group("a", "b"), group("b", "a"), group("x", "y"), group("y", "z"), group("z", "x")}
	for _, g := range groups {
		create(t, g)
	}
	cycles := map[string]string{"a": "a -> b -> a", "b": "b -> a -> b", "x": "x -> y -> z -> x", "y": "y -> z -> x -> y", "z": "z -> x -> y -> z"}
	for _, g := range groups {
		wantRefused(t, g, cycles[g.Name])
	}
	// Let every reconcile the refusals woke finish before counting.
	waitQuiet(t)
	if n := len(calls.requests(objectCalls)); n != 0 {
		t.Fatalf("%d API requests for groups forming cycles, want none:\n  %s", n, describeRequests(calls.requests(objectCalls)))
	}
	for _, g := range groups {
		if g.Status.ExternalID != "" {
			t.Errorf("group %s got an id: %s", g.Name, describeStatus(g))
		}
	}
}
