package checkapi

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

const (
	otherOrg    = "5d2c4e1a-1111-4222-8333-944455556666"
	shopSite    = "3c0d7a10-0000-4000-8000-00000000000a"
	doorMonitor = "3c0d7a10-0000-4000-8000-00000000000d"
)

// fixture is a fake organisation in which every check can observe
// something: two sites (so paging can show), a claimed camera, a monitor
// linked to the camera's position (so owner and site filters can show), a
// site of another organisation, and one 429 with Retry-After (A7).
type fixture struct {
	fake   *hoxtontest.Server
	camera *hoxton.Camera
	log    testenv.SyncBuffer
}

func newFixture(t *testing.T, variants ...hoxtontest.Variant) *fixture {
	t.Helper()
	fake := hoxtontest.NewServerVariant(hoxtontest.Options{OtherOrganisations: map[string]string{otherOrg: "Other"}}, variants...)
	t.Cleanup(fake.Close)
	ctx := context.Background()
	tokens := auth.NewCache(ctx, auth.Options{}).Source(fixtureCreds(fake), nil)
	c, err := hoxton.New(hoxton.Config{BaseURL: fake.APIURL(), OrganisationID: fake.OrganisationID(), Tokens: tokens})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []hoxton.Site{{ID: shopSite, Name: "Shop"}, {ID: "3c0d7a10-0000-4000-8000-00000000000b", Name: "Stock room"}} {
		if _, err := hoxton.Sites.Put(ctx, c, s); err != nil {
			t.Fatal(err)
		}
	}
	cam, err := c.ClaimCamera(ctx, hoxton.CameraClaim{SerialNumber: "SN-CHECK-1", SiteID: shopSite, Name: "Entrance"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hoxton.PeopleCountMonitors.Put(ctx, c, hoxton.PeopleCountMonitor{ID: doorMonitor, SiteID: shopSite}); err != nil {
		t.Fatal(err)
	}
	fake.SetObject("people-count-monitor-camera-positions", map[string]any{"id": "3c0d7a10-0000-4000-8000-0000000000e1",
		"peopleCountMonitorId": doorMonitor, "cameraPositionId": cam.CameraPositionID, "state": "active"})
	fake.SetObject("sites", map[string]any{"id": "3c0d7a10-0000-4000-8000-0000000000ff", "name": "Theirs",
		"organisationId": otherOrg, "state": "active"})
	fake.AddFault(hoxtontest.Fault{Method: http.MethodGet, PathPrefix: "/sites", Status: http.StatusTooManyRequests, RetryAfter: time.Second, Count: 1})
	fake.ResetRequests()
	return &fixture{fake: fake, camera: cam}
}

func fixtureCreds(fake *hoxtontest.Server) auth.Credentials {
	return auth.Credentials{Grant: auth.GrantClientCredentials, TokenURL: fake.TokenURL(), Audience: auth.DefaultAudience,
		ClientID: hoxtontest.DefaultClientID, ClientSecret: hoxtontest.DefaultClientSecret}
}

// config is a run with --yes and --camera against the fixture.
func (f *fixture) config() Config {
	hc := &http.Client{Timeout: 30 * time.Second}
	return Config{
		APIURL: f.fake.APIURL(), OrganisationID: f.fake.OrganisationID(), Creds: fixtureCreds(f.fake), HTTPClient: hc,
		Tokens: func(ctx context.Context, creds auth.Credentials) (hoxton.TokenSource, error) {
			return auth.NewCache(ctx, auth.Options{HTTPClient: hc}).Source(creds, nil), nil
		},
		Yes: true, Camera: f.camera.ID, Log: &f.log, Origin: "the test",
	}
}

func (f *fixture) run(t *testing.T, cfg Config) (*Report, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return Run(ctx, cfg)
}

func verdicts(rep *Report) map[string]Verdict {
	m := map[string]Verdict{}
	for _, r := range rep.Results {
		m[r.ID] = r.Verdict
	}
	return m
}

// scratchCollections are where check-api writes.
var scratchCollections = []string{"sites", "people-count-monitors", "alerts", "notification-groups",
	"annotations", "oauth-clients", monitorLinks, groupLinks}

// activeScratch lists the objects check-api created that are still active:
// those named with ScratchPrefix and those whose id a PUT body named. A
// camera still carrying a scratch name counts too.
func activeScratch(f *fixture) []string {
	ids := map[string]bool{}
	for _, r := range f.fake.Requests() {
		var body map[string]any
		if r.Method == http.MethodPut && json.Unmarshal(r.Body, &body) == nil {
			if id, ok := body["id"].(string); ok {
				ids[id] = true
			}
		}
	}
	var out []string
	for _, col := range append(slices.Clone(scratchCollections), "cameras") {
		for _, o := range f.fake.Objects(col) {
			name, _ := o["name"].(string)
			id, _ := o["id"].(string)
			if (ids[id] && col != "cameras" || strings.HasPrefix(name, ScratchPrefix)) && o["state"] != "deleted" {
				out = append(out, col+"/"+id+" "+name)
			}
		}
	}
	return out
}
