package hoxtontest

import (
	"net/http"
	"testing"
)

func TestCameraClaimAndFind(t *testing.T) {
	s := newFake(t, Options{})
	a := newAPI(t, s)
	a.expect(http.StatusCreated, "PUT", "/sites", map[string]any{"id": siteA, "name": "A"})
	a.expect(http.StatusCreated, "PUT", "/sites", map[string]any{"id": siteB, "name": "B"})
	a.expect(http.StatusNoContent, "DELETE", "/sites/"+siteB, nil)
	s.ClaimElsewhere("ELSEWHERE")

	cam := a.object(http.StatusCreated, "POST", "/cameras", map[string]any{"serialNumber": "HX-1", "siteId": siteA, "name": "Door"})
	for _, k := range []string{"id", "cameraPositionId"} {
		if id, _ := cam[k].(string); !isUUID(id) {
			t.Errorf("%s = %v", k, cam[k])
		}
	}
	if cam["state"] != "running" || cam["isOnline"] != true || cam["organisationId"] != s.OrganisationID() ||
		cam["siteId"] != siteA || cam["claimedAt"] == nil || cam["lastSeenAt"] == nil {
		t.Errorf("camera = %v", cam)
	}
	id := cam["id"].(string)

	tests := []struct {
		name string
		body map[string]any
		want int
	}{
		{"claimed again", map[string]any{"serialNumber": "HX-1", "siteId": siteA}, 409},
		{"claimed elsewhere", map[string]any{"serialNumber": "ELSEWHERE", "siteId": siteA}, 409},
		{"unknown site", map[string]any{"serialNumber": "HX-2", "siteId": "44444444-4444-4444-8444-444444444444"}, 404},
		{"deleted site", map[string]any{"serialNumber": "HX-2", "siteId": siteB}, 404},
		{"missing serial", map[string]any{"siteId": siteA}, 422},
		{"unknown field", map[string]any{"serialNumber": "HX-2", "siteId": siteA, "state": "paused"}, 422},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, raw := a.call("POST", "/cameras", tc.body)
			if resp.StatusCode != tc.want {
				t.Fatalf("got %d %s, want %d", resp.StatusCode, raw, tc.want)
			}
			errorMessage(t, tc.want, raw)
		})
	}

	for _, tc := range []struct {
		query string
		n     int
	}{{"?serialNumber=HX-1", 1}, {"?serialNumber=ELSEWHERE", 0}, {"?siteId=" + siteA, 1}, {"", 1}} {
		if got := a.expect(http.StatusOK, "GET", "/cameras"+tc.query, nil).([]any); len(got) != tc.n {
			t.Errorf("GET /cameras%s = %v, want %d", tc.query, got, tc.n)
		}
	}

	// Pause, relabel, read back.
	a.expect(http.StatusCreated, "PUT", "/cameras/"+id+"/state/paused", nil)
	a.expect(http.StatusUnprocessableEntity, "PUT", "/cameras/"+id+"/state/off", nil)
	a.expect(http.StatusNoContent, "PUT", "/cameras/"+id, map[string]any{"name": "Front door", "direction1Alias": "In"})
	a.expect(http.StatusUnprocessableEntity, "PUT", "/cameras/"+id, map[string]any{"siteId": siteA})
	got := a.object(http.StatusOK, "GET", "/cameras/"+id, nil)
	if got["state"] != "paused" || got["name"] != "Front door" || got["direction1Alias"] != "In" || got["serialNumber"] != "HX-1" {
		t.Errorf("camera after changes = %v", got)
	}
	a.expect(http.StatusNotFound, "GET", "/cameras/"+siteA, nil)
	a.expect(http.StatusNotFound, "PUT", "/cameras/"+siteA+"/state/running", nil)
}

func TestCameraPositionsAreReferences(t *testing.T) {
	s := newFake(t, Options{})
	a := newAPI(t, s)
	a.expect(http.StatusCreated, "PUT", "/sites", map[string]any{"id": siteA, "name": "A"})
	pos := a.object(http.StatusCreated, "POST", "/cameras", map[string]any{"serialNumber": "HX-9", "siteId": siteA})["cameraPositionId"]
	monitor := a.object(http.StatusCreated, "PUT", "/people-count-monitors", map[string]any{"siteId": siteA})["id"]
	link := a.object(http.StatusCreated, "PUT", "/people-count-monitor-camera-positions", map[string]any{
		"peopleCountMonitorId": monitor, "cameraPositionId": pos, "direction1Maps": "direction2", "direction2Maps": "direction1"})
	if link["direction1Maps"] != "direction2" {
		t.Errorf("link = %v", link)
	}
	a.expect(http.StatusCreated, "PUT", "/annotations", map[string]any{"cameraPositionId": pos, "kind": "polygon",
		"roi": map[string]any{"coordinates": []any{}}})
	alert := a.object(http.StatusCreated, "PUT", "/alerts", map[string]any{"name": "Offline", "alertType": "offline_alert",
		"organisationId": s.OrganisationID(), "siteId": siteA})["id"]
	a.expect(http.StatusCreated, "PUT", "/alert-camera-position-mappings", map[string]any{"alertId": alert, "cameraPositionId": pos})
	links := a.expect(http.StatusOK, "GET", "/people-count-monitor-camera-positions?peopleCountMonitorId="+monitor.(string), nil).([]any)
	if len(links) != 1 {
		t.Errorf("links of the monitor = %v", links)
	}
	// A camera inserted behind the API's back provides its position too.
	s.SetObject("cameras", map[string]any{"id": siteB, "serialNumber": "HX-10", "organisationId": s.OrganisationID(),
		"siteId": siteA, "cameraPositionId": "55555555-5555-4555-8555-555555555555", "state": "running"})
	a.expect(http.StatusCreated, "PUT", "/annotations", map[string]any{"cameraPositionId": "55555555-5555-4555-8555-555555555555", "roi": nil})
	a.expect(http.StatusConflict, "POST", "/cameras", map[string]any{"serialNumber": "HX-10", "siteId": siteA})
}
