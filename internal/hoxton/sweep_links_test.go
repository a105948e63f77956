package hoxton

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// linkFleet puts n people count monitors of the fixtures' site, each linked to the
// fixtures' camera position, and returns the monitors.
func linkFleet(t *testing.T, e *fakeEnv, n int) []string {
	t.Helper()
	f := newFixtures(t.Context(), t, e.c)
	var monitors []string
	for range n {
		m := uuid.NewString()
		if _, err := PeopleCountMonitors.Put(t.Context(), e.c, PeopleCountMonitor{ID: m, SiteID: f.site}); err != nil {
			t.Fatal(err)
		}
		l := Link{ID: uuid.NewString(), Owner: m, Target: f.cameraPosition, Attrs: map[string]string{"direction1Maps": string(MonitorDirection1)}}
		if _, err := PeopleCountMonitorCameraPositions.Put(t.Context(), e.c, l); err != nil {
			t.Fatal(err)
		}
		monitors = append(monitors, m)
	}
	e.srv.ResetRequests()
	return monitors
}

// linkLists counts the lists of the people count monitors' links since the last
// reset: by organisation, and by owner.
func linkLists(srv *hoxtontest.Server) (byOrg, byOwner int) {
	for _, r := range srv.Requests() {
		if r.Method != "GET" || r.Path != PeopleCountMonitorCameraPositions.Path {
			continue
		}
		if strings.Contains(r.Query, "organisationId=") {
			byOrg++
		} else {
			byOwner++
		}
	}
	return byOrg, byOwner
}

// TestSweepAnswersLinkPolls: the link polls of 10 monitors make one list of the
// organisation's links and one owner's list that checks it, each answer holding the
// monitor's own link; a link written by the client makes the next poll list again.
func TestSweepAnswersLinkPolls(t *testing.T) {
	e := newFakeEnv(t, hoxtontest.Options{})
	monitors := linkFleet(t, e, 10)
	poll := WithPoll(t.Context(), time.Hour)
	pollAll := func() {
		t.Helper()
		for _, m := range monitors {
			links, err := PeopleCountMonitorCameraPositions.List(poll, e.c, m)
			if err != nil || len(links) != 1 || links[0].Owner != m || links[0].Attrs["direction1Maps"] != string(MonitorDirection1) {
				t.Fatalf("links of %s = %+v, %v; want its one link", m, links, err)
			}
		}
	}
	pollAll()
	// The polls before minSweepPolls list their owner's links; then one list and its check.
	if byOrg, byOwner := linkLists(e.srv); byOrg != 1 || byOwner != minSweepPolls {
		t.Errorf("10 polls made %d lists by organisation and %d by owner, want 1 and %d", byOrg, byOwner, minSweepPolls)
	}

	e.srv.ResetRequests()
	links, err := PeopleCountMonitorCameraPositions.List(t.Context(), e.c, monitors[0])
	if err != nil || len(links) != 1 {
		t.Fatal(links, err)
	}
	if err := PeopleCountMonitorCameraPositions.Delete(t.Context(), e.c, links[0].ID); err != nil {
		t.Fatal(err)
	}
	if got, err := PeopleCountMonitorCameraPositions.List(poll, e.c, monitors[0]); err != nil || len(got) != 0 {
		t.Errorf("a poll after the client deleted the link = %+v, %v; want none", got, err)
	}
	if byOrg, _ := linkLists(e.srv); byOrg != 1 {
		t.Errorf("%d lists by organisation after a write, want 1 (listed again)", byOrg)
	}
}

// TestLinkSweepFallsBackWhenTheListsDiffer: a service whose lists by owner do not hold
// what its list by organisation holds (here it ignores the owner) has the collection
// listed by owner, as before.
func TestLinkSweepFallsBackWhenTheListsDiffer(t *testing.T) {
	srv := hoxtontest.NewServerVariant(hoxtontest.Options{}, hoxtontest.ListsIgnore("peopleCountMonitorId"))
	e := newFakeEnvWith(t, srv, nil)
	monitors := linkFleet(t, e, 5)
	poll := WithPoll(t.Context(), time.Hour)
	for _, m := range monitors {
		if _, err := PeopleCountMonitorCameraPositions.List(poll, e.c, m); err != nil {
			t.Fatal(err)
		}
	}
	if byOrg, byOwner := linkLists(e.srv); byOrg != 1 || byOwner != len(monitors)+1 {
		t.Errorf("%d lists by organisation and %d by owner, want 1 and %d", byOrg, byOwner, len(monitors)+1)
	}
	for _, s := range e.c.Sweeps() {
		if s.Resource == "people-count-monitor-camera-positions" && s.Swept {
			t.Error("Sweeps() says the links are swept")
		}
	}
}
