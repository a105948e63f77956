package hoxtontest

import (
	"net/http"
	"net/url"
	"testing"
)

func TestOAuthClientsThroughTheAPI(t *testing.T) {
	s := newFake(t, Options{})
	a := newAPI(t, s)
	created := a.object(http.StatusCreated, "PUT", "/oauth-clients", map[string]any{
		"name": "ci", "organisationId": s.OrganisationID(), "grantTypes": []any{"client_credentials"}})
	id, secret := created["clientId"].(string), created["clientSecret"].(string)
	if id == "" || len(secret) < 32 {
		t.Fatalf("created = %v", created)
	}
	// The new client can get tokens, but only for its grant types.
	ccToken(t, s, id, secret)
	status, out := tokenCall(t, s, map[string]string{"grant_type": "password", "client_id": id,
		"client_secret": secret, "username": DefaultUsername, "password": DefaultPassword,
		"audience": DefaultAudience}, false)
	if status != http.StatusBadRequest || out["error"] != "unauthorized_client" {
		t.Errorf("password grant for a client_credentials client: %d %v", status, out)
	}
	// Update keeps the secret; an unknown clientId cannot be chosen.
	a.expect(http.StatusNoContent, "PUT", "/oauth-clients", map[string]any{"clientId": id, "name": "ci2",
		"organisationId": s.OrganisationID(), "grantTypes": []any{"client_credentials"}})
	if got := a.object(http.StatusOK, "GET", "/oauth-clients/"+id, nil); got["clientSecret"] != secret || got["name"] != "ci2" {
		t.Errorf("after update: %v", got)
	}
	a.expect(http.StatusNotFound, "PUT", "/oauth-clients", map[string]any{"clientId": "chosen", "name": "x",
		"organisationId": s.OrganisationID(), "grantTypes": []any{}})
	// Rotation invalidates the old secret.
	rotated := a.object(http.StatusOK, "PUT", "/oauth-clients/"+id+"/rotate-secret", nil)
	if rotated["clientSecret"] == secret {
		t.Fatal("rotate-secret kept the secret")
	}
	if status, _ := tokenCall(t, s, map[string]string{"grant_type": "client_credentials", "client_id": id,
		"client_secret": secret, "audience": DefaultAudience}, true); status != http.StatusUnauthorized {
		t.Errorf("old secret after rotate-secret: %d", status)
	}
	// Hard delete.
	a.expect(http.StatusNoContent, "DELETE", "/oauth-clients/"+id, nil)
	a.expect(http.StatusNotFound, "GET", "/oauth-clients/"+id, nil)
	a.expect(http.StatusNotFound, "DELETE", "/oauth-clients/"+id, nil)
	if clients := a.expect(http.StatusOK, "GET", "/oauth-clients", nil).([]any); len(clients) != 1 {
		t.Errorf("clients after delete: %v", clients)
	}
}

func TestUsersAndOrganisations(t *testing.T) {
	s := newFake(t, Options{})
	a := newAPI(t, s)
	a.expect(http.StatusCreated, "PUT", "/sites", map[string]any{"id": siteA, "name": "A"})
	u := a.object(http.StatusCreated, "PUT", "/users", map[string]any{"email": "m@example.com",
		"firstName": "M", "lastName": "N", "organisationId": s.OrganisationID(),
		"roles": []any{"member"}, "siteIds": []any{siteA}})
	id := u["id"].(string)
	if isUUID(id) || u["organisationName"] != DefaultOrganisationName {
		t.Errorf("user = %v (ids are identity-provider strings, not uuids)", u)
	}
	got := a.object(http.StatusOK, "GET", "/users/"+url.PathEscape(id), nil)
	if got["email"] != "m@example.com" {
		t.Errorf("GET user = %v", got)
	}
	if bySite := a.expect(http.StatusOK, "GET", "/users?siteId="+siteA, nil).([]any); len(bySite) != 1 {
		t.Errorf("users of site A = %v", bySite)
	}
	org := a.object(http.StatusOK, "GET", "/organisations/"+s.OrganisationID(), nil)
	if org["name"] != DefaultOrganisationName || org["state"] != "active" {
		t.Errorf("organisation = %v", org)
	}
	a.expect(http.StatusNotFound, "GET", "/organisations/"+otherO, nil)
	if orgs := a.expect(http.StatusOK, "GET", "/organisations?userId="+url.QueryEscape(id), nil).([]any); len(orgs) != 1 {
		t.Errorf("organisations of the user = %v", orgs)
	}
}

func TestDwellTimeReports(t *testing.T) {
	s := newFake(t, Options{})
	a := newAPI(t, s)
	a.expect(http.StatusCreated, "PUT", "/sites", map[string]any{"id": siteA, "name": "A"})
	monitor := a.object(http.StatusCreated, "PUT", "/people-count-monitors", map[string]any{"siteId": siteA})["id"]
	report := a.object(http.StatusOK, "POST", "/dwell-time-reports", map[string]any{
		"organisationId": s.OrganisationID(), "startDate": "2024-05-01", "endDate": "2024-05-08",
		"peopleCountMonitorIds": []any{monitor}})
	if report["status"] != "completed" || len(report["reportData"].([]any)) != 0 {
		t.Fatalf("report = %v", report)
	}
	got := a.object(http.StatusOK, "GET", "/dwell-time-reports/"+report["dwellTimeReportId"].(string), nil)
	if got["startDate"] != "2024-05-01" {
		t.Errorf("GET report = %v", got)
	}
	a.expect(http.StatusUnprocessableEntity, "POST", "/dwell-time-reports", map[string]any{
		"organisationId": s.OrganisationID(), "startDate": "2024-05-01", "endDate": "2024-05-08",
		"occupancyMonitorIds": []any{monitor}})
}
