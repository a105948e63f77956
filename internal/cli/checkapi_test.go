package cli_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hoxton-operator/hoxton-operator/internal/cli"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// checkAPIRequestBudget bounds the API requests of one full check run.
const checkAPIRequestBudget = 30

const otherOrg = "5d2c4e1a-1111-4222-8333-944455556666"

// checkFixture is a fake organisation with a site and a claimed camera, and a
// single 429 with Retry-After, so that every assumption can be observed.
type checkFixture struct {
	fake   *hoxtontest.Server
	camera *hoxton.Camera
}

func newCheckFixture(t *testing.T, variants ...hoxtontest.Variant) *checkFixture {
	t.Helper()
	fake := hoxtontest.NewServerVariant(hoxtontest.Options{OtherOrganisations: map[string]string{otherOrg: "Other"}}, variants...)
	t.Cleanup(fake.Close)
	c := apiClient(t, fake)
	ctx := context.Background()
	site := "3c0d7a10-0000-4000-8000-00000000000a"
	if _, err := hoxton.Sites.Put(ctx, c, hoxton.Site{ID: site, Name: "Shop"}); err != nil {
		t.Fatal(err)
	}
	cam, err := c.ClaimCamera(ctx, hoxton.CameraClaim{SerialNumber: "SN-CHECK-1", SiteID: site, Name: "Entrance"})
	if err != nil {
		t.Fatal(err)
	}
	fake.SetObject("sites", map[string]any{"id": "3c0d7a10-0000-4000-8000-0000000000ff", "name": "Theirs",
		"organisationId": otherOrg, "state": "active"})
	fake.AddFault(hoxtontest.Fault{Method: http.MethodGet, PathPrefix: "/sites", Status: http.StatusTooManyRequests, RetryAfter: time.Second, Count: 1})
	fake.ResetRequests()
	return &checkFixture{fake: fake, camera: cam}
}

func (f *checkFixture) run(t *testing.T, extra ...string) (result, []cli.Result) {
	t.Helper()
	res := run(t, cli.Env{Getenv: fakeEnv(f.fake)}, append([]string{"check-api", "-o", "json"}, extra...)...)
	var out []cli.Result
	if res.code != cli.ExitError {
		if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
			t.Fatalf("output: %v\n%s\nstderr: %s", err, res.stdout, res.stderr)
		}
	}
	return res, out
}

func verdicts(res []cli.Result) map[string]cli.Verdict {
	m := map[string]cli.Verdict{}
	for _, r := range res {
		m[r.ID] = r.Verdict
	}
	return m
}

// TestCheckAPIAllHold: against the fake every assumption holds, with
// evidence; the scratch objects are gone afterwards and the camera has its
// name back; every write went to a scratch object or the camera given.
func TestCheckAPIAllHold(t *testing.T) {
	f := newCheckFixture(t)
	res, out := f.run(t, "--camera", f.camera.ID)
	if res.code != cli.ExitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", res.code, res.stdout, res.stderr)
	}
	if len(out) != 8 {
		t.Fatalf("%d results, want A1..A8", len(out))
	}
	for _, r := range out {
		if r.Verdict != cli.Holds || len(r.Evidence) == 0 {
			t.Errorf("%s: %s with %d evidence, skipped %v", r.ID, r.Verdict, len(r.Evidence), r.Skips)
		}
		for _, ev := range r.Evidence {
			if !ev.OK || ev.Status == 0 || ev.Request == "" {
				t.Errorf("%s: evidence %+v", r.ID, ev)
			}
		}
	}
	if !strings.Contains(res.stderr, "hoxtonctl-check-") || !strings.Contains(res.stderr, "deletes them at the end") {
		t.Errorf("no announcement of the scratch objects: %s", res.stderr)
	}

	scratch := map[string]bool{}
	for _, col := range []string{"sites", "people-count-monitors", "people-count-monitor-camera-positions"} {
		for _, o := range f.fake.Objects(col) {
			name, _ := o["name"].(string)
			if col == "people-count-monitor-camera-positions" || strings.HasPrefix(name, "hoxtonctl-check-") {
				scratch[o["id"].(string)] = true
				if o["state"] != "deleted" {
					t.Errorf("%s %v left %v", col, o["id"], o["state"])
				}
			}
		}
	}
	if len(scratch) != 3 {
		t.Errorf("%d scratch objects, want a site, a monitor and a link", len(scratch))
	}
	if cam, _ := f.fake.Object("cameras", f.camera.ID); cam["name"] != "Entrance" {
		t.Errorf("camera name %v after the check, want it restored", cam["name"])
	}
	for _, r := range f.fake.Requests() {
		if r.Method == http.MethodGet {
			continue
		}
		var body map[string]any
		_ = json.Unmarshal(r.Body, &body)
		id, _ := body["id"].(string)
		seg := strings.Split(r.Path, "/")
		target := seg[len(seg)-1]
		if !scratch[id] && !scratch[target] && target != f.camera.ID {
			t.Errorf("write %s %s %s touched an object check-api did not create", r.Method, r.Path, r.Body)
		}
	}
	t.Logf("%s", res.stderr)
	if n := len(f.fake.Requests()); n > checkAPIRequestBudget {
		t.Errorf("%d API requests, budget %d", n, checkAPIRequestBudget)
	}
}

// TestCheckAPIReadOnly writes nothing and skips the checks that must write.
func TestCheckAPIReadOnly(t *testing.T) {
	f := newCheckFixture(t)
	res, out := f.run(t, "--read-only")
	if res.code != cli.ExitOK {
		t.Fatalf("exit %d\nstderr: %s", res.code, res.stderr)
	}
	t.Logf("%s", res.stderr)
	if n := f.fake.CountWrites(); n != 0 {
		t.Errorf("%d writes with --read-only", n)
	}
	v := verdicts(out)
	for id, want := range map[string]cli.Verdict{"A1": cli.Holds, "A2": cli.Holds, "A3": cli.Holds, "A4": cli.Skipped,
		"A5": cli.Skipped, "A6": cli.Holds, "A7": cli.Holds, "A8": cli.Skipped} {
		if v[id] != want {
			t.Errorf("%s: %s, want %s", id, v[id], want)
		}
	}
}

// TestCheckAPINamesTheBrokenAssumption: a fake that breaks one assumption
// makes check-api exit 1 and name exactly that one.
func TestCheckAPINamesTheBrokenAssumption(t *testing.T) {
	for _, tc := range []struct {
		broken  string
		variant hoxtontest.Variant
	}{
		{"A1", hoxtontest.ItemGetAnswers("sites", http.StatusMethodNotAllowed)},
		{"A2", hoxtontest.ListsIgnoreOrganisation()},
		{"A8", hoxtontest.DeletedIDsReusable()},
	} {
		t.Run(tc.broken, func(t *testing.T) {
			f := newCheckFixture(t, tc.variant)
			res, out := f.run(t, "--camera", f.camera.ID)
			if res.code != cli.ExitFindings {
				t.Fatalf("exit %d, want 1\nstdout: %s\nstderr: %s", res.code, res.stdout, res.stderr)
			}
			for id, v := range verdicts(out) {
				want := cli.Holds
				if id == tc.broken {
					want = cli.Fails
				}
				if v != want {
					t.Errorf("%s: %s, want %s", id, v, want)
				}
			}
			// The table names the assumption and the request that decided.
			table := run(t, cli.Env{Getenv: fakeEnv(f.fake)}, "check-api", "--camera", f.camera.ID)
			if !regexp.MustCompile(`(?m)^`+tc.broken+`\s+FAILS\s`).MatchString(table.stdout) ||
				!regexp.MustCompile(`(?m)^\s+FAIL\s+(GET|PUT) /sites`).MatchString(table.stdout) {
				t.Errorf("table does not show the failure and its request:\n%s", table.stdout)
			}
			// Even a revived scratch site is deleted in the end.
			for _, o := range f.fake.Objects("sites") {
				if name, _ := o["name"].(string); strings.HasPrefix(name, "hoxtonctl-check-") && o["state"] != "deleted" {
					t.Errorf("scratch site %v left %v", o["id"], o["state"])
				}
			}
		})
	}
}
