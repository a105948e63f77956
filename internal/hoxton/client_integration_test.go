package hoxton

import (
	"context"
	"encoding/json"
	"fmt"
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
	must(Sites.Put(ctx, c, Site{ID: f.site, Name: "Fixture site"}))
	cam, err := c.ClaimCamera(ctx, CameraClaim{SerialNumber: "SN-" + uuid.NewString(), SiteID: f.site})
	if err != nil {
		t.Fatalf("fixture camera: %v", err)
	}
	f.cameraPosition = cam.CameraPositionID
	must(Alerts.Put(ctx, c, Alert{ID: f.alert, Name: "Fixture alert", AlertType: AlertOccupancy, SiteID: &f.site}))
	must(NotificationGroups.Put(ctx, c, NotificationGroup{ID: f.group, Name: "Parent"}))
	must(NotificationGroups.Put(ctx, c, NotificationGroup{ID: f.group2, Name: "Child"}))
	must(PeopleCountMonitors.Put(ctx, c, PeopleCountMonitor{ID: f.peopleCount, SiteID: f.site}))
	must(OccupancyMonitors.Put(ctx, c, OccupancyMonitor{ID: f.occupancy, SiteID: f.site}))
	must(PeelOffMonitors.Put(ctx, c, PeelOffMonitor{ID: f.peelOff, SiteID: f.site}))
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

// opsOf binds a collection's calls; filter are the list's filter pairs.
func opsOf[T any](c *Client, col Collection[T], build func(id string) T, filter ...string) lifecycleOps {
	return lifecycleOps{
		put:  func(ctx context.Context, id string) (PutResult, error) { return col.Put(ctx, c, build(id)) },
		body: func(id string) any { return build(id) },
		get:  func(ctx context.Context, id string) (any, error) { return col.Get(ctx, c, id) },
		list: func(ctx context.Context) ([]any, error) { return anys(col.List(ctx, c, filter...)) },
		del:  func(ctx context.Context, id string) error { return col.Delete(ctx, c, id) },
	}
}

// linkOpsOf binds a link collection's calls for links of owner to target.
func linkOpsOf(c *Client, lc LinkCollection, owner, target string, attrs map[string]string) lifecycleOps {
	build := func(id string) Link { return Link{ID: id, Owner: owner, Target: target, Attrs: attrs} }
	return lifecycleOps{
		put: func(ctx context.Context, id string) (PutResult, error) { return lc.Put(ctx, c, build(id)) },
		body: func(id string) any {
			m := map[string]any{"id": id, lc.OwnerField: owner, lc.TargetField: target}
			for k, v := range attrs {
				m[k] = v
			}
			return m
		},
		get: func(ctx context.Context, id string) (any, error) {
			// The stored object as the service answers it, and Get's reading of it.
			var stored map[string]any
			if err := get(ctx, c, lc.Resource, lc.Path, wireID, id, &stored); err != nil {
				return nil, err
			}
			if l, err := lc.Get(ctx, c, id); err != nil || l.Owner != owner || l.Target != target || l.ID != id {
				return nil, fmt.Errorf("Get = %+v, %v; want %s from %s to %s", l, err, id, owner, target)
			}
			return stored, nil
		},
		list: func(ctx context.Context) ([]any, error) {
			links, err := lc.List(ctx, c, owner)
			out := make([]any, len(links))
			for i, l := range links {
				out[i] = map[string]any{"id": l.ID}
			}
			return out, err
		},
		del: func(ctx context.Context, id string) error { return lc.Delete(ctx, c, id) },
	}
}

func anys[T any](items []T, err error) ([]any, error) {
	out := make([]any, len(items))
	for i := range items {
		out[i] = items[i]
	}
	return out, err
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
	dirs := func(d1, d2 MonitorDirection) map[string]string {
		return map[string]string{"direction1Maps": string(d1), "direction2Maps": string(d2)}
	}
	return []lifecycleCase{
		{"sites", opsOf(c, Sites, func(id string) Site {
			return Site{ID: id, Name: "HQ", TZ: "Europe/London", OpeningHour: map[string]any{"mon": "9-17"}}
		})},
		{"annotations", opsOf(c, Annotations, func(id string) Annotation {
			return Annotation{ID: id, CameraPositionID: f.cameraPosition, Kind: AnnotationPolygon, ROI: roi}
		}, "cameraPositionId", f.cameraPosition)},
		{"alerts", opsOf(c, Alerts, func(id string) Alert {
			return Alert{ID: id, Name: "Door", AlertType: AlertOffline, SiteID: &f.site, Emails: []string{"ops@example.com"},
				ConfigurationDetails: map[string]any{"threshold": 5.0}, Webhook: map[string]any{"url": "https://example.com/h"}}
		}, "siteId", f.site)},
		{"alert notification group mappings", linkOpsOf(c, AlertNotificationGroupMappings, f.alert, f.group, nil)},
		{"alert camera position mappings", linkOpsOf(c, AlertCameraPositionMappings, f.alert, f.cameraPosition, nil)},
		{"alert occupancy monitor mappings", linkOpsOf(c, AlertOccupancyMonitorMappings, f.alert, f.occupancy, nil)},
		{"notification groups", opsOf(c, NotificationGroups, func(id string) NotificationGroup {
			return NotificationGroup{ID: id, Name: "On call", Emails: []string{"a@example.com", "b@example.com"}}
		})},
		{"notification group links", linkOpsOf(c, NotificationGroupLinks, f.group, f.group2, nil)},
		{"people count monitors", opsOf(c, PeopleCountMonitors, func(id string) PeopleCountMonitor {
			return PeopleCountMonitor{ID: id, SiteID: f.site, Name: "Entrance", Direction1Alias: "in", Direction2Alias: "out",
				DailyResetMin: &reset, ReportingStartDate: &day, ReportingEndDate: &later}
		}, "siteId", f.site)},
		{"occupancy monitors", opsOf(c, OccupancyMonitors, func(id string) OccupancyMonitor {
			return OccupancyMonitor{ID: id, SiteID: f.site, Name: "Hall", DailyResetMin: &reset, ReportingStartDate: &day}
		})},
		{"peel-off monitors", opsOf(c, PeelOffMonitors, func(id string) PeelOffMonitor {
			return PeelOffMonitor{ID: id, SiteID: f.site, Name: "Aisle", ReportingEndDate: &later}
		}, "siteId", f.site)},
		{"people count monitor camera positions", linkOpsOf(c, PeopleCountMonitorCameraPositions, f.peopleCount, f.cameraPosition,
			dirs(MonitorDirection2, MonitorDirection1))},
		{"occupancy monitor camera positions", linkOpsOf(c, OccupancyMonitorCameraPositions, f.occupancy, f.cameraPosition,
			dirs(MonitorDirection1, MonitorDirection2))},
		{"peel-off monitor camera positions", linkOpsOf(c, PeelOffMonitorCameraPositions, f.peelOff, f.cameraPosition,
			map[string]string{"direction1Maps": string(MonitorDirection1)})},
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
			_, err := PeopleCountMonitors.Put(ctx, c, PeopleCountMonitor{ID: uuid.NewString(), SiteID: uuid.NewString()})
			return err
		}, http.StatusUnprocessableEntity, ClassTerminal, "siteId"},
		{"daily reset out of range", func() error {
			bad := 2000
			_, err := OccupancyMonitors.Put(ctx, c, OccupancyMonitor{ID: uuid.NewString(), SiteID: uuid.NewString(), DailyResetMin: &bad})
			return err
		}, http.StatusUnprocessableEntity, ClassTerminal, "dailyResetMin"},
		{"another organisation", func() error { _, err := c.GetOrganisation(ctx, other); return err }, http.StatusForbidden, ClassForbidden, other},
		{"writing into another organisation", func() error {
			_, err := Sites.Put(ctx, c, Site{ID: uuid.NewString(), Name: "x", OrganisationID: other})
			return err
		}, http.StatusForbidden, ClassForbidden, "organisationId"},
		{"unknown object", func() error { _, err := Sites.Get(ctx, c, uuid.NewString()); return err }, http.StatusNotFound, ClassNotFound, "not found"},
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
