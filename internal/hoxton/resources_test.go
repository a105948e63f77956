package hoxton

import (
	"context"
	"net/http"
	"testing"
	"time"
)

const otherID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"

func TestListQueries(t *testing.T) {
	org := "organisationId=" + testOrg
	tests := []struct {
		name      string
		call      func(context.Context, *Client) error
		path, raw string
	}{
		{"organisations", func(ctx context.Context, c *Client) error { _, err := c.ListOrganisations(ctx); return err }, "/organisations", ""},
		{"users of a site", func(ctx context.Context, c *Client) error { _, err := c.ListUsers(ctx, siteID); return err }, "/users", org + "&siteId=" + siteID},
		{"sites", func(ctx context.Context, c *Client) error { _, err := Sites.List(ctx, c); return err }, "/sites", org},
		{"cameras of all sites", func(ctx context.Context, c *Client) error { _, err := c.ListCameras(ctx, ""); return err }, "/cameras", org},
		{"annotations", func(ctx context.Context, c *Client) error {
			_, err := Annotations.List(ctx, c, "cameraPositionId", otherID)
			return err
		}, "/annotations", "cameraPositionId=" + otherID + "&" + org},
		{"alerts of a site", func(ctx context.Context, c *Client) error {
			_, err := Alerts.List(ctx, c, "siteId", siteID)
			return err
		}, "/alerts", org + "&siteId=" + siteID},
		{"alert group mappings", func(ctx context.Context, c *Client) error {
			_, err := AlertNotificationGroupMappings.List(ctx, c, otherID)
			return err
		}, "/alert-notification-group-mappings", "alertId=" + otherID},
		{"notification groups", func(ctx context.Context, c *Client) error { _, err := NotificationGroups.List(ctx, c); return err }, "/notification-groups", org},
		{"group links", func(ctx context.Context, c *Client) error {
			_, err := NotificationGroupLinks.List(ctx, c, otherID)
			return err
		}, "/notification-group-notification-groups", "parentId=" + otherID},
		{"people count monitors", func(ctx context.Context, c *Client) error { _, err := PeopleCountMonitors.List(ctx, c); return err }, "/people-count-monitors", org},
		{"peel-off monitor links", func(ctx context.Context, c *Client) error {
			_, err := PeelOffMonitorCameraPositions.List(ctx, c, otherID)
			return err
		}, "/peel-off-monitor-camera-positions", "peelOffMonitorId=" + otherID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, reply(200, []any{}))
			if err := tt.call(testContext(t, 10*time.Second), newTestClient(t, ts, nil, nil)); err != nil {
				t.Fatal(err)
			}
			req := ts.requests()[0]
			if req.Method != http.MethodGet || req.Path != "/api/v0"+tt.path || req.Query != tt.raw {
				t.Errorf("request = %s %s?%s, want GET /api/v0%s?%s", req.Method, req.Path, req.Query, tt.path, tt.raw)
			}
		})
	}
}

func TestListDropsDeletedObjects(t *testing.T) {
	ts := newTestServer(t, reply(200, []map[string]any{
		{"id": siteID, "name": "live", "state": "active"},
		{"id": otherID, "name": "gone", "state": "deleted"},
	}))
	got, err := Sites.List(testContext(t, 10*time.Second), newTestClient(t, ts, nil, nil))
	if err != nil || len(got) != 1 || got[0].Name != "live" {
		t.Errorf("ListSites = %+v, %v; want only the active site", got, err)
	}
}

func TestPutResultFollowsStatus(t *testing.T) {
	for _, tt := range []struct {
		status int
		want   bool
	}{{201, true}, {204, false}} {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			ts := newTestServer(t, reply(tt.status, nil))
			res, err := NotificationGroups.Put(testContext(t, 10*time.Second), newTestClient(t, ts, nil, nil), NotificationGroup{Name: "ops"})
			if err != nil || res.Created != tt.want {
				t.Errorf("PutNotificationGroup = %+v, %v; want Created %v", res, err, tt.want)
			}
		})
	}
}

func TestPutOAuthClientReturnsSecretOnlyOnCreate(t *testing.T) {
	created := map[string]any{"clientId": "abc", "clientSecret": "s3cr3t", "name": "ci", "grantTypes": []string{"client_credentials"}}
	for _, tt := range []struct {
		name       string
		handler    http.HandlerFunc
		wantSecret string
	}{{"created", reply(201, created), "s3cr3t"}, {"updated", reply(204, nil), ""}} {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, tt.handler)
			got, err := newTestClient(t, ts, nil, nil).PutOAuthClient(testContext(t, 10*time.Second),
				OAuthClientInput{Name: "ci", GrantTypes: []GrantType{GrantClientCredentials}})
			if err != nil || (got == nil) != (tt.wantSecret == "") || (got != nil && got.ClientSecret != tt.wantSecret) {
				t.Errorf("PutOAuthClient = %+v, %v; want secret %q", got, err, tt.wantSecret)
			}
		})
	}
}

func TestFindCameraBySerial(t *testing.T) {
	cam := map[string]any{"id": otherID, "serialNumber": "SN-1", "state": "paused", "isOnline": true}
	for _, tt := range []struct {
		name      string
		answer    []map[string]any
		wantClass Class
	}{{"found", []map[string]any{cam}, ClassNone}, {"none", []map[string]any{}, ClassNotFound}} {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, reply(200, tt.answer))
			got, err := newTestClient(t, ts, nil, nil).FindCameraBySerial(testContext(t, 10*time.Second), "SN-1")
			if Classify(err) != tt.wantClass || (err == nil && (got.ID != otherID || got.State != CameraPaused || !got.IsOnline)) {
				t.Errorf("FindCameraBySerial = %+v, %v; want class %q", got, err, tt.wantClass)
			}
			if req := ts.requests()[0]; req.Query != "serialNumber=SN-1" {
				t.Errorf("query = %q", req.Query)
			}
		})
	}
}

func TestInvalidArgumentsSendNothing(t *testing.T) {
	tests := map[string]func(context.Context, *Client) error{
		"get with empty id":    func(ctx context.Context, c *Client) error { _, err := Sites.Get(ctx, c, ""); return err },
		"delete with empty id": func(ctx context.Context, c *Client) error { return Alerts.Delete(ctx, c, "") },
		"unknown camera state": func(ctx context.Context, c *Client) error { return c.SetCameraState(ctx, otherID, "stopped") },
		"update without id":    func(ctx context.Context, c *Client) error { return c.UpdateCamera(ctx, "", CameraUpdate{}) },
		"rotate without id":    func(ctx context.Context, c *Client) error { _, err := c.RotateOAuthClientSecret(ctx, ""); return err },
		"find empty serial":    func(ctx context.Context, c *Client) error { _, err := c.FindCameraBySerial(ctx, ""); return err },
	}
	for name, call := range tests {
		t.Run(name, func(t *testing.T) {
			ts := newTestServer(t, reply(204, nil))
			err := call(testContext(t, 10*time.Second), newTestClient(t, ts, nil, nil))
			if !IsTerminal(err) || len(ts.requests()) != 0 {
				t.Errorf("err = %v (class %q), %d requests; want Terminal and none", err, Classify(err), len(ts.requests()))
			}
		})
	}
}

func TestIDsArePathEscaped(t *testing.T) {
	ts := newTestServer(t, reply(200, map[string]any{"id": "auth0|a/b", "email": "a@b.c"}))
	if _, err := newTestClient(t, ts, nil, nil).GetUser(testContext(t, 10*time.Second), "auth0|a/b"); err != nil {
		t.Fatal(err)
	}
	if got := ts.requests()[0].Path; got != "/api/v0/users/auth0%7Ca%2Fb" {
		t.Errorf("path = %q", got)
	}
}
