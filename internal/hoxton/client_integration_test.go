package hoxton

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// fixtures are the objects the resources under test refer to.
type fixtures struct {
	site, cameraPosition, alert, group, group2, peopleCount, occupancy, peelOff string
}

func newFixtures(ctx context.Context, t *testing.T, c *Client) fixtures {
	t.Helper()
	f := fixtures{site: uuid.NewString(), alert: uuid.NewString(), group: uuid.NewString(), group2: uuid.NewString(),
		peopleCount: uuid.NewString(), occupancy: uuid.NewString(), peelOff: uuid.NewString()}
	must := func(_ PutResult, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("fixture: %v", err)
		}
	}
	must(c.PutSite(ctx, Site{ID: f.site, Name: "Fixture site"}))
	cam, err := c.ClaimCamera(ctx, CameraClaim{SerialNumber: "SN-" + uuid.NewString(), SiteID: f.site})
	if err != nil {
		t.Fatalf("fixture camera: %v", err)
	}
	f.cameraPosition = cam.CameraPositionID
	must(c.PutAlert(ctx, Alert{ID: f.alert, Name: "Fixture alert", AlertType: AlertOccupancy, SiteID: &f.site}))
	must(c.PutNotificationGroup(ctx, NotificationGroup{ID: f.group, Name: "Parent"}))
	must(c.PutNotificationGroup(ctx, NotificationGroup{ID: f.group2, Name: "Child"}))
	must(c.PutPeopleCountMonitor(ctx, PeopleCountMonitor{ID: f.peopleCount, SiteID: f.site}))
	must(c.PutOccupancyMonitor(ctx, OccupancyMonitor{ID: f.occupancy, SiteID: f.site}))
	must(c.PutPeelOffMonitor(ctx, PeelOffMonitor{ID: f.peelOff, SiteID: f.site}))
	return f
}

// lifecycleOps are one resource's calls, with the object under test reduced to JSON.
type lifecycleOps struct {
	put  func(ctx context.Context, id string) (PutResult, error)
	body func(id string) any
	get  func(ctx context.Context, id string) (any, error)
	list func(ctx context.Context) ([]any, error)
	del  func(ctx context.Context, id string) error
}

func opsOf[T any](put func(context.Context, T) (PutResult, error), get func(context.Context, string) (*T, error),
	list func(context.Context) ([]T, error), del func(context.Context, string) error, build func(id string) T) lifecycleOps {
	return lifecycleOps{
		put:  func(ctx context.Context, id string) (PutResult, error) { return put(ctx, build(id)) },
		body: func(id string) any { return build(id) },
		get:  func(ctx context.Context, id string) (any, error) { return get(ctx, id) },
		list: func(ctx context.Context) ([]any, error) {
			items, err := list(ctx)
			out := make([]any, len(items))
			for i := range items {
				out[i] = items[i]
			}
			return out, err
		},
		del: del,
	}
}

// by binds a list filter.
func by[T any](list func(context.Context, string) ([]T, error), arg string) func(context.Context) ([]T, error) {
	return func(ctx context.Context) ([]T, error) { return list(ctx, arg) }
}

// asMap reduces a wire value to its JSON object.
func asMap(t *testing.T, v any) map[string]any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// lifecycleCase is one upserted resource and its calls.
type lifecycleCase struct {
	name string
	ops  lifecycleOps
}

// lifecycleCases returns every upserted resource of the API, bound to c and f.
func lifecycleCases(c *Client, f fixtures) []lifecycleCase {
	day, later := Date("2026-01-01"), DateOf(time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC))
	reset := 360
	roi := map[string]any{"type": "Polygon", "coordinates": []any{[]any{[]any{0.0, 0.0}, []any{1.0, 0.0}, []any{1.0, 1.0}, []any{0.0, 0.0}}}}
	return []lifecycleCase{
		{"sites", opsOf(c.PutSite, c.GetSite, c.ListSites, c.DeleteSite,
			func(id string) Site {
				return Site{ID: id, Name: "HQ", TZ: "Europe/London", OpeningHour: map[string]any{"mon": "9-17"}}
			})},
		{"annotations", opsOf(c.PutAnnotation, c.GetAnnotation, by(c.ListAnnotations, f.cameraPosition), c.DeleteAnnotation,
			func(id string) Annotation {
				return Annotation{ID: id, CameraPositionID: f.cameraPosition, Kind: AnnotationPolygon, ROI: roi}
			})},
		{"alerts", opsOf(c.PutAlert, c.GetAlert, by(c.ListAlerts, f.site), c.DeleteAlert,
			func(id string) Alert {
				return Alert{ID: id, Name: "Door", AlertType: AlertOffline, SiteID: &f.site, Emails: []string{"ops@example.com"},
					ConfigurationDetails: map[string]any{"threshold": 5.0}, Webhook: map[string]any{"url": "https://example.com/h"}}
			})},
		{"alert notification group mappings", opsOf(c.PutAlertNotificationGroupMapping, c.GetAlertNotificationGroupMapping,
			by(c.ListAlertNotificationGroupMappings, f.alert), c.DeleteAlertNotificationGroupMapping,
			func(id string) AlertNotificationGroupMapping {
				return AlertNotificationGroupMapping{ID: id, AlertID: f.alert, NotificationGroupID: f.group}
			})},
		{"alert camera position mappings", opsOf(c.PutAlertCameraPositionMapping, c.GetAlertCameraPositionMapping,
			by(c.ListAlertCameraPositionMappings, f.alert), c.DeleteAlertCameraPositionMapping,
			func(id string) AlertCameraPositionMapping {
				return AlertCameraPositionMapping{ID: id, AlertID: f.alert, CameraPositionID: f.cameraPosition}
			})},
		{"alert occupancy monitor mappings", opsOf(c.PutAlertOccupancyMonitorMapping, c.GetAlertOccupancyMonitorMapping,
			by(c.ListAlertOccupancyMonitorMappings, f.alert), c.DeleteAlertOccupancyMonitorMapping,
			func(id string) AlertOccupancyMonitorMapping {
				return AlertOccupancyMonitorMapping{ID: id, AlertID: f.alert, OccupancyMonitorID: f.occupancy}
			})},
		{"notification groups", opsOf(c.PutNotificationGroup, c.GetNotificationGroup, c.ListNotificationGroups, c.DeleteNotificationGroup,
			func(id string) NotificationGroup {
				return NotificationGroup{ID: id, Name: "On call", Emails: []string{"a@example.com", "b@example.com"}}
			})},
		{"notification group links", opsOf(c.PutNotificationGroupLink, c.GetNotificationGroupLink,
			by(c.ListNotificationGroupLinks, f.group), c.DeleteNotificationGroupLink,
			func(id string) NotificationGroupLink {
				return NotificationGroupLink{ID: id, ParentID: f.group, ChildID: f.group2}
			})},
		{"people count monitors", opsOf(c.PutPeopleCountMonitor, c.GetPeopleCountMonitor, by(c.ListPeopleCountMonitors, f.site), c.DeletePeopleCountMonitor,
			func(id string) PeopleCountMonitor {
				return PeopleCountMonitor{ID: id, SiteID: f.site, Name: "Entrance", Direction1Alias: "in", Direction2Alias: "out",
					DailyResetMin: &reset, ReportingStartDate: &day, ReportingEndDate: &later}
			})},
		{"occupancy monitors", opsOf(c.PutOccupancyMonitor, c.GetOccupancyMonitor, by(c.ListOccupancyMonitors, ""), c.DeleteOccupancyMonitor,
			func(id string) OccupancyMonitor {
				return OccupancyMonitor{ID: id, SiteID: f.site, Name: "Hall", DailyResetMin: &reset, ReportingStartDate: &day}
			})},
		{"peel-off monitors", opsOf(c.PutPeelOffMonitor, c.GetPeelOffMonitor, by(c.ListPeelOffMonitors, f.site), c.DeletePeelOffMonitor,
			func(id string) PeelOffMonitor {
				return PeelOffMonitor{ID: id, SiteID: f.site, Name: "Aisle", ReportingEndDate: &later}
			})},
		{"people count monitor camera positions", opsOf(c.PutPeopleCountMonitorCameraPosition, c.GetPeopleCountMonitorCameraPosition,
			by(c.ListPeopleCountMonitorCameraPositions, f.peopleCount), c.DeletePeopleCountMonitorCameraPosition,
			func(id string) PeopleCountMonitorCameraPosition {
				return PeopleCountMonitorCameraPosition{ID: id, PeopleCountMonitorID: f.peopleCount, CameraPositionID: f.cameraPosition,
					Direction1Maps: MonitorDirection2, Direction2Maps: MonitorDirection1}
			})},
		{"occupancy monitor camera positions", opsOf(c.PutOccupancyMonitorCameraPosition, c.GetOccupancyMonitorCameraPosition,
			by(c.ListOccupancyMonitorCameraPositions, f.occupancy), c.DeleteOccupancyMonitorCameraPosition,
			func(id string) OccupancyMonitorCameraPosition {
				return OccupancyMonitorCameraPosition{ID: id, OccupancyMonitorID: f.occupancy, CameraPositionID: f.cameraPosition,
					Direction1Maps: MonitorDirection1, Direction2Maps: MonitorDirection2}
			})},
		{"peel-off monitor camera positions", opsOf(c.PutPeelOffMonitorCameraPosition, c.GetPeelOffMonitorCameraPosition,
			by(c.ListPeelOffMonitorCameraPositions, f.peelOff), c.DeletePeelOffMonitorCameraPosition,
			func(id string) PeelOffMonitorCameraPosition {
				return PeelOffMonitorCameraPosition{ID: id, PeelOffMonitorID: f.peelOff, CameraPositionID: f.cameraPosition,
					Direction1Maps: MonitorDirection1}
			})},
	}
}

func TestResourceLifecyclesAgainstFake(t *testing.T) {
	e := newFakeEnv(t, hoxtontest.Options{})
	ctx := testContext(t, time.Minute)
	for _, tt := range lifecycleCases(e.c, newFixtures(ctx, t, e.c)) {
		t.Run(tt.name, func(t *testing.T) { checkLifecycle(ctx, t, tt.ops) })
	}
}

// checkLifecycle runs put (created) / put (updated) / get / list / delete / get (gone) /
// put (gone) / delete (gone) / list for one resource.
func checkLifecycle(ctx context.Context, t *testing.T, o lifecycleOps) {
	id := uuid.NewString()
	if res, err := o.put(ctx, id); err != nil || !res.Created {
		t.Fatalf("first put = %+v, %v; want created", res, err)
	}
	if res, err := o.put(ctx, id); err != nil || res.Created {
		t.Fatalf("second put = %+v, %v; want updated", res, err)
	}
	got, err := o.get(ctx, id)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	stored := asMap(t, got)
	for k, want := range asMap(t, o.body(id)) {
		// An empty organisationId is filled by the client; every other field sent must
		// come back as it was written.
		if want != "" && !reflect.DeepEqual(stored[k], want) {
			t.Errorf("stored %s = %v, want %v", k, stored[k], want)
		}
	}
	if stored["state"] != string(StateActive) {
		t.Errorf("state = %v, want active", stored["state"])
	}
	if ids := listIDs(ctx, t, o); !slices.Contains(ids, id) {
		t.Errorf("list %v does not contain %s", ids, id)
	}
	if err := o.del(ctx, id); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := o.get(ctx, id); !IsGone(err) {
		t.Errorf("get after delete = %v, want Gone", err)
	}
	if _, err := o.put(ctx, id); !IsGone(err) {
		t.Errorf("put after delete = %v, want Gone (Assumption A8)", err)
	}
	if err := o.del(ctx, id); !IsGone(err) || IgnoreGone(err) != nil {
		t.Errorf("second delete = %v, want Gone, ignored by IgnoreGone", err)
	}
	if ids := listIDs(ctx, t, o); slices.Contains(ids, id) {
		t.Errorf("list after delete still contains %s", id)
	}
}

func listIDs(ctx context.Context, t *testing.T, o lifecycleOps) []string {
	t.Helper()
	items, err := o.list(ctx)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	ids := make([]string, 0, len(items))
	for _, item := range items {
		id, _ := asMap(t, item)["id"].(string)
		ids = append(ids, id)
	}
	return ids
}

func TestValidationAndOwnershipErrorsAgainstFake(t *testing.T) {
	other := "3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a"
	e := newFakeEnv(t, hoxtontest.Options{OtherOrganisations: map[string]string{other: "Other"}})
	ctx := testContext(t, time.Minute)
	c := e.c
	tests := []struct {
		name       string
		call       func() error
		wantStatus int
		wantClass  Class
		wantMsg    string
	}{
		{"dangling site reference", func() error {
			_, err := c.PutPeopleCountMonitor(ctx, PeopleCountMonitor{ID: uuid.NewString(), SiteID: uuid.NewString()})
			return err
		}, http.StatusUnprocessableEntity, ClassTerminal, "siteId"},
		{"daily reset out of range", func() error {
			bad := 2000
			_, err := c.PutOccupancyMonitor(ctx, OccupancyMonitor{ID: uuid.NewString(), SiteID: uuid.NewString(), DailyResetMin: &bad})
			return err
		}, http.StatusUnprocessableEntity, ClassTerminal, "dailyResetMin"},
		{"another organisation", func() error { _, err := c.GetOrganisation(ctx, other); return err }, http.StatusForbidden, ClassAuth, other},
		{"writing into another organisation", func() error {
			_, err := c.PutSite(ctx, Site{ID: uuid.NewString(), Name: "x", OrganisationID: other})
			return err
		}, http.StatusForbidden, ClassAuth, "organisationId"},
		{"unknown object", func() error { _, err := c.GetSite(ctx, uuid.NewString()); return err }, http.StatusNotFound, ClassNotFound, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			apiErr, ok := err.(*APIError)
			if !ok || apiErr.StatusCode != tt.wantStatus || Classify(err) != tt.wantClass || !strings.Contains(apiErr.Message, tt.wantMsg) {
				t.Fatalf("err = %v, want %d (%s) with a message naming %q", err, tt.wantStatus, tt.wantClass, tt.wantMsg)
			}
		})
	}
}
