//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// fakeAPI talks to the `hoxtonctl fake-api` process over its public API, as a user
// changing HoxtonAi behind the operator's back would, with its own token.
type fakeAPI struct {
	base  string // http://127.0.0.1:port
	log   *lines // the fake's access log: "<time> <method> <path> <status> <duration>"
	token string
}

func (f *fakeAPI) apiURL() string   { return f.base + "/api/v0" }
func (f *fakeAPI) tokenURL() string { return f.base + "/oauth/token" }

func (f *fakeAPI) login(t *testing.T) {
	t.Helper()
	form := url.Values{
		"grant_type": {"client_credentials"}, "client_id": {hoxtontest.DefaultClientID},
		"client_secret": {hoxtontest.DefaultClientSecret}, "audience": {hoxtontest.DefaultAudience},
	}
	resp, err := http.PostForm(f.tokenURL(), form) //nolint:noctx // test helper
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: status %d, %v", resp.StatusCode, err)
	}
	f.token = tok.AccessToken
}

// do sends one API request and decodes a JSON object answer; it returns the status.
func (f *fakeAPI) do(t *testing.T, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, f.apiURL()+path, bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+f.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var obj map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&obj)
	return resp.StatusCode, obj
}

// apiWrites returns the writes (anything but GET and HEAD) to the API in log lines.
// Token requests are not API writes: they go to /oauth/token.
func apiWrites(log []string) []string {
	var writes []string
	for _, l := range log {
		f := strings.Fields(l)
		if len(f) < 4 || !strings.HasPrefix(f[2], "/api/v0/") {
			continue
		}
		if f[1] != http.MethodGet && f[1] != http.MethodHead {
			writes = append(writes, l)
		}
	}
	return writes
}

// apiReads counts the GETs to the API in log lines.
func apiReads(log []string) int {
	n := 0
	for _, l := range log {
		if f := strings.Fields(l); len(f) >= 4 && f[1] == http.MethodGet && strings.HasPrefix(f[2], "/api/v0/") {
			n++
		}
	}
	return n
}

// afterDeletion is, per kind, the API collection of its objects and what the fake
// must hold for one once its Kubernetes object is deleted with deletionPolicy Delete.
// TestEveryKindHasAnExpectation fails when a kind of config/samples is missing here.
var afterDeletion = map[string]struct {
	collection string
	check      func(status int, obj map[string]any) error
}{
	"Site":               {"sites", gone},
	"PeopleCountMonitor": {"people-count-monitors", gone},
	"OccupancyMonitor":   {"occupancy-monitors", gone},
	"PeelOffMonitor":     {"peel-off-monitors", gone},
	"NotificationGroup":  {"notification-groups", gone},
	"Alert":              {"alerts", gone},
	"Annotation":         {"annotations", gone},
	// OAuth clients are removed outright.
	"OAuthClient": {"oauth-clients", gone},
	// The API has no user delete: the user stays, without its roles and sites.
	"User": {"users", func(status int, obj map[string]any) error {
		if status != http.StatusOK {
			return fmt.Errorf("user: status %d, want 200 (HoxtonAi has no user delete)", status)
		}
		if roles, sites := obj["roles"], obj["siteIds"]; len(asList(roles)) > 0 || len(asList(sites)) > 0 {
			return fmt.Errorf("user: roles %v and sites %v after deletion, want none", roles, sites)
		}
		return nil
	}},
	// HoxtonAi cannot un-claim a camera: deleting one pauses it.
	"Camera": {"cameras", func(status int, obj map[string]any) error {
		if status != http.StatusOK || obj["state"] != "paused" {
			return fmt.Errorf("camera: status %d state %v, want 200 and paused", status, obj["state"])
		}
		return nil
	}},
}

// gone accepts a soft-deleted object (state "deleted", as HoxtonAi keeps them) or
// none at all.
func gone(status int, obj map[string]any) error {
	switch {
	case status == http.StatusGone || status == http.StatusNotFound:
	case status == http.StatusOK && obj["state"] == "deleted":
	default:
		return fmt.Errorf("status %d state %v, want deleted", status, obj["state"])
	}
	return nil
}

// asList is a JSON array of the fake's, or nil.
func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
