package kinds_test

import (
	"fmt"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// linkCollections are every link collection of the API, for checks across kinds.
var linkCollections = []hoxton.LinkCollection{
	hoxton.PeopleCountMonitorCameraPositions, hoxton.OccupancyMonitorCameraPositions, hoxton.PeelOffMonitorCameraPositions,
	hoxton.AlertNotificationGroupMappings, hoxton.AlertCameraPositionMappings, hoxton.AlertOccupancyMonitorMappings,
	hoxton.NotificationGroupLinks,
}

// activeLinksOf counts the active links owned by id, in every link collection.
func activeLinksOf(id string) (int, string) {
	n, where := 0, []string{}
	for _, lc := range linkCollections {
		if k := len(activeObjects(lc.Resource, map[string]string{lc.OwnerField: id})); k > 0 {
			n += k
			where = append(where, fmt.Sprintf("%d in %s", k, lc.Resource))
		}
	}
	return n, strings.Join(where, ", ")
}

// TestAlertWithThreeLinkSets: an Alert naming notification groups, cameras and
// occupancy monitors converges with one PUT per link, and the next poll writes
// nothing.
func TestAlertWithThreeLinkSets(t *testing.T) {
	startManager(t, operator.Options{PollInterval: longPollInterval})
	ns := newConnectedNamespace(t)
	f := newFixture(t, ns)
	waitDefaultConnectionReady(t, ns)
	group := notificationGroupCase.build(f, "managers").(*v1alpha1.NotificationGroup)
	group.Spec.ChildGroupIDs = nil
	create(t, group)
	waitReady(t, group)
	occupancy := seedActive("occupancy-monitors", map[string]any{"siteId": f.siteID, "name": "Hall"})
	second := seedCamera(t, f.siteID, "SEED2-"+ns)["cameraPositionId"].(string)
	waitQuiet(t)

	calls := countCalls()
	alert := &v1alpha1.Alert{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "capacity"}, Spec: v1alpha1.AlertSpec{
		AlertType: v1alpha1.AlertTypeOccupancy, Name: "Hall near capacity", SiteID: f.siteID,
		NotificationGroupRefs: []v1alpha1.LocalReference{{Name: "managers"}}, NotificationGroupIDs: []string{f.groupID},
		CameraPositionIDs:   []string{f.cameraPositionID, second},
		OccupancyMonitorIDs: []string{occupancy},
	}}
	create(t, alert)
	waitReady(t, alert)
	waitQuiet(t)
	for _, tc := range []struct {
		collection string
		want       int
	}{{"/alert-notification-group-mappings", 2}, {"/alert-camera-position-mappings", 2}, {"/alert-occupancy-monitor-mappings", 1}, {"/alerts", 1}} {
		if n := calls.count("PUT", tc.collection); n != tc.want {
			t.Errorf("%d PUT %s, want %d (one per link):\n  %s", n, tc.collection, tc.want, describeRequests(calls.requests(nil)))
		}
	}
	fake := fakeObject(t, "alerts", alert.Status.ExternalID)
	for _, d := range []string{
		linksMismatch(fake, "alert-notification-group-mappings", "alertId", "notificationGroupId", targets(group.Status.ExternalID, f.groupID), nil),
		linksMismatch(fake, "alert-camera-position-mappings", "alertId", "cameraPositionId", targets(f.cameraPositionID, second), nil),
		linksMismatch(fake, "alert-occupancy-monitor-mappings", "alertId", "occupancyMonitorId", targets(occupancy), nil),
	} {
		if d != "" {
			t.Error(d)
		}
	}
	if n := len(alert.Status.AtProvider.NotificationGroups) + len(alert.Status.AtProvider.Cameras) + len(alert.Status.AtProvider.OccupancyMonitors); n != 5 {
		t.Errorf("status.atProvider reports %d links, want 5: %+v", n, alert.Status.AtProvider)
	}

	poll := countCalls()
	pokeByAnnotation(t, alert)
	eventually(t, "the poll to read the alert", func() (bool, string) { return poll.count("GET", "/alerts/") > 0, "no read yet" })
	waitQuiet(t)
	if w := poll.writes(); w != 0 {
		t.Fatalf("the poll of an alert in sync wrote %d times:\n  %s", w, describeRequests(poll.requests(nil)))
	}
}

// TestNotificationGroupCycle: groups nesting each other are refused with a Terminal
// condition naming the cycle. The group applied first waits for its child (until it
// exists, a cycle cannot be ruled out) and is refused as soon as the cycle appears;
// the group that closes the cycle is refused in its first reconcile, without any API
// call.
func TestNotificationGroupCycle(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	waitDefaultConnectionReady(t, ns)
	group := func(name, child string) *v1alpha1.NotificationGroup {
		return &v1alpha1.NotificationGroup{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: v1alpha1.NotificationGroupSpec{
			Name: name, ChildGroupRefs: []v1alpha1.LocalReference{{Name: child}}}}
	}
	a, b := group("a", "b"), group("b", "a")
	create(t, a)
	waitFor(t, a, "waiting for its child", func(g *v1alpha1.NotificationGroup) bool {
		return hasCondition(g, conditions.TypeSynced, metav1.ConditionFalse, conditions.ReasonReferencesNotReady)
	})
	waitQuiet(t)
	calls := countCalls()
	create(t, b)
	for _, g := range []*v1alpha1.NotificationGroup{b, a} {
		waitSyncedFalse(t, g, conditions.ReasonTerminal)
		msg := cond(g, conditions.TypeSynced).Message
		want := g.Name + " -> " + g.Spec.ChildGroupRefs[0].Name + " -> " + g.Name
		if !strings.Contains(msg, want) {
			t.Errorf("group %s: the Terminal message %q does not name the cycle %q", g.Name, msg, want)
		}
	}
	if b.Status.ExternalID != "" || b.Generation != cond(b, conditions.TypeSynced).ObservedGeneration {
		t.Errorf("the group closing the cycle got an id, or was not refused at once: %s", describeStatus(b))
	}
	if n := len(calls.requests(objectCalls)); n != 0 {
		t.Fatalf("%d API requests once the cycle closed, want none:\n  %s", n, describeRequests(calls.requests(objectCalls)))
	}
	// Breaking the cycle lets both converge.
	update(t, b, func(g *v1alpha1.NotificationGroup) { g.Spec.ChildGroupRefs = nil })
	waitReady(t, b)
	waitFor(t, managed.Object(a), "Ready and Synced", isReadyAndSynced)
}

// TestCameraRejoinsMonitor: a camera position removed from a monitor and added back
// 20 times is linked again every time (link ids never run out).
func TestCameraRejoinsMonitor(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	f := newFixture(t, ns)
	m := peopleCountMonitorCase.build(f, "rejoin").(*v1alpha1.PeopleCountMonitor)
	create(t, m)
	waitReady(t, m)
	positions := m.Spec.CameraPositions
	for i := range 20 {
		update(t, m, func(m *v1alpha1.PeopleCountMonitor) { m.Spec.CameraPositions = nil })
		eventually(t, fmt.Sprintf("cycle %d: the link to be removed", i), func() (bool, string) {
			d := pcmLinksMismatch(m.Status.ExternalID, nil)
			return d == "", d
		})
		update(t, m, func(m *v1alpha1.PeopleCountMonitor) { m.Spec.CameraPositions = positions })
		eventually(t, fmt.Sprintf("cycle %d: the camera to rejoin the monitor", i), func() (bool, string) {
			d := pcmLinksMismatch(m.Status.ExternalID, positions)
			return d == "", d
		})
	}
	waitFor(t, managed.Object(m), "Ready and Synced", isReadyAndSynced)
}

// TestOwnerBeforeLinkTarget: a monitor whose camera does not exist yet is created at
// once, reports the missing camera, and links it as soon as the camera is Ready.
func TestOwnerBeforeLinkTarget(t *testing.T) {
	startManager(t, operator.Options{PollInterval: longPollInterval})
	ns := newConnectedNamespace(t)
	f := newFixture(t, ns)
	m := peopleCountMonitorCase.build(f, "early").(*v1alpha1.PeopleCountMonitor)
	m.Spec.CameraPositions = v1alpha1.MonitorCameraPositions{{CameraRef: &v1alpha1.LocalReference{Name: "late"}}}
	create(t, m)
	waitFor(t, m, "Ready with Synced=False/ReferencesNotReady", func(m *v1alpha1.PeopleCountMonitor) bool {
		return hasCondition(m, conditions.TypeReady, metav1.ConditionTrue, "") &&
			hasCondition(m, conditions.TypeSynced, metav1.ConditionFalse, conditions.ReasonReferencesNotReady)
	})
	if msg := cond(m, conditions.TypeSynced).Message; !strings.Contains(msg, `Camera "late" not found`) {
		t.Fatalf("the monitor's message %q does not name the missing camera", msg)
	}
	fakeObject(t, "people-count-monitors", m.Status.ExternalID) // the owner exists already

	camera := cameraCase.build(f, "late").(*v1alpha1.Camera)
	create(t, camera)
	waitReady(t, camera)
	waitFor(t, managed.Object(m), "Ready and Synced", isReadyAndSynced)
	want := v1alpha1.MonitorCameraPositions{{CameraPositionID: camera.Status.AtProvider.CameraPositionID}}
	if d := pcmLinksMismatch(m.Status.ExternalID, want); d != "" {
		t.Fatalf("the late camera was not linked: %s", d)
	}
}

// TestDeletingOwnersDeletesLinks: deleting any kind's object leaves none of its links
// active in HoxtonAi.
func TestDeletingOwnersDeletesLinks(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	forEachKind(t, func(t *testing.T, kc kindCase, f fixture) {
		o := kc.build(f, "owner")
		create(t, o)
		waitReady(t, o)
		id := o.GetManagedStatus().ExternalID
		before, _ := activeLinksOf(id)
		deleteObject(t, o)
		waitGone(t, o)
		if n, where := activeLinksOf(id); n != 0 {
			t.Fatalf("deleting the %s left %d of its %d links active: %s", kc.kind, n, before, where)
		}
	})
}

// TestForbiddenObject: a 403 on one object is reported on that object alone
// (Synced=False/Forbidden), the Connection is not re-checked, and its other objects
// stay Ready and Synced.
func TestForbiddenObject(t *testing.T) {
	// A long poll: the Connection is checked only at start and when asked to, so any
	// check in the window would be a re-check caused by the 403.
	startManager(t, operator.Options{PollInterval: longPollInterval})
	ns := newConnectedNamespace(t)
	f := newFixture(t, ns)
	denied, fine := siteCase.build(f, "denied"), siteCase.build(f, "fine")
	create(t, denied)
	create(t, fine)
	waitReady(t, denied)
	waitReady(t, fine)
	env.API.AddFault(hoxtontest.Fault{Method: "GET", PathPrefix: "/sites/" + denied.GetManagedStatus().ExternalID, Status: 403,
		Message: "site belongs to another organisation"})
	t.Cleanup(env.API.ClearFaults)
	waitQuiet(t)
	// The checks of this namespace's Connection, told from those of the suite's other
	// namespaces (all in one organisation) by the manager's log of its reconciles.
	checksOf := func() int {
		return strings.Count(managerLog.String(), `Reconciling	{"controller": "Connection", "controllerGroup": "hoxtonai.dev", "controllerKind": "Connection", "Connection": {"name":"default","namespace":"`+ns+`"}`)
	}
	before := checksOf()
	pokeByAnnotation(t, denied)

	waitSyncedFalse(t, denied, conditions.ReasonForbidden)
	if msg := cond(denied, conditions.TypeSynced).Message; !strings.Contains(msg, "another organisation") {
		t.Fatalf("the Forbidden message %q does not carry the service's answer", msg)
	}
	waitEvent(t, ns, denied.GetName(), conditions.ReasonForbidden)
	pokeByAnnotation(t, fine)
	consistently(t, 3*pollInterval, "the other site and the Connection to stay Ready, without a re-check", func() (bool, string) {
		get(t, fine)
		conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName}}
		get(t, conn)
		checks := checksOf() - before
		ok := isReadyAndSynced(fine) && conditions.IsTrue(conn.Status.Conditions, conditions.TypeReady) && checks == 0
		return ok, fmt.Sprintf("site %s; Connection %v; %d checks of the Connection", describeStatus(fine), conn.Status.Conditions, checks)
	})
	for _, e := range events(t, ns, denied.GetName()) {
		if e.Reason == conditions.ReasonCredentialsRejected {
			t.Fatalf("a 403 on one object was reported as rejected credentials: %q", e.Note)
		}
	}
}
