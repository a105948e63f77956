//go:build e2e

package e2e

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// TestLoginExportApply walks a new user's path from an organisation that
// already exists in HoxtonAi to a cluster that manages it, with the shipped
// binaries: `hoxtonctl login` (the browser played by an HTTP client) writes
// the Connection "default", `hoxtonctl export` reads the organisation through
// it, and `kubectl apply -k` of the export makes every object Ready, adopted,
// with not a single write to HoxtonAi; against HoxtonAi's token endpoint and
// against CamStreamer's.
func TestLoginExportApply(t *testing.T) {
	s := setUp(t)
	t.Run("Standard", func(t *testing.T) {
		s.loginExportApply(t, s.fake, "stores", hoxtontest.DialectStandard, hoxtontest.DefaultOrganisationID, hoxtontest.DefaultClientID)
	})
	t.Run("CamStreamer", func(t *testing.T) {
		addr := freeAddr(t)
		f := &fakeAPI{base: "http://" + addr, log: &lines{}}
		// Another organisation: two namespaces never manage the same HoxtonAi objects.
		const org = "2b0e5a52-6f0a-4c55-9a51-3b1f2f6d7a10"
		p := start(s.root, "hoxtonctl", nil, f.log, "fake-api", "--listen", addr, "--token-dialect", hoxtontest.DialectCamStreamer,
			"--organisation-id", org, "--client-id", "camstreamer-client")
		waitHTTP(t, f.base+"/healthz", p)
		s.loginExportApply(t, f, "cameras", hoxtontest.DialectCamStreamer, org, "camstreamer-client")
	})
}

// loginExportApply is the path against fake f, whose login and token endpoint
// speak dialect, into namespace ns, for organisation org and OAuth client clientID.
func (s *suite) loginExportApply(t *testing.T, f *fakeAPI, ns, dialect, org, clientID string) {
	seedOrganisation(t, f, org, clientID)
	s.must(t, "create", "namespace", ns)

	tokenURL := f.base + hoxtontest.DialectPaths(dialect).Token
	vars := []string{
		"HOXTON_CLIENT_ID=" + clientID, "HOXTON_CLIENT_SECRET=" + hoxtontest.DefaultClientSecret,
		"HOXTON_AUTHORIZE_URL=" + f.base + "/authorize", "HOXTON_TOKEN_URL=" + tokenURL, "HOXTON_API_URL=" + f.apiURL(),
		"HOXTON_TOKEN_DIALECT=" + dialect,
	}
	out := &lines{}
	login := start(s.root, "hoxtonctl", append(s.env, vars...), out, "login", "-n", ns, "--no-browser", "--allow-insecure-http", "--timeout", "60s")
	var loginURL string
	eventually(t, 30*time.Second, "the login URL on stderr", func() error {
		for _, l := range out.since(0) {
			if u := strings.TrimSpace(l); strings.HasPrefix(u, f.base+"/authorize?") {
				loginURL = u
				return nil
			}
		}
		return errors.New("not printed yet")
	})
	resp, err := http.Get(loginURL) //nolint:noctx // the person at the browser
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	select {
	case <-login.exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("login did not end:\n%s", out.tail(20))
	}
	if code := login.cmd.ProcessState.ExitCode(); code != 0 || strings.Contains(out.tail(20), "connectionRef") {
		t.Fatalf("login: exit %d\n%s", code, out.tail(20))
	}

	// The fake's own user is an admin, which only a Connection the administrator
	// allows may manage (README, export).
	s.must(t, "patch", "connections.hoxtonai.dev", "default", "-n", ns, "--type", "merge", "-p", `{"spec":{"userRoles":{"allowPrivileged":true}}}`)
	s.must(t, "wait", "--for=condition=Ready", "--timeout=120s", "connections.hoxtonai.dev/default", "-n", ns)

	dir := filepath.Join(t.TempDir(), "export")
	exportOut := &lines{}
	export := start(s.root, "hoxtonctl", s.env, exportOut, "export", "-n", ns, "--connection", "default", "-d", dir)
	<-export.exited
	if code := export.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("export: exit %d\n%s", code, exportOut.tail(20))
	}
	objs := exportedObjects(t, dir)
	if len(objs) < 6 {
		t.Fatalf("export wrote %d objects, want the seeded ones and the fake's user and client", len(objs))
	}

	mark := f.log.len()
	s.must(t, "apply", "-k", dir, "-n", ns)
	for _, o := range objs {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		_, err := s.run(ctx, "wait", "--for=condition=Ready", "--timeout=120s", "-n", ns, o)
		cancel()
		if err != nil {
			t.Fatalf("%v\n%s", err, s.must(t, "get", "-n", ns, o, "-o", "jsonpath={.status.conditions}"))
		}
	}
	if w := apiWrites(f.log.since(mark)); len(w) != 0 {
		t.Errorf("applying the export wrote to HoxtonAi %d times, want 0:\n%s", len(w), strings.Join(w, "\n"))
	}
	reads := apiReads(f.log.since(mark))
	if reads == 0 {
		t.Error("the operator never read HoxtonAi: the objects cannot have been adopted")
	}
	t.Logf("%d exported objects Ready after %d reads and no write: %s", len(objs), reads, strings.Join(objs, ", "))
}

// exportedObjects returns kind.group/name of every object in the export's kind files.
func exportedObjects(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		kind := ""
		for _, line := range strings.Split(string(data), "\n") {
			if k, ok := strings.CutPrefix(line, "kind: "); ok {
				kind = strings.ToLower(k) + "s.hoxtonai.dev"
			}
			if n, ok := strings.CutPrefix(line, "  name: "); ok && kind != "" && !strings.HasPrefix(line, "   ") {
				refs = append(refs, kind+"/"+n)
				kind = ""
			}
		}
	}
	return refs
}

// seedOrganisation gives the fake's organisation what a store has before the
// operator arrives: a site, a camera, a people-count monitor on it, a
// notification group and an alert that notifies it.
func seedOrganisation(t *testing.T, f *fakeAPI, org, clientID string) {
	t.Helper()
	src := auth.NewCache(context.Background(), auth.Options{}).Source(auth.Credentials{Grant: auth.GrantClientCredentials,
		TokenURL: f.tokenURL(), Audience: hoxtontest.DefaultAudience, ClientID: clientID, ClientSecret: hoxtontest.DefaultClientSecret}, nil)
	c, err := hoxton.New(hoxton.Config{BaseURL: f.apiURL(), OrganisationID: org, Tokens: src})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Ids of the organisation's own: no two organisations share one.
	id := func(kind string) string { return org[:1] + kind + "000000-0000-4000-8000-000000000001" }
	site, monitor, group, alert := id("a"), id("b"), id("c"), id("d")
	must(hoxton.Sites.Put(ctx, c, hoxton.Site{ID: site, Name: "High Street", TZ: "Europe/London", State: hoxton.StateActive}))
	cam, err := c.ClaimCamera(ctx, hoxton.CameraClaim{SerialNumber: "HX-200", SiteID: site, Name: "Entrance"})
	if err != nil {
		t.Fatal(err)
	}
	must(hoxton.PeopleCountMonitors.Put(ctx, c, hoxton.PeopleCountMonitor{ID: monitor, SiteID: site, Name: "Footfall", State: hoxton.StateActive}))
	must(hoxton.PeopleCountMonitorCameraPositions.Put(ctx, c, hoxton.Link{ID: id("e"), Owner: monitor,
		Target: cam.CameraPositionID, Attrs: map[string]string{"direction1Maps": "direction1", "direction2Maps": "direction2"}}))
	must(hoxton.NotificationGroups.Put(ctx, c, hoxton.NotificationGroup{ID: group, Name: "Managers", Emails: []string{"m@example.com"}, State: hoxton.StateActive}))
	siteID := site
	must(hoxton.Alerts.Put(ctx, c, hoxton.Alert{ID: alert, Name: "Busy", AlertType: hoxton.AlertPeopleCount, SiteID: &siteID,
		ConfigurationDetails: map[string]any{"threshold": 10, "peopleCountMonitorId": monitor}, State: hoxton.StateActive}))
	must(hoxton.AlertNotificationGroupMappings.Put(ctx, c, hoxton.Link{ID: id("f"), Owner: alert, Target: group}))
}
