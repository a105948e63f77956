package hoxtontest

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestUpsertLifecycle(t *testing.T) {
	s := newFake(t, Options{})
	a := newAPI(t, s)
	created := a.object(http.StatusCreated, "PUT", "/sites", map[string]any{"id": siteA, "name": "HQ", "tz": "Europe/London"})
	if created["id"] != siteA || created["state"] != "active" || created["organisationId"] != s.OrganisationID() {
		t.Fatalf("created = %v", created)
	}
	createdAt, err := time.Parse(time.RFC3339, created["createdAt"].(string))
	if err != nil || time.Since(createdAt) > time.Minute {
		t.Fatalf("createdAt = %v", created["createdAt"])
	}
	if _, has := created["deletedAt"]; has {
		t.Errorf("an active object has deletedAt: %v", created)
	}

	// Update: 204 without body, full replacement (tz dropped), createdAt kept.
	resp, raw := a.call("PUT", "/sites", map[string]any{"id": siteA, "name": "Head office", "createdAt": "ignored"})
	if resp.StatusCode != http.StatusNoContent || len(raw) != 0 {
		t.Fatalf("update: %d %q, want 204 without body", resp.StatusCode, raw)
	}
	got := a.object(http.StatusOK, "GET", "/sites/"+siteA, nil)
	if got["name"] != "Head office" || got["tz"] != nil || got["createdAt"] != created["createdAt"] {
		t.Fatalf("after update: %v", got)
	}

	// Soft delete, then every write answers 410 while GET still shows it.
	a.expect(http.StatusNoContent, "DELETE", "/sites/"+siteA, nil)
	got = a.object(http.StatusOK, "GET", "/sites/"+siteA, nil)
	if got["state"] != "deleted" || got["deletedAt"] == nil {
		t.Fatalf("after delete: %v", got)
	}
	a.expect(http.StatusGone, "DELETE", "/sites/"+siteA, nil)
	a.expect(http.StatusGone, "PUT", "/sites", map[string]any{"id": siteA, "name": "again"})
	if obj, ok := s.Object("sites", siteA); !ok || obj["state"] != "deleted" {
		t.Fatalf("Object after delete = %v, %v", obj, ok)
	}

	// Without an id the server picks one.
	generated := a.object(http.StatusCreated, "PUT", "/sites", map[string]any{"name": "No id"})
	if !isUUID(generated["id"].(string)) {
		t.Fatalf("generated id %v", generated["id"])
	}
	// PUT with state deleted behaves like DELETE.
	a.expect(http.StatusNoContent, "PUT", "/sites", map[string]any{"id": generated["id"], "name": "No id", "state": "deleted"})
	if obj, _ := s.Object("sites", generated["id"].(string)); obj["deletedAt"] == nil {
		t.Fatalf("PUT state deleted did not set deletedAt: %v", obj)
	}
}

func TestNotFoundMethodAndMalformed(t *testing.T) {
	s := newFake(t, Options{})
	a := newAPI(t, s)
	tests := []struct {
		method, path string
		body         any
		want         int
	}{
		{"GET", "/sites/" + siteA, nil, 404},
		{"DELETE", "/people-count-monitors/" + siteA, nil, 404},
		{"GET", "/sites/not-a-uuid", nil, 404},
		{"GET", "/nothing", nil, 404},
		{"GET", "/sites/" + siteA + "/extra", nil, 404},
		{"GET", "/sites/", nil, 404},
		{"POST", "/sites", map[string]any{"name": "x"}, 405},
		{"PATCH", "/sites/" + siteA, map[string]any{"name": "x"}, 405},
		{"DELETE", "/users/me", nil, 405},
		{"PUT", "/sites", `{"name": "x"`, 400},
		{"PUT", "/sites", `["not", "an", "object"]`, 400},
		{"PUT", "/sites", `{"name": "x"} {"name": "y"}`, 400},
		{"GET", "/sites?siteID=" + siteA, nil, 400},
		{"GET", "/people-count-monitors?siteId=nope", nil, 422},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			resp, raw := a.call(tc.method, tc.path, tc.body)
			if resp.StatusCode != tc.want {
				t.Fatalf("got %d %s, want %d", resp.StatusCode, raw, tc.want)
			}
			errorMessage(t, tc.want, raw)
			if tc.want == 405 && resp.Header.Get("Allow") == "" {
				t.Error("405 without Allow header")
			}
		})
	}
}

func TestValidation(t *testing.T) {
	s := newFake(t, Options{OtherOrganisations: map[string]string{otherO: "Other"}})
	a := newAPI(t, s)
	a.expect(http.StatusCreated, "PUT", "/sites", map[string]any{"id": siteA, "name": "A"})
	a.expect(http.StatusCreated, "PUT", "/sites", map[string]any{"id": siteB, "name": "B"})
	a.expect(http.StatusNoContent, "DELETE", "/sites/"+siteB, nil)
	s.SetObject("sites", map[string]any{"id": "33333333-3333-4333-8333-333333333333", "name": "theirs",
		"organisationId": otherO, "state": "active"})
	group := a.object(http.StatusCreated, "PUT", "/notification-groups",
		map[string]any{"name": "G", "organisationId": s.OrganisationID()})["id"]
	monitor := func(fields map[string]any) map[string]any {
		m := map[string]any{"siteId": siteA, "name": "Door"}
		for k, v := range fields {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	tests := []struct {
		name, path string
		body       map[string]any
		field      string // must be named in the message
	}{
		{"missing siteId", "/people-count-monitors", monitor(map[string]any{"siteId": nil}), "siteId"},
		{"dangling siteId", "/people-count-monitors", monitor(map[string]any{"siteId": "44444444-4444-4444-8444-444444444444"}), "siteId"},
		{"deleted site", "/people-count-monitors", monitor(map[string]any{"siteId": siteB}), "siteId"},
		{"other organisation's site", "/people-count-monitors", monitor(map[string]any{"siteId": "33333333-3333-4333-8333-333333333333"}), "siteId"},
		{"malformed siteId", "/people-count-monitors", monitor(map[string]any{"siteId": "site-a"}), "siteId"},
		{"dailyResetMin 1441", "/people-count-monitors", monitor(map[string]any{"dailyResetMin": 1441}), "dailyResetMin"},
		{"dailyResetMin fraction", "/people-count-monitors", monitor(map[string]any{"dailyResetMin": 1.5}), "dailyResetMin"},
		{"bad date", "/people-count-monitors", monitor(map[string]any{"reportingStartDate": "2024-13-01"}), "reportingStartDate"},
		{"end before start", "/occupancy-monitors", monitor(map[string]any{"reportingStartDate": "2024-05-02",
			"reportingEndDate": "2024-05-01"}), "reportingEndDate"},
		{"bad state", "/peel-off-monitors", monitor(map[string]any{"state": "archived"}), "state"},
		{"unknown field", "/people-count-monitors", monitor(map[string]any{"direction1alias": "In"}), "direction1alias"},
		{"empty site name", "/sites", map[string]any{"name": " "}, "name"},
		{"name of wrong type", "/sites", map[string]any{"name": 3}, "name"},
		{"bad alertType", "/alerts", map[string]any{"name": "a", "alertType": "loud", "organisationId": s.OrganisationID()}, "alertType"},
		{"empty emails", "/alerts", map[string]any{"name": "a", "alertType": "offline_alert",
			"organisationId": s.OrganisationID(), "emails": []any{}}, "emails"},
		{"bad role", "/users", map[string]any{"email": "a@example.com", "firstName": "A", "lastName": "B",
			"organisationId": s.OrganisationID(), "roles": []any{"owner"}}, "roles[0]"},
		{"dangling siteIds", "/users", map[string]any{"email": "a@example.com", "firstName": "A", "lastName": "B",
			"organisationId": s.OrganisationID(), "siteIds": []any{siteB}}, "siteIds"},
		{"bad grant type", "/oauth-clients", map[string]any{"name": "c", "organisationId": s.OrganisationID(),
			"grantTypes": []any{"implicit"}}, "grantTypes"},
		{"bad kind", "/annotations", map[string]any{"cameraPositionId": siteA, "roi": nil, "kind": "circle"}, "kind"},
		{"dangling camera position", "/annotations", map[string]any{"cameraPositionId": siteA, "roi": nil}, "cameraPositionId"},
		{"self-nested group", "/notification-group-notification-groups", map[string]any{"parentId": group,
			"childId": group, "organisationId": s.OrganisationID()}, "childId"},
		{"bad direction map", "/people-count-monitor-camera-positions", map[string]any{"peopleCountMonitorId": siteA,
			"cameraPositionId": siteA, "direction1Maps": "in"}, "direction1Maps"},
		{"dwell report end not after start", "/dwell-time-reports", map[string]any{"organisationId": s.OrganisationID(),
			"startDate": "2024-05-01", "endDate": "2024-05-01"}, "endDate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := "PUT"
			if tc.path == "/dwell-time-reports" {
				method = "POST"
			}
			resp, raw := a.call(method, tc.path, tc.body)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("got %d %s, want 422", resp.StatusCode, raw)
			}
			if msg := errorMessage(t, 422, raw); !strings.Contains(msg, tc.field) {
				t.Errorf("message %q does not name %s", msg, tc.field)
			}
		})
	}
	if n := len(s.Objects("people-count-monitors")); n != 0 {
		t.Errorf("rejected writes stored %d monitors", n)
	}
}

func TestOrganisationsAreIsolated(t *testing.T) {
	s := newFake(t, Options{
		OtherOrganisations: map[string]string{otherO: "Other"},
		Clients:            []OAuthClient{{ID: "mine", Secret: "s1"}, {ID: "theirs", Secret: "s2", OrganisationID: otherO}},
	})
	mine := &api{t: t, s: s, token: ccToken(t, s, "mine", "s1")}
	theirs := &api{t: t, s: s, token: ccToken(t, s, "theirs", "s2")}
	mine.expect(http.StatusCreated, "PUT", "/sites", map[string]any{"id": siteA, "name": "Mine"})
	mine.expect(http.StatusCreated, "PUT", "/people-count-monitors", map[string]any{"id": siteB, "siteId": siteA})
	tests := []struct {
		name, method, path string
		body               any
		want               int
	}{
		{"get their site", "GET", "/sites/" + siteA, nil, 403},
		{"get their monitor (owned through the site)", "GET", "/people-count-monitors/" + siteB, nil, 403},
		{"delete their site", "DELETE", "/sites/" + siteA, nil, 403},
		{"overwrite their site", "PUT", "/sites", map[string]any{"id": siteA, "name": "Hijack"}, 403},
		{"write into their organisation", "PUT", "/sites", map[string]any{"name": "x", "organisationId": s.OrganisationID()}, 403},
		{"list their organisation", "GET", "/sites?organisationId=" + s.OrganisationID(), nil, 403},
		{"get their organisation", "GET", "/organisations/" + s.OrganisationID(), nil, 403},
		{"reference their site", "PUT", "/people-count-monitors", map[string]any{"siteId": siteA}, 422},
		{"claim into their site", "POST", "/cameras", map[string]any{"serialNumber": "X1", "siteId": siteA}, 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, raw := theirs.call(tc.method, tc.path, tc.body)
			if resp.StatusCode != tc.want {
				t.Fatalf("got %d %s, want %d", resp.StatusCode, raw, tc.want)
			}
		})
	}
	if got := theirs.expect(http.StatusOK, "GET", "/sites", nil).([]any); len(got) != 0 {
		t.Errorf("the other organisation lists %v", got)
	}
	if site, _ := s.Object("sites", siteA); site["name"] != "Mine" || site["state"] != "active" {
		t.Errorf("the other organisation changed the site: %v", site)
	}
}

func TestLists(t *testing.T) {
	s := newFake(t, Options{})
	a := newAPI(t, s)
	a.expect(http.StatusCreated, "PUT", "/sites", map[string]any{"id": siteA, "name": "A"})
	a.expect(http.StatusCreated, "PUT", "/sites", map[string]any{"id": siteB, "name": "B"})
	m1 := a.object(http.StatusCreated, "PUT", "/people-count-monitors", map[string]any{"siteId": siteA})["id"].(string)
	m2 := a.object(http.StatusCreated, "PUT", "/people-count-monitors", map[string]any{"siteId": siteB})["id"].(string)
	m3 := a.object(http.StatusCreated, "PUT", "/people-count-monitors", map[string]any{"siteId": siteB})["id"].(string)
	a.expect(http.StatusNoContent, "DELETE", "/people-count-monitors/"+m3, nil)
	want := []string{m1, m2}
	slices.Sort(want)
	tests := []struct {
		path string
		want []string
	}{
		{"/sites", []string{siteA, siteB}},
		{"/sites?organisationId=" + s.OrganisationID(), []string{siteA, siteB}},
		{"/people-count-monitors?organisationId=" + s.OrganisationID(), want},
		{"/people-count-monitors?siteId=" + siteB, []string{m2}},
		{"/people-count-monitors?siteId=" + siteA + "&organisationId=" + s.OrganisationID(), []string{m1}},
		{"/alerts", nil},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			got := a.expect(http.StatusOK, "GET", tc.path, nil)
			if _, isArray := got.([]any); !isArray {
				t.Fatalf("not a plain array: %v", got)
			}
			if ids := ids(got); !slices.Equal(ids, tc.want) {
				t.Fatalf("ids %v, want %v", ids, tc.want)
			}
		})
	}
	users := a.expect(http.StatusOK, "GET", "/users?organisationId="+s.OrganisationID(), nil).([]any)
	if len(users) != 1 || users[0].(map[string]any)["email"] != DefaultUsername {
		t.Errorf("users = %v", users)
	}
	if got := a.expect(http.StatusOK, "GET", "/users?siteId="+siteA, nil).([]any); len(got) != 0 {
		t.Errorf("users of a site nobody is attached to: %v", got)
	}
}
