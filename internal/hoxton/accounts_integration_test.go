package hoxton

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

func TestOrganisationsAgainstFake(t *testing.T) {
	e := newFakeEnv(t, hoxtontest.Options{OrganisationName: "Acme"})
	ctx := testContext(t, time.Minute)
	orgs, err := e.c.ListOrganisations(ctx)
	if err != nil || !slices.ContainsFunc(orgs, func(o Organisation) bool { return o.ID == e.srv.OrganisationID() }) {
		t.Fatalf("ListOrganisations = %+v, %v; want the caller's organisation", orgs, err)
	}
	org, err := e.c.GetOrganisation(ctx, e.srv.OrganisationID())
	if err != nil || org.Name != "Acme" || org.State != StateActive || org.CreatedAt == nil {
		t.Errorf("GetOrganisation = %+v, %v", org, err)
	}
}

func TestUsersAgainstFake(t *testing.T) {
	e := newFakeEnv(t, hoxtontest.Options{})
	ctx := testContext(t, time.Minute)
	site := uuid.NewString()
	if _, err := Sites.Put(ctx, e.c, Site{ID: site, Name: "Store"}); err != nil {
		t.Fatal(err)
	}
	user := User{ID: "auth0|" + uuid.NewString(), Email: "ann@example.com", FirstName: "Ann", LastName: "Lee",
		Roles: []UserRole{RoleMember}, SiteIDs: []string{site}}
	if res, err := e.c.PutUser(ctx, user); err != nil || !res.Created {
		t.Fatalf("first PutUser = %+v, %v; want created", res, err)
	}
	user.FirstName = "Anne"
	if res, err := e.c.PutUser(ctx, user); err != nil || res.Created {
		t.Fatalf("second PutUser = %+v, %v; want updated", res, err)
	}
	got, err := e.c.GetUser(ctx, user.ID)
	if err != nil || got.FirstName != "Anne" || got.OrganisationID != e.srv.OrganisationID() || !slices.Equal(got.SiteIDs, []string{site}) {
		t.Fatalf("GetUser = %+v, %v", got, err)
	}
	for _, filter := range []string{"", site} {
		users, err := e.c.ListUsers(ctx, filter)
		if err != nil || !slices.ContainsFunc(users, func(u User) bool { return u.ID == user.ID }) {
			t.Errorf("ListUsers(%q) = %+v, %v; want the new user", filter, users, err)
		}
	}
	if _, err := e.c.GetUser(ctx, "auth0|nobody"); !IsNotFound(err) {
		t.Errorf("GetUser(unknown) = %v, want NotFound", err)
	}
}

// TestCreateUserAgainstFake: a user created without an id gets the id the service
// chose, and an id given in the body is not sent.
func TestCreateUserAgainstFake(t *testing.T) {
	e := newFakeEnv(t, hoxtontest.Options{})
	ctx := testContext(t, time.Minute)
	created, err := e.c.CreateUser(ctx, User{ID: "auth0|ignored", Email: "bo@example.com", FirstName: "Bo", LastName: "Ng", Roles: []UserRole{RoleAdmin}})
	if err != nil || created.ID == "" || created.ID == "auth0|ignored" || created.Email != "bo@example.com" {
		t.Fatalf("CreateUser = %+v, %v; want the stored user with a server-chosen id", created, err)
	}
	got, err := e.c.GetUser(ctx, created.ID)
	if err != nil || got.FirstName != "Bo" {
		t.Fatalf("GetUser(%s) = %+v, %v", created.ID, got, err)
	}
}

func TestOAuthClientsAgainstFake(t *testing.T) {
	e := newFakeEnv(t, hoxtontest.Options{})
	ctx := testContext(t, time.Minute)
	in := OAuthClientInput{Name: "ci", GrantTypes: []GrantType{GrantClientCredentials}}
	created, err := e.c.PutOAuthClient(ctx, in)
	if err != nil || created == nil || created.ClientID == "" || created.ClientSecret == "" {
		t.Fatalf("PutOAuthClient (create) = %+v, %v; want a client with a secret", created, err)
	}
	in.ClientID, in.Name = created.ClientID, "ci renamed"
	if updated, err := e.c.PutOAuthClient(ctx, in); err != nil || updated != nil {
		t.Fatalf("PutOAuthClient (update) = %+v, %v; want nil, nil", updated, err)
	}
	got, err := e.c.GetOAuthClient(ctx, created.ClientID)
	if err != nil || got.Name != "ci renamed" || got.ClientSecret != created.ClientSecret {
		t.Fatalf("GetOAuthClient = %+v, %v", got, err)
	}
	list, err := e.c.ListOAuthClients(ctx)
	if err != nil || !slices.ContainsFunc(list, func(o OAuthClient) bool { return o.ClientID == created.ClientID }) {
		t.Errorf("ListOAuthClients = %v, %v; want the new client", len(list), err)
	}
	rotated, err := e.c.RotateOAuthClientSecret(ctx, created.ClientID)
	if err != nil || rotated.ClientSecret == "" || rotated.ClientSecret == created.ClientSecret {
		t.Fatalf("RotateOAuthClientSecret: new secret differs: %v, err %v", rotated != nil && rotated.ClientSecret != created.ClientSecret, err)
	}
	// The rotated secret is the one the token endpoint now accepts.
	creds := auth.Credentials{Grant: auth.GrantClientCredentials, TokenURL: e.srv.TokenURL(), Audience: "https://api.hoxton.cloud",
		ClientID: created.ClientID, ClientSecret: rotated.ClientSecret}
	if _, err := Sites.List(ctx, e.client(t, e.cache.Source(creds, nil))); err != nil {
		t.Errorf("API call with the rotated secret: %v", err)
	}
	if err := e.c.DeleteOAuthClient(ctx, created.ClientID); err != nil {
		t.Fatalf("DeleteOAuthClient: %v", err)
	}
	if _, err := e.c.GetOAuthClient(ctx, created.ClientID); !IsNotFound(err) {
		t.Errorf("GetOAuthClient after delete = %v, want NotFound", err)
	}
	if err := e.c.DeleteOAuthClient(ctx, created.ClientID); !IsNotFound(err) || IgnoreGone(err) != nil {
		t.Errorf("second DeleteOAuthClient = %v, want NotFound, ignored by IgnoreGone", err)
	}
}

func TestCamerasAgainstFake(t *testing.T) {
	e := newFakeEnv(t, hoxtontest.Options{})
	ctx := testContext(t, time.Minute)
	site := uuid.NewString()
	if _, err := Sites.Put(ctx, e.c, Site{ID: site, Name: "Store"}); err != nil {
		t.Fatal(err)
	}
	serial := "SN-" + uuid.NewString()
	cam, err := e.c.ClaimCamera(ctx, CameraClaim{SerialNumber: serial, SiteID: site, Name: "Door"})
	if err != nil || cam.ID == "" || cam.CameraPositionID == "" || cam.State != CameraRunning || cam.ClaimedAt == nil {
		t.Fatalf("ClaimCamera = %+v, %v", cam, err)
	}
	found, err := e.c.FindCameraBySerial(ctx, serial)
	if err != nil || found.ID != cam.ID {
		t.Fatalf("FindCameraBySerial = %+v, %v; want %s", found, err, cam.ID)
	}
	if err := e.c.UpdateCamera(ctx, cam.ID, CameraUpdate{Name: "Front door", Direction1Alias: "in", Direction2Alias: "out"}); err != nil {
		t.Fatalf("UpdateCamera: %v", err)
	}
	if err := e.c.SetCameraState(ctx, cam.ID, CameraPaused); err != nil {
		t.Fatalf("SetCameraState: %v", err)
	}
	got, err := e.c.GetCamera(ctx, cam.ID)
	if err != nil || got.Name != "Front door" || got.Direction1Alias != "in" || got.Direction2Alias != "out" || got.State != CameraPaused {
		t.Errorf("GetCamera after update = %+v, %v", got, err)
	}
	list, err := e.c.ListCameras(ctx, site)
	if err != nil || len(list) != 1 || list[0].ID != cam.ID || !list[0].IsOnline {
		t.Errorf("ListCameras = %+v, %v; want the one camera", list, err)
	}

	_, err = e.c.ClaimCamera(ctx, CameraClaim{SerialNumber: serial, SiteID: site})
	if apiErr, ok := err.(*APIError); !ok || apiErr.StatusCode != http.StatusConflict || !IsConflict(err) {
		t.Errorf("second claim = %v, want a Conflict 409", err)
	}
	elsewhere := "SN-" + uuid.NewString()
	e.srv.ClaimElsewhere(elsewhere)
	if _, err := e.c.ClaimCamera(ctx, CameraClaim{SerialNumber: elsewhere, SiteID: site}); !IsConflict(err) {
		t.Errorf("claim of a serial held elsewhere = %v, want Conflict", err)
	}
	if _, err := e.c.FindCameraBySerial(ctx, elsewhere); !IsNotFound(err) {
		t.Errorf("FindCameraBySerial(held elsewhere) = %v, want NotFound", err)
	}
}

func TestDwellTimeReportsAgainstFake(t *testing.T) {
	e := newFakeEnv(t, hoxtontest.Options{})
	ctx := testContext(t, time.Minute)
	site, monitor := uuid.NewString(), uuid.NewString()
	if _, err := Sites.Put(ctx, e.c, Site{ID: site, Name: "Store"}); err != nil {
		t.Fatal(err)
	}
	if _, err := PeopleCountMonitors.Put(ctx, e.c, PeopleCountMonitor{ID: monitor, SiteID: site}); err != nil {
		t.Fatal(err)
	}
	req := DwellTimeReportRequest{StartDate: "2026-03-01", EndDate: "2026-03-08", PeopleCountMonitorIDs: []string{monitor}}
	report, err := e.c.CreateDwellTimeReport(ctx, req)
	if err != nil || report.DwellTimeReportID == "" || report.Status != "completed" || report.OrganisationID != e.srv.OrganisationID() {
		t.Fatalf("CreateDwellTimeReport = %+v, %v", report, err)
	}
	got, err := e.c.GetDwellTimeReport(ctx, report.DwellTimeReportID)
	if err != nil || got.DwellTimeReportID != report.DwellTimeReportID || got.StartDate != req.StartDate || !slices.Equal(got.PeopleCountMonitorIDs, req.PeopleCountMonitorIDs) {
		t.Errorf("GetDwellTimeReport = %+v, %v", got, err)
	}
	req.EndDate = req.StartDate
	if _, err := e.c.CreateDwellTimeReport(ctx, req); !IsTerminal(err) {
		t.Errorf("report with an empty range = %v, want Terminal", err)
	}
}
