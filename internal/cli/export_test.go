package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hoxton-operator/hoxton-operator/internal/cli"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/kinds"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// API request budgets of export and diff for the organisation buildOrganisation
// makes.
const (
	exportRequestBudget = 22
	diffRequestBudget   = 38
)

// organisation is what buildOrganisation put into the fake.
type organisation struct {
	site1, site2, pcm, om, pom, parent, child, alert, alert2, annotation string
	cam1, cam2                                                           *hoxton.Camera
	user                                                                 *hoxton.User
	// client is the OAuth client made here, its secret included, which no export
	// may carry.
	client *hoxton.OAuthClient
	// objects counts the HoxtonAi objects (not links) of every managed kind.
	objects int
}

// buildOrganisation fills the fake's default organisation with objects of every
// kind and links between them: two sites with the same name, two cameras (one
// paused, one unnamed), three monitors, nested notification groups with a webhook,
// a people count alert with groups and cameras, an occupancy alert, an annotation
// on a camera, a member of both sites and an OAuth client; the fake adds its own
// client and user.
func buildOrganisation(t *testing.T, fake *hoxtontest.Server) organisation {
	t.Helper()
	c := apiClient(t, fake)
	ctx := context.Background()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	o := organisation{
		site1: "0a000000-0000-4000-8000-000000000001", site2: "0a000000-0000-4000-8000-000000000002",
		pcm: "0b000000-0000-4000-8000-000000000001", om: "0b000000-0000-4000-8000-000000000002", pom: "0b000000-0000-4000-8000-000000000003",
		parent: "0c000000-0000-4000-8000-000000000001", child: "0c000000-0000-4000-8000-000000000002",
		alert: "0d000000-0000-4000-8000-000000000001", alert2: "0d000000-0000-4000-8000-000000000002",
		annotation: "0f000000-0000-4000-8000-000000000001",
	}
	must(hoxton.Sites.Put(ctx, c, hoxton.Site{ID: o.site1, Name: "Head Office", Address: "1 High St", TZ: "Europe/London",
		OpeningHour: map[string]any{"mon": "09:00-17:00"}, State: hoxton.StateActive}))
	must(hoxton.Sites.Put(ctx, c, hoxton.Site{ID: o.site2, Name: "Head office", State: hoxton.StateActive}))
	var err error
	if o.cam1, err = c.ClaimCamera(ctx, hoxton.CameraClaim{SerialNumber: "HX-100", SiteID: o.site1, Name: "Front door"}); err != nil {
		t.Fatal(err)
	}
	must(nil, c.UpdateCamera(ctx, o.cam1.ID, hoxton.CameraUpdate{Name: "Front door", Direction1Alias: "In", Direction2Alias: "Out"}))
	if o.cam2, err = c.ClaimCamera(ctx, hoxton.CameraClaim{SerialNumber: "HX-101", SiteID: o.site1}); err != nil {
		t.Fatal(err)
	}
	must(nil, c.SetCameraState(ctx, o.cam2.ID, hoxton.CameraPaused))
	reset, start := 120, hoxton.Date("2025-01-01")
	must(hoxton.PeopleCountMonitors.Put(ctx, c, hoxton.PeopleCountMonitor{ID: o.pcm, SiteID: o.site1, Name: "Entrance",
		Direction1Alias: "In", DailyResetMin: &reset, ReportingStartDate: &start, State: hoxton.StateActive}))
	must(hoxton.PeopleCountMonitorCameraPositions.Put(ctx, c, hoxton.Link{ID: "0e000000-0000-4000-8000-000000000001", Owner: o.pcm,
		Target: o.cam1.CameraPositionID, Attrs: map[string]string{"direction1Maps": "direction2", "direction2Maps": "direction1"}}))
	must(hoxton.OccupancyMonitors.Put(ctx, c, hoxton.OccupancyMonitor{ID: o.om, SiteID: o.site1, Name: "Shop floor", State: hoxton.StateActive}))
	must(hoxton.OccupancyMonitorCameraPositions.Put(ctx, c, hoxton.Link{ID: "0e000000-0000-4000-8000-000000000002", Owner: o.om,
		Target: o.cam2.CameraPositionID, Attrs: map[string]string{"direction1Maps": "direction1", "direction2Maps": "direction2"}}))
	must(hoxton.PeelOffMonitors.Put(ctx, c, hoxton.PeelOffMonitor{ID: o.pom, SiteID: o.site2, Name: "Window", State: hoxton.StateActive}))
	must(hoxton.NotificationGroups.Put(ctx, c, hoxton.NotificationGroup{ID: o.parent, Name: "Managers", Emails: []string{"b@example.com", "a@example.com"},
		Webhook: map[string]any{"url": "https://hooks.example.com/T0KEN"}, State: hoxton.StateActive}))
	must(hoxton.NotificationGroups.Put(ctx, c, hoxton.NotificationGroup{ID: o.child, Name: "Night shift", Emails: []string{"n@example.com"}, State: hoxton.StateActive}))
	must(hoxton.NotificationGroupLinks.Put(ctx, c, hoxton.Link{ID: "0e000000-0000-4000-8000-000000000003", Owner: o.parent, Target: o.child}))
	site := o.site1
	must(hoxton.Alerts.Put(ctx, c, hoxton.Alert{ID: o.alert, Name: "Busy entrance", AlertType: hoxton.AlertPeopleCount, SiteID: &site,
		ConfigurationDetails: map[string]any{"threshold": 10, "peopleCountMonitorId": o.pcm}, State: hoxton.StateActive}))
	must(hoxton.AlertNotificationGroupMappings.Put(ctx, c, hoxton.Link{ID: "0e000000-0000-4000-8000-000000000004", Owner: o.alert, Target: o.parent}))
	must(hoxton.AlertCameraPositionMappings.Put(ctx, c, hoxton.Link{ID: "0e000000-0000-4000-8000-000000000005", Owner: o.alert, Target: o.cam1.CameraPositionID}))
	must(hoxton.Alerts.Put(ctx, c, hoxton.Alert{ID: o.alert2, Name: "Shop full", AlertType: hoxton.AlertOccupancy, Emails: []string{"floor@example.com"},
		ConfigurationDetails: map[string]any{"threshold": 50}, State: hoxton.StateActive}))
	must(hoxton.AlertOccupancyMonitorMappings.Put(ctx, c, hoxton.Link{ID: "0e000000-0000-4000-8000-000000000006", Owner: o.alert2, Target: o.om}))
	must(hoxton.Annotations.Put(ctx, c, hoxton.Annotation{ID: o.annotation, CameraPositionID: o.cam1.CameraPositionID, Kind: hoxton.AnnotationPolygon,
		ROI: map[string]any{"type": "Polygon", "coordinates": []any{[]any{[]any{0.1, 0.1}, []any{0.9, 0.1}, []any{0.5, 0.8}, []any{0.1, 0.1}}}}, State: hoxton.StateActive}))
	if o.user, err = c.CreateUser(ctx, hoxton.User{Email: "dana@example.com", FirstName: "Dana", LastName: "Shah",
		Roles: []hoxton.UserRole{hoxton.RoleMember}, SiteIDs: []string{o.site2, o.site1}}); err != nil {
		t.Fatal(err)
	}
	if o.client, err = c.PutOAuthClient(ctx, hoxton.OAuthClientInput{Name: "Dashboard", GrantTypes: []hoxton.GrantType{hoxton.GrantAuthorizationCode, hoxton.GrantRefreshToken},
		Callbacks: []string{"https://dashboard.example.com/callback"}}); err != nil {
		t.Fatal(err)
	}
	// 11 objects, the annotation, the user and the client, and the fake's own client
	// and user.
	o.objects = 16
	return o
}

// readTree returns the files of dir by name.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = data
	}
	return out
}

// exportTo runs export into dir and fails the test unless it succeeds.
func exportTo(t *testing.T, fake *hoxtontest.Server, dir string, extra ...string) result {
	t.Helper()
	res := run(t, cli.Env{Getenv: fakeEnv(fake)}, append([]string{"export", "-d", dir}, extra...)...)
	if res.code != cli.ExitOK {
		t.Fatalf("export: exit %d\nstderr: %s", res.code, res.stderr)
	}
	return res
}

// TestExportIsDeterministic: an export covers every registered kind, names are
// DNS-1123 and unique, references are by name, every object carries its
// externalID, a webhook URL is never written, and a second export of the
// unchanged organisation is byte-identical.
func TestExportIsDeterministic(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	defer fake.Close()
	org := buildOrganisation(t, fake)
	dir := t.TempDir()
	fake.ResetRequests()
	res := exportTo(t, fake, dir)
	if w := fake.CountWrites(); w != 0 {
		t.Errorf("export wrote %d times", w)
	}
	// One listing per kind (two for annotations, which are named after their
	// cameras) and one per link set of each object: 11 + 11.
	if n := fake.CountRequests("", ""); n > exportRequestBudget {
		t.Errorf("export made %d API requests, budget %d", n, exportRequestBudget)
	} else {
		t.Logf("export: %d API requests for %d objects", n, org.objects)
	}
	first := readTree(t, dir)

	var all bytes.Buffer
	for _, reg := range kinds.Registry() {
		file := strings.ToLower(reg.Name) + "s.yaml"
		data, ok := first[file]
		if !ok {
			t.Errorf("%s: no %s; the test organisation must hold every registered kind", reg.Name, file)
			continue
		}
		if !bytes.Contains(first["kustomization.yaml"], []byte("- "+file+"\n")) {
			t.Errorf("kustomization.yaml does not list %s", file)
		}
		all.Write(data)
	}
	text := all.String()
	for _, want := range []string{
		"name: head-office-0a000000", "name: head-office-0a000000-2", // one name, two sites
		"externalID: " + org.site1, "externalID: " + org.cam1.ID, "externalID: " + org.alert,
		"siteRef:\n    name: head-office-0a000000\n", "cameraRef:\n      name: front-door\n",
		"peopleCountMonitorRef:\n    name: entrance\n", "childGroupRefs:\n  - name: night-shift\n",
		"urlSecretRef:\n      key: url\n      name: managers-webhook\n", "paused: true", "direction1Maps: direction2",
		"externalID: " + org.annotation, "externalID: " + org.user.ID, "externalID: " + org.client.ClientID,
		"name: front-door-region\n", "email: dana@example.com\n",
		"siteRefs:\n  - name: head-office-0a000000\n  - name: head-office-0a000000-2\n",
		"managementPolicy: ObserveOnly\n", "writeCredentialsToSecretRef:\n    name: dashboard-credentials\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("export lacks %q", want)
		}
	}
	for _, bad := range []string{"T0KEN", "status:", "creationTimestamp", org.cam1.CameraPositionID, "peopleCountMonitorId",
		org.client.ClientSecret, hoxtontest.DefaultClientSecret, "clientSecret"} {
		if strings.Contains(text, bad) {
			t.Errorf("export contains %q", bad)
		}
	}
	names := regexp.MustCompile(`(?m)^metadata:\n  name: (.*)$`).FindAllStringSubmatch(text, -1)
	dns := regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	for _, n := range names {
		if !dns.MatchString(n[1]) {
			t.Errorf("name %q is not DNS-1123", n[1])
		}
	}
	if len(names) != org.objects {
		t.Errorf("%d objects exported, want %d", len(names), org.objects)
	}
	if !strings.Contains(res.stderr, `"managers-webhook"`) {
		t.Errorf("export does not name the webhook Secret to create: %s", res.stderr)
	}
	if !strings.Contains(res.stderr, `OAuthClient "dashboard" is exported ObserveOnly`) || !strings.Contains(res.stderr, `"dashboard-credentials"`) {
		t.Errorf("export does not say that OAuth clients are observed only: %s", res.stderr)
	}

	exportTo(t, fake, dir)
	second := readTree(t, dir)
	if len(second) != len(first) {
		t.Fatalf("second export wrote %d files, first %d", len(second), len(first))
	}
	for name, data := range first {
		if !bytes.Equal(data, second[name]) {
			t.Errorf("%s differs between two exports of an unchanged organisation", name)
		}
	}
}

// TestDiffOfExportAndUnmanaged: the export of an organisation has no changes
// (exit 0); without the file of one kind, its objects are listed as unmanaged;
// an object added to HoxtonAi is unmanaged; a changed manifest is an update
// (exit 1).
func TestDiffOfExportAndUnmanaged(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	defer fake.Close()
	org := buildOrganisation(t, fake)
	dir := t.TempDir()
	exportTo(t, fake, dir)
	diff := func(args ...string) (result, cli.Plan) {
		t.Helper()
		res := run(t, cli.Env{Getenv: fakeEnv(fake)}, append([]string{"diff", "-f", dir, "-o", "json"}, args...)...)
		var p cli.Plan
		if err := json.Unmarshal([]byte(res.stdout), &p); err != nil {
			t.Fatalf("diff output: %v\n%s\nstderr: %s", err, res.stdout, res.stderr)
		}
		return res, p
	}
	fake.ResetRequests()
	res, plan := diff()
	if res.code != cli.ExitOK || len(plan.Unmanaged) != 0 || len(plan.Objects) != org.objects {
		t.Fatalf("diff of the export: exit %d, %d objects, unmanaged %v\n%s", res.code, len(plan.Objects), plan.Unmanaged, res.stdout)
	}
	if w := fake.CountWrites(); w != 0 {
		t.Errorf("diff wrote %d times", w)
	}
	// Per manifest its object and its link sets (cameras by serial), then the
	// listings of every kind for the unmanaged objects.
	if n := fake.CountRequests("", ""); n > diffRequestBudget {
		t.Errorf("diff made %d API requests, budget %d", n, diffRequestBudget)
	} else {
		t.Logf("diff of %d manifests: %d API requests", len(plan.Objects), n)
	}
	yamlPlan := run(t, cli.Env{Getenv: fakeEnv(fake)}, "diff", "-f", dir, "-o", "yaml")
	if yamlPlan.code != cli.ExitOK || !strings.Contains(yamlPlan.stdout, "action: unchanged") || !strings.Contains(yamlPlan.stdout, "organisation: "+fake.OrganisationID()) {
		t.Errorf("diff -o yaml: exit %d\n%s", yamlPlan.code, yamlPlan.stdout)
	}

	if err := os.Remove(filepath.Join(dir, "peeloffmonitors.yaml")); err != nil {
		t.Fatal(err)
	}
	listResource(t, dir, "peeloffmonitors.yaml", false)
	if _, err := hoxton.Sites.Put(context.Background(), apiClient(t, fake), hoxton.Site{ID: "0a000000-0000-4000-8000-000000000009", Name: "Pop-up", State: hoxton.StateActive}); err != nil {
		t.Fatal(err)
	}
	res, plan = diff()
	want := []cli.UnmanagedObject{{Kind: "Site", ID: "0a000000-0000-4000-8000-000000000009", Name: "Pop-up"}, {Kind: "PeelOffMonitor", ID: org.pom, Name: "Window"}}
	if res.code != cli.ExitOK || !slices.Equal(plan.Unmanaged, want) {
		t.Errorf("unmanaged: exit %d, %+v, want %+v", res.code, plan.Unmanaged, want)
	}

	// A camera without externalID is the live camera with its serial, and the
	// references to it resolve to that camera's position: still no change.
	cameras := filepath.Join(dir, "cameras.yaml")
	data, err := os.ReadFile(cameras)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cameras, bytes.Replace(data, []byte("  externalID: "+org.cam1.ID+"\n"), nil, 1), 0o600); err != nil {
		t.Fatal(err)
	}
	res, plan = diff()
	found := slices.IndexFunc(plan.Objects, func(e cli.PlanEntry) bool { return e.Kind == "Camera" && e.ID == org.cam1.ID })
	if res.code != cli.ExitOK || found < 0 || plan.Objects[found].Name != "front-door" {
		t.Errorf("a camera found by serial: exit %d, %+v", res.code, plan.Objects)
	}

	// An externalID that names nothing cannot be adopted: an error, exit 2.
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("apiVersion: hoxtonai.dev/v1alpha1\nkind: Site\nmetadata:\n  name: gone\nspec:\n  name: Gone\n  externalID: 0a000000-0000-4000-8000-0000000000ee\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	listResource(t, dir, "bad.yaml", true)
	if res, plan := diff(); res.code != cli.ExitError || plan.Errors() != 1 || !strings.Contains(res.stderr, "1 manifests could not be planned") {
		t.Errorf("diff with an externalID that names nothing: exit %d\nstdout %s\nstderr %s", res.code, res.stdout, res.stderr)
	}
	if err := os.Remove(bad); err != nil {
		t.Fatal(err)
	}
	listResource(t, dir, "bad.yaml", false)

	sites := filepath.Join(dir, "sites.yaml")
	data, err = os.ReadFile(sites)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sites, bytes.Replace(data, []byte("name: Head Office"), []byte("name: Head Office (main)"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	text := run(t, cli.Env{Getenv: fakeEnv(fake)}, "diff", "-f", dir)
	if text.code != cli.ExitFindings || !strings.Contains(text.stdout, `~ name: "Head Office" -> "Head Office (main)"`) ||
		!strings.Contains(text.stdout, "Plan: 0 to create, 1 to update") {
		t.Errorf("diff of a renamed site: exit %d\n%s%s", text.code, text.stdout, text.stderr)
	}

	// Paused, the renamed site is not written: no change.
	data, err = os.ReadFile(sites)
	if err != nil {
		t.Fatal(err)
	}
	paused := bytes.Replace(data, []byte("metadata:\n"), []byte("metadata:\n  annotations:\n    hoxtonai.dev/paused: \"true\"\n"), 1)
	if err := os.WriteFile(sites, paused, 0o600); err != nil {
		t.Fatal(err)
	}
	res, plan = diff()
	if res.code != cli.ExitOK || plan.Objects[0].Action != managed.ActionPaused || len(plan.Objects[0].Changes) != 1 {
		t.Errorf("diff of a paused renamed site: exit %d, %+v", res.code, plan.Objects[0])
	}
}

// TestExportOneSite: --site keeps that site and what belongs to it (its users too),
// and the organisation-wide notification groups and OAuth clients.
func TestExportOneSite(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	defer fake.Close()
	org := buildOrganisation(t, fake)
	dir := t.TempDir()
	exportTo(t, fake, dir, "--site", org.site2)
	tree := readTree(t, dir)
	var files []string
	for name := range tree {
		files = append(files, name)
	}
	slices.Sort(files)
	want := []string{"kustomization.yaml", "notificationgroups.yaml", "oauthclients.yaml", "peeloffmonitors.yaml", "sites.yaml", "users.yaml"}
	if !slices.Equal(files, want) {
		t.Errorf("files %v, want %v", files, want)
	}
	if !bytes.Contains(tree["sites.yaml"], []byte("externalID: "+org.site2)) || bytes.Contains(tree["sites.yaml"], []byte(org.site1)) {
		t.Errorf("sites.yaml:\n%s", tree["sites.yaml"])
	}
	if !bytes.Contains(tree["peeloffmonitors.yaml"], []byte("siteRef:\n    name: head-office\n")) {
		t.Errorf("the monitor does not refer to its (now unique) site by name:\n%s", tree["peeloffmonitors.yaml"])
	}
	// The member of both sites refers to the one exported by name, to the other by id.
	if users := tree["users.yaml"]; !bytes.Contains(users, []byte("siteIDs:\n  - "+org.site1+"\n")) || !bytes.Contains(users, []byte("siteRefs:\n  - name: head-office\n")) {
		t.Errorf("users.yaml:\n%s", users)
	}
}

// listResource adds file to, or removes it from, the resources of the export's
// kustomization, which diff builds.
func listResource(t *testing.T, dir, file string, add bool) {
	t.Helper()
	path := filepath.Join(dir, "kustomization.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	entry := []byte("- " + file + "\n")
	if add {
		data = bytes.Replace(data, []byte("resources:\n"), append([]byte("resources:\n"), entry...), 1)
	} else {
		data = bytes.Replace(data, entry, nil, 1)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
