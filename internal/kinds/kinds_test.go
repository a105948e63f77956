package kinds_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/google/uuid"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// fixture is what a test of one kind has ready in the fake before it starts: a site
// and a camera (with its camera position) created directly in the fake, so that
// cameras and monitors can refer to them by id without depending on other
// controllers.
type fixture struct {
	ns               string
	siteID           string
	cameraPositionID string
	groupID          string
}

// newFixture seeds the fake for a test working in ns.
func newFixture(t testing.TB, ns string) fixture {
	t.Helper()
	site := seedSite(t)
	cam := seedCamera(t, site, "SEED-"+ns)
	group := uuid.NewString()
	env.API.SetObject("notification-groups", map[string]any{"id": group, "name": "Seeded group", "organisationId": env.API.OrganisationID(), "state": "active"})
	return fixture{ns: ns, siteID: site, cameraPositionID: cam["cameraPositionId"].(string), groupID: group}
}

// kindCase is what the shared drivers need to know about one managed kind.
type kindCase struct {
	kind       string // e.g. "Site"
	collection string // the fake's collection, e.g. "sites"
	// build returns a new valid object named name, managed (not observe-only).
	build func(f fixture, name string) managed.Object
	// mutate changes fields of the spec that mismatch reports on.
	mutate func(o managed.Object)
	// mismatch describes how the fake object differs from o's spec ("" = it matches).
	mismatch func(o managed.Object, fake map[string]any) string
	// drift is a change made to the fake object behind the operator's back.
	drift map[string]any
	// seed puts an object that o may adopt (by spec.externalID) straight into the fake,
	// differing from o's spec, and returns its id.
	seed func(t testing.TB, f fixture, o managed.Object) string
	// liveState and deletedState are the fake's state of a managed object before and
	// after the Kubernetes object is deleted with deletionPolicy Delete.
	liveState, deletedState string
	// deletionNote is what the Deleted event must say, for kinds whose deletion is not
	// what a user would guess.
	deletionNote string
	// hardDeleted kinds are removed from the fake on deletion (OAuth clients) rather
	// than put into deletedState.
	hardDeleted bool
	// seedDiffers names a field in which seed's object differs from the spec, which the
	// Drifted message of an observed object must name ("name" when empty).
	seedDiffers string
	// createFault is a 422 on the request that creates the object.
	createFault hoxtontest.Fault
	// lifecycleBudget and pollBudget bound the API requests of the lifecycle (create,
	// spec change, drift put back, delete) and of one poll in sync, as
	// TestAPICallsPerLifecycle measures them. Lowering a figure is progress; raising
	// one needs a reason.
	lifecycleBudget, pollBudget int
}

// kindCases is the table every per-kind test runs over; TestEveryKindHasACase checks
// it against the registry, so that a new kind cannot be skipped.
var kindCases = []kindCase{siteCase, cameraCase, peopleCountMonitorCase, occupancyMonitorCase, peelOffMonitorCase,
	notificationGroupCase, alertCase, annotationCase, userCase, oauthClientCase}

var siteCase = kindCase{
	kind:       "Site",
	collection: "sites",
	build: func(f fixture, name string) managed.Object {
		return &v1alpha1.Site{
			ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name},
			Spec: v1alpha1.SiteSpec{
				Name: "Head office " + f.ns + "/" + name, Address: "1 High Street, London", TimeZone: "Europe/London",
				OpeningHours: &runtime.RawExtension{Raw: []byte(`{"monday":{"open":"08:00","close":"18:00"}}`)},
			},
		}
	},
	mutate: func(o managed.Object) {
		s := o.(*v1alpha1.Site)
		s.Spec.Name += " (renamed)"
		s.Spec.Address = "2 Low Road, Leeds"
		s.Spec.OpeningHours = &runtime.RawExtension{Raw: []byte(`{"tuesday":{"open":"09:00","close":"17:00"}}`)}
	},
	mismatch: func(o managed.Object, fake map[string]any) string {
		s := o.(*v1alpha1.Site)
		var d mismatches
		d.field(fake, "name", s.Spec.Name)
		d.field(fake, "address", s.Spec.Address)
		d.field(fake, "tz", s.Spec.TimeZone)
		d.field(fake, "organisationId", env.API.OrganisationID())
		d.json(fake, "openingHour", s.Spec.OpeningHours.Raw)
		return d.String()
	},
	drift: map[string]any{"name": "Renamed in the Control Room", "tz": "Europe/Paris"},
	seed: func(_ testing.TB, _ fixture, _ managed.Object) string {
		id := uuid.NewString()
		env.API.SetObject("sites", map[string]any{
			"id": id, "name": "Legacy site", "address": "Old address", "organisationId": env.API.OrganisationID(), "state": "active",
		})
		return id
	},
	liveState:       "active",
	deletedState:    "deleted",
	createFault:     hoxtontest.Fault{Method: "PUT", PathPrefix: "/sites", Status: 422},
	lifecycleBudget: 6, pollBudget: 1,
}

var cameraCase = kindCase{
	kind:       "Camera",
	collection: "cameras",
	build: func(f fixture, name string) managed.Object {
		return &v1alpha1.Camera{
			ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name},
			Spec: v1alpha1.CameraSpec{
				SerialNumber: "SN-" + f.ns + "-" + name, SiteID: f.siteID,
				Name: "Front door", Direction1Alias: "In", Direction2Alias: "Out",
			},
		}
	},
	mutate: func(o managed.Object) {
		c := o.(*v1alpha1.Camera)
		c.Spec.Name = "Side door"
		c.Spec.Direction1Alias = "Entering"
	},
	mismatch: func(o managed.Object, fake map[string]any) string {
		c := o.(*v1alpha1.Camera)
		var d mismatches
		d.field(fake, "serialNumber", c.Spec.SerialNumber)
		d.field(fake, "siteId", c.Spec.SiteID)
		d.field(fake, "name", c.Spec.Name)
		d.field(fake, "direction1Alias", c.Spec.Direction1Alias)
		d.field(fake, "direction2Alias", c.Spec.Direction2Alias)
		d.field(fake, "state", map[bool]string{false: "running", true: "paused"}[c.Spec.Paused])
		return d.String()
	},
	drift: map[string]any{"name": "Renamed in the Control Room", "state": "paused"},
	seed: func(t testing.TB, f fixture, o managed.Object) string {
		cam := seedCamera(t, f.siteID, o.(*v1alpha1.Camera).Spec.SerialNumber)
		return cam["id"].(string)
	},
	liveState:    "running",
	deletedState: "paused",
	deletionNote: "HoxtonAi cannot un-claim a camera, so it was paused",
	createFault:  hoxtontest.Fault{Method: "POST", PathPrefix: "/cameras", Status: 422},
	// +1: its siteID is looked up once. A camera claimed or written is not read again
	// (its adapter is a Comparer): 9, where reading after each write made 12.
	lifecycleBudget: 9, pollBudget: 1,
}

var peopleCountMonitorCase = kindCase{
	kind:       "PeopleCountMonitor",
	collection: "people-count-monitors",
	build: func(f fixture, name string) managed.Object {
		reset := int32(120)
		return &v1alpha1.PeopleCountMonitor{
			ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name},
			Spec: v1alpha1.PeopleCountMonitorSpec{
				SiteParent: v1alpha1.SiteParent{SiteID: f.siteID}, Name: "Entrance count", Direction1Alias: "In", Direction2Alias: "Out",
				DailyResetMin: &reset, ReportingWindow: v1alpha1.ReportingWindow{ReportingStartDate: "2025-01-01"},
				CameraPositions: []v1alpha1.MonitorCameraPosition{{CameraPositionID: f.cameraPositionID}},
			},
		}
	},
	mutate: func(o managed.Object) {
		m := o.(*v1alpha1.PeopleCountMonitor)
		m.Spec.Name = "Entrance count (renamed)"
		reset := int32(240)
		m.Spec.DailyResetMin = &reset
		m.Spec.ReportingEndDate = "2025-12-31"
	},
	mismatch: func(o managed.Object, fake map[string]any) string {
		m := o.(*v1alpha1.PeopleCountMonitor)
		var d mismatches
		d.field(fake, "siteId", m.Spec.SiteID)
		d.field(fake, "name", m.Spec.Name)
		d.field(fake, "direction1Alias", m.Spec.Direction1Alias)
		d.field(fake, "direction2Alias", m.Spec.Direction2Alias)
		d.field(fake, "dailyResetMin", fmt.Sprint(*m.Spec.DailyResetMin))
		d.field(fake, "reportingStartDate", m.Spec.ReportingStartDate)
		d.field(fake, "reportingEndDate", m.Spec.ReportingEndDate)
		d.add(monitorLinksMismatch(fake, "people-count-monitor-camera-positions", "peopleCountMonitorId", m.Spec.CameraPositions))
		return d.String()
	},
	drift: map[string]any{"name": "Renamed in the Control Room", "dailyResetMin": 5},
	seed: func(_ testing.TB, f fixture, _ managed.Object) string {
		id := uuid.NewString()
		env.API.SetObject("people-count-monitors", map[string]any{
			"id": id, "siteId": f.siteID, "name": "Legacy monitor", "state": "active",
		})
		return id
	},
	liveState:       "active",
	deletedState:    "deleted",
	createFault:     hoxtontest.Fault{Method: "PUT", PathPrefix: "/people-count-monitors", Status: 422},
	lifecycleBudget: 13, pollBudget: 2, // +2: its siteID and cameraPositionID are looked up once
}

// monitorLinksMismatch describes how the fake's active links of a live monitor differ
// from the positions of the spec (by camera position id, with the direction mapping
// defaults).
func monitorLinksMismatch(fake map[string]any, collection, ownerField string, positions v1alpha1.MonitorCameraPositions) string {
	want := map[string]string{}
	for _, p := range positions {
		d1, d2 := string(p.Direction1Maps), string(p.Direction2Maps)
		if d1 == "" {
			d1 = "direction1"
		}
		if d2 == "" {
			d2 = "direction2"
		}
		want[p.CameraPositionID] = d1 + "/" + d2
	}
	return linksMismatch(fake, collection, ownerField, "cameraPositionId", want, func(l map[string]any) string {
		return fakeField(l, "direction1Maps") + "/" + fakeField(l, "direction2Maps")
	})
}

// linksMismatch describes how the fake's active links of a live owner differ from
// want (target id -> attributes as attrs renders them; nil attrs for plain mappings).
// Nothing is compared once the owner is deleted.
func linksMismatch(owner map[string]any, collection, ownerField, targetField string, want map[string]string, attrs func(map[string]any) string) string {
	id, _ := owner["id"].(string)
	if id == "" || owner["state"] == "deleted" {
		return ""
	}
	have := map[string]string{}
	var dups []string
	for _, l := range activeObjects(collection, map[string]string{ownerField: id}) {
		target := fakeField(l, targetField)
		if _, seen := have[target]; seen {
			dups = append(dups, target)
		}
		have[target] = ""
		if attrs != nil {
			have[target] = attrs(l)
		}
	}
	if len(dups) > 0 {
		return fmt.Sprintf("%s: duplicate links to %v", collection, dups)
	}
	if len(want) == 0 && len(have) == 0 {
		return ""
	}
	if !reflect.DeepEqual(want, have) {
		return fmt.Sprintf("%s: want %v, have %v", collection, want, have)
	}
	return ""
}

// targets maps ids to no attributes, for linksMismatch of plain mappings.
func targets(ids ...string) map[string]string {
	m := map[string]string{}
	for _, id := range ids {
		m[id] = ""
	}
	return m
}

// mismatches collects differences between a fake object and a spec.
type mismatches []string

// field compares a fake field, as a string, with want.
func (d *mismatches) field(fake map[string]any, name, want string) {
	if have := fakeField(fake, name); have != want {
		*d = append(*d, fmt.Sprintf("%s: want %q, have %q", name, want, have))
	}
}

// json compares a fake field holding a JSON object with the JSON want.
func (d *mismatches) json(fake map[string]any, name string, want []byte) {
	var w any
	if err := json.Unmarshal(want, &w); err != nil {
		*d = append(*d, fmt.Sprintf("%s: bad want %s", name, want))
		return
	}
	if !reflect.DeepEqual(w, fake[name]) {
		*d = append(*d, fmt.Sprintf("%s: want %v, have %v", name, w, fake[name]))
	}
}

// add records a described difference ("" is ignored).
func (d *mismatches) add(s string) {
	if s != "" {
		*d = append(*d, s)
	}
}

func (d mismatches) String() string { return strings.Join(d, "; ") }
