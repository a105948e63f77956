package checkapi

import (
	"net/http"
	"testing"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// requestBudget bounds the API requests of one full run against the fixture.
const requestBudget = 80

// breakers are, for each check, a fake that breaks exactly its assumption.
var breakers = []struct {
	check   string
	variant hoxtontest.Variant
}{
	{"A1", hoxtontest.ItemGetAnswers("sites", http.StatusMethodNotAllowed)},
	{"A2", hoxtontest.ListsIncludeDeleted()},
	{"A2.org", hoxtontest.ListsIgnoreOrganisation()},
	{"A2.site", hoxtontest.ListsIgnore("siteId")},
	{"A2.owner", hoxtontest.ListsIgnore("peopleCountMonitorId", "occupancyMonitorId", "peelOffMonitorId", "alertId", "parentId")},
	{"A2.pages", hoxtontest.ListsHonourLimit()},
	{"A2.sweep", hoxtontest.ItemGetEdits("people-count-monitors", func(o map[string]any) { o["detail"] = "only when read alone" })},
	{"A3", hoxtontest.SerialLookupAnswers404()},
	{"A4", hoxtontest.ItemPutAnswers("cameras", http.StatusMethodNotAllowed)},
	{"A5", hoxtontest.ItemGetWithout(monitorLinks, "direction1Maps", "direction2Maps")},
	{"A6", hoxtontest.TokenJSONRefused()},
	{"A7", hoxtontest.ThrottleOnce(http.MethodGet, "/cameras", "soon")},
	{"A8", hoxtontest.DeletedIDsReusable()},
	{"A9", hoxtontest.ItemGetWithout("alerts", "configurationDetails")},
	{"A10", hoxtontest.WebhookAsString()},
	{"A11", hoxtontest.OwnerDeleteCascades(http.StatusConflict)},
	{"A12", hoxtontest.AnnotationROIBare()},
	{"A13", hoxtontest.AnnotationPixels()},
	{"A14", hoxtontest.UsersShareEmail()},
	{"A15", hoxtontest.RotationKeepsOldSecret()},
	{"A16", hoxtontest.ItemGetWithout("", "id", "clientId", "dwellTimeReportId")},
	// A cascading service whose link DELETEs answer 410 is one A11 allows.
	{"", hoxtontest.OwnerDeleteCascades(http.StatusGone)},
}

// TestEveryCheckFailsOnlyForItsBreakingFake runs check-api against the plain
// fake (every check holds, with evidence, or is skipped with a reason) and
// against each breaking variant: exactly that check fails, the others come
// out as against the plain fake, and no scratch object is left active.
func TestEveryCheckFailsOnlyForItsBreakingFake(t *testing.T) {
	f := newFixture(t)
	rep, err := f.run(t, f.config())
	if err != nil {
		t.Fatalf("%v\n%s", err, f.log.String())
	}
	baseline := verdicts(rep)
	for _, r := range rep.Results {
		if r.Verdict == Fails || (r.Verdict == Skipped && len(r.Skips) == 0) {
			t.Errorf("plain fake: %s %s, evidence %+v, skipped %v", r.ID, r.Verdict, r.Evidence, r.Skips)
		}
		for _, ev := range r.Evidence {
			if ev.Request == "" || ev.Status == 0 {
				t.Errorf("%s: evidence without its request: %+v", r.ID, ev)
			}
		}
	}
	if n := len(f.fake.Requests()); n > requestBudget {
		t.Errorf("%d API requests, budget %d", n, requestBudget)
	}
	if left := activeScratch(f); len(left) > 0 {
		t.Errorf("plain fake: scratch objects left: %v", left)
	}
	covered := map[string]bool{}
	for _, b := range breakers {
		covered[b.check] = true
	}
	for _, a := range assumptions {
		if !covered[a.id] {
			t.Errorf("check %s has no breaking variant", a.id)
		}
	}
	t.Logf("plain fake: %d requests\n%s", len(f.fake.Requests()), f.log.String())

	for _, b := range breakers {
		name := b.check
		if name == "" {
			name = "none"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, b.variant)
			rep, err := f.run(t, f.config())
			if err != nil {
				t.Fatalf("%v\n%s", err, f.log.String())
			}
			for id, v := range verdicts(rep) {
				want := baseline[id]
				if id == b.check {
					want = Fails
				}
				if v != want {
					t.Errorf("%s: %s, want %s", id, v, want)
				}
			}
			if t.Failed() {
				_ = Print(&f.log, "table", rep.Results)
				t.Log(f.log.String())
			}
			if left := activeScratch(f); len(left) > 0 {
				t.Errorf("scratch objects left: %v", left)
			}
		})
	}
}
