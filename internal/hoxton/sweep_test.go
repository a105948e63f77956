package hoxton

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// sweepSites puts n sites and returns their ids.
func sweepSites(t *testing.T, e *fakeEnv, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		if _, err := Sites.Put(t.Context(), e.c, Site{ID: id, Name: fmt.Sprintf("Site %d", i)}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	e.srv.ResetRequests()
	return ids
}

// reads counts the GETs of sites answered by the fake since the last reset: lists
// and item reads.
func reads(srv *hoxtontest.Server) (lists, items int) {
	for _, r := range srv.Requests() {
		switch {
		case r.Method != "GET":
		case r.Path == "/sites":
			lists++
		case strings.HasPrefix(r.Path, "/sites/"):
			items++
		}
	}
	return lists, items
}

// TestSweepAnswersPolls: the polls of 20 sites make one list and the one GET that
// checks it; a poll after this client upserted a site lists again, and sees it; a
// request that is not a poll, and a site the list does not hold read their object; a
// list older than half the poll interval is listed again, and sees what changed
// behind the client's back.
func TestSweepAnswersPolls(t *testing.T) {
	e := newFakeEnv(t, hoxtontest.Options{})
	ids := sweepSites(t, e, 20)
	const interval = 400 * time.Millisecond
	poll := WithPoll(t.Context(), interval)
	for _, id := range ids {
		s, err := Sites.Get(poll, e.c, id)
		if err != nil || s.ID != id {
			t.Fatalf("poll of %s = %+v, %v", id, s, err)
		}
	}
	// The polls before minSweepPolls read their objects; then one list and its check.
	if lists, items := reads(e.srv); lists != 1 || items != minSweepPolls {
		t.Errorf("20 polls made %d lists and %d GETs, want 1 and %d", lists, items, minSweepPolls)
	}
	if got := e.c.Sweeps(); len(got) != 1 || got[0] != (CollectionSweep{Resource: "sites", Swept: true}) {
		t.Errorf("Sweeps() = %+v, want sites swept", got)
	}

	e.srv.ResetRequests()
	if _, err := Sites.Put(t.Context(), e.c, Site{ID: ids[0], Name: "Renamed"}); err != nil {
		t.Fatal(err)
	}
	if s, err := Sites.Get(poll, e.c, ids[0]); err != nil || s.Name != "Renamed" {
		t.Errorf("a poll after this client's write = %+v, %v; want what it wrote", s, err)
	}
	if _, err := Sites.Get(t.Context(), e.c, ids[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := Sites.Get(poll, e.c, "00000000-0000-4000-8000-999999999999"); !IsNotFound(err) {
		t.Errorf("a poll of a site the list does not hold = %v, want the GET's answer (404)", err)
	}
	// The upsert named its site in the body: the next poll lists the sites again.
	if lists, items := reads(e.srv); lists != 1 || items != 2 {
		t.Errorf("%d lists and %d GETs, want 1 (after the write) and 2 (read directly)", lists, items)
	}

	e.srv.SetObject("sites", map[string]any{"id": ids[2], "organisationId": e.srv.OrganisationID(), "name": "Changed behind its back",
		"state": "active"})
	deadline := time.Now().Add(10 * interval)
	for {
		s, err := Sites.Get(poll, e.c, ids[2])
		if err != nil {
			t.Fatal(err)
		}
		if s.Name == "Changed behind its back" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("drift made outside the client never seen by a poll: %q", s.Name)
		}
		if err := sleep(t.Context(), interval/10); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSmallCollectionsAreNotListed: a collection polled fewer than minSweepPolls
// times in half an interval is read object by object: a list would cost more than it
// saves.
func TestSmallCollectionsAreNotListed(t *testing.T) {
	e := newFakeEnv(t, hoxtontest.Options{})
	ids := sweepSites(t, e, minSweepPolls-1)
	poll := WithPoll(t.Context(), time.Hour)
	for range 2 {
		for _, id := range ids {
			if _, err := Sites.Get(poll, e.c, id); err != nil {
				t.Fatal(err)
			}
		}
		e.c.sweeps.byPath["/sites"].window = time.Now().Add(-time.Hour) // the next half interval
	}
	if lists, items := reads(e.srv); lists != 0 || items != 2*len(ids) {
		t.Errorf("%d lists and %d GETs, want 0 and %d", lists, items, 2*len(ids))
	}
}

// TestSweepFallsBackWhenTheListDiffers: a service whose lists do not hold what GET
// answers (here GET adds a field) has the collection polled object by object, and
// Sweeps says so: a summary compared with the wanted body would find drift that is not
// there.
func TestSweepFallsBackWhenTheListDiffers(t *testing.T) {
	srv := hoxtontest.NewServerVariant(hoxtontest.Options{}, hoxtontest.ItemGetEdits("sites", func(o map[string]any) { o["detail"] = "only in GET" }))
	e := newFakeEnvWith(t, srv, nil)
	ids := sweepSites(t, e, 5)
	poll := WithPoll(t.Context(), time.Hour)
	for _, id := range ids {
		if _, err := Sites.Get(poll, e.c, id); err != nil {
			t.Fatal(err)
		}
	}
	if lists, items := reads(e.srv); lists != 1 || items != 6 {
		t.Errorf("%d lists and %d GETs, want 1 and 6 (the check, then every poll)", lists, items)
	}
	if got := e.c.Sweeps(); len(got) != 1 || got[0].Swept {
		t.Errorf("Sweeps() = %+v, want sites polled", got)
	}
}

// TestSweepWaitsForOneList: polls of a collection at once share one list.
func TestSweepWaitsForOneList(t *testing.T) {
	e := newFakeEnv(t, hoxtontest.Options{})
	ids := sweepSites(t, e, 10)
	e.srv.SetLatency(50 * time.Millisecond)
	poll := WithPoll(t.Context(), time.Hour)
	errs := make(chan error, len(ids))
	for _, id := range ids {
		go func() {
			_, err := Sites.Get(poll, e.c, id)
			errs <- err
		}()
	}
	for range ids {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if lists, items := reads(e.srv); lists != 1 || items != minSweepPolls {
		t.Errorf("10 polls at once made %d lists and %d GETs, want 1 and %d", lists, items, minSweepPolls)
	}
}

// TestEveryCollectionIsSwept: the fake lists every upserted collection with the
// bodies GET answers (assumption A2), so each is swept.
func TestEveryCollectionIsSwept(t *testing.T) {
	e := newFakeEnv(t, hoxtontest.Options{})
	f := newFixtures(t.Context(), t, e.c)
	poll := WithPoll(t.Context(), time.Hour)
	gets := []func() error{
		func() error { _, err := Sites.Get(poll, e.c, f.site); return err },
		func() error { _, err := Alerts.Get(poll, e.c, f.alert); return err },
		func() error { _, err := NotificationGroups.Get(poll, e.c, f.group); return err },
		func() error { _, err := PeopleCountMonitors.Get(poll, e.c, f.peopleCount); return err },
		func() error { _, err := OccupancyMonitors.Get(poll, e.c, f.occupancy); return err },
		func() error { _, err := PeelOffMonitors.Get(poll, e.c, f.peelOff); return err },
	}
	for _, get := range gets {
		for range minSweepPolls { // enough polls for a list
			if err := get(); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := e.c.Sweeps()
	if len(got) != len(gets) {
		t.Errorf("Sweeps() = %+v, want %d collections", got, len(gets))
	}
	for _, s := range got {
		if !s.Swept {
			t.Errorf("%s is polled object by object: its list does not hold what GET answers", s.Resource)
		}
	}
}

// TestCameraPollsAfterAWrite: cameras are swept, and a camera this client renamed
// (PUT /cameras/{id}) is read directly by its next poll, which sees the new name.
func TestCameraPollsAfterAWrite(t *testing.T) {
	e := newFakeEnv(t, hoxtontest.Options{})
	f := newFixtures(t.Context(), t, e.c)
	var ids []string
	for range minSweepPolls {
		cam, err := e.c.ClaimCamera(t.Context(), CameraClaim{SerialNumber: "SN-" + uuid.NewString(), SiteID: f.site})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, cam.ID)
	}
	poll := WithPoll(t.Context(), time.Hour)
	for _, id := range ids {
		if _, err := e.c.GetCamera(poll, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.c.UpdateCamera(t.Context(), ids[0], CameraUpdate{Name: "Renamed"}); err != nil {
		t.Fatal(err)
	}
	e.srv.ResetRequests()
	if cam, err := e.c.GetCamera(poll, ids[0]); err != nil || cam.Name != "Renamed" {
		t.Errorf("a poll after this client's rename = %+v, %v", cam, err)
	}
	if _, err := e.c.GetCamera(poll, ids[1]); err != nil {
		t.Fatal(err)
	}
	var gets []string
	for _, r := range e.srv.Requests() {
		gets = append(gets, r.Method+" "+r.Path)
	}
	if len(gets) != 1 || gets[0] != "GET /cameras/"+ids[0] {
		t.Errorf("requests %v, want only the renamed camera's GET", gets)
	}
	if !slices.Contains(e.c.Sweeps(), CollectionSweep{Resource: "cameras", Swept: true}) {
		t.Errorf("Sweeps() = %+v, want cameras swept", e.c.Sweeps())
	}
}

// TestSweepChecksAListBeforeItAnswers: a first list asked for by a poll of an object
// it does not hold is checked against another object it holds, and no poll is
// answered by an unchecked list: on a service whose lists hold less than GET answers,
// every poll reads its object.
func TestSweepChecksAListBeforeItAnswers(t *testing.T) {
	srv := hoxtontest.NewServerVariant(hoxtontest.Options{}, hoxtontest.ItemGetEdits("sites", func(o map[string]any) { o["detail"] = "only in GET" }))
	e := newFakeEnvWith(t, srv, nil)
	ids := sweepSites(t, e, 3)
	poll := WithPoll(t.Context(), time.Hour)
	missing := "00000000-0000-4000-8000-999999999999"
	for range minSweepPolls {
		if _, err := Sites.Get(poll, e.c, missing); !IsNotFound(err) {
			t.Fatalf("a poll of a missing site = %v, want 404", err)
		}
	}
	for _, id := range ids {
		s, err := Sites.Get(poll, e.c, id)
		if err != nil {
			t.Fatal(err)
		}
		if s.ID != id {
			t.Fatalf("poll of %s answered %s", id, s.ID)
		}
	}
	if lists, items := reads(e.srv); lists != 1 || items != minSweepPolls+1+len(ids) {
		t.Errorf("%d lists and %d GETs, want 1 and %d (the missing site's, the check, every poll)", lists, items, minSweepPolls+1+len(ids))
	}
	if got := e.c.Sweeps(); len(got) != 1 || got[0].Swept {
		t.Errorf("Sweeps() = %+v, want sites polled", got)
	}
}
