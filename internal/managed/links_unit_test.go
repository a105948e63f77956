package managed

import (
	"net/http"
	"slices"
	"testing"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// Link sets against the fake API: what the diff says and what sync writes, request
// by request.

// monitorLinks is a link set with attributes: a monitor's camera positions, each
// mapped to a monitor direction by the entry's attribute (direction1 unless given).
func monitorLinks(direction map[int]string) LinkSet[*v1alpha1.Site] {
	return LinkSet[*v1alpha1.Site]{Field: positionsField, API: hoxton.PeopleCountMonitorCameraPositions,
		Attrs: func(_ *v1alpha1.Site, i int) map[string]string {
			d := direction[i]
			if d == "" {
				d = "direction1"
			}
			return map[string]string{"direction1Maps": d}
		}}
}

// positionsField is the link sets' field in these tests.
var positionsField = NewRefField("cameraPositions")

func positionRefs(ids ...string) Refs { return NewRefs(map[RefField][]string{positionsField: ids}) }

var dir1 = map[string]string{"direction1Maps": "direction1"}

func TestLinkSetAddsRemovesAndDeduplicates(t *testing.T) {
	api := newFakeAPI(t)
	ctx, lc := t.Context(), hoxton.PeopleCountMonitorCameraPositions
	monitor, p := api.monitorWithPositions(4)
	keep := api.putLink(lc, monitor, p[0], dir1)
	api.putLink(lc, monitor, p[1], dir1)
	api.putLink(lc, monitor, p[1], dir1) // a duplicate, as two racing writers leave it
	api.putLink(lc, monitor, p[2], dir1) // no longer wanted
	set := monitorLinks(nil)
	// p[1] is named twice in the spec: one link is enough.
	want := set.desired(&v1alpha1.Site{}, positionRefs(p[0], p[1], p[1], p[3]))
	if got := targetsOf(want.links); !slices.Equal(got, []string{p[0], p[1], p[3]}) || want.partial {
		t.Fatalf("desired = %v (partial %v), want %v once each", got, want.partial, []string{p[0], p[1], p[3]})
	}
	have := api.links(lc, monitor)

	wantDiff(t, "diff", set.diff(want, have),
		"cameraPositions: remove duplicate "+p[1]+"; cameraPositions: remove "+p[2]+"; cameraPositions: add "+p[3])

	api.srv.ResetRequests()
	now, err := set.sync(ctx, api.c, monitor, want, have)
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	if d, pu := api.calls(http.MethodDelete, lc.Path), api.calls(http.MethodPut, lc.Path); d != 2 || pu != 1 {
		t.Errorf("sync sent %d DELETEs and %d PUTs, want 2 (duplicate, unwanted) and 1 (the new link)", d, pu)
	}
	after := api.links(lc, monitor)
	if got := targetsOf(after); !sameSet(got, []string{p[0], p[1], p[3]}) {
		t.Errorf("links after sync target %v, want %v", got, []string{p[0], p[1], p[3]})
	}
	if !slices.ContainsFunc(after, func(l hoxton.Link) bool { return l.ID == keep }) {
		t.Errorf("the wanted link %s was replaced; links %+v", keep, after)
	}
	if !sameSet(targetsOf(now), targetsOf(after)) {
		t.Errorf("sync reported %v, HoxtonAi holds %v", targetsOf(now), targetsOf(after))
	}
	if d := set.diff(want, after); len(d) != 0 {
		t.Errorf("diff after sync = %v, want none", d)
	}
}

func TestLinkSetAttributeChangeIsWrittenInPlace(t *testing.T) {
	api := newFakeAPI(t)
	ctx, lc := t.Context(), hoxton.PeopleCountMonitorCameraPositions
	monitor, p := api.monitorWithPositions(1)
	id := api.putLink(lc, monitor, p[0], dir1)
	set := monitorLinks(map[int]string{0: "direction2"})
	want, have := set.desired(&v1alpha1.Site{}, positionRefs(p[0])), api.links(lc, monitor)

	wantDiff(t, "diff", set.diff(want, have),
		`cameraPositions: `+p[0]+` is {"direction1Maps":"direction1"}, want {"direction1Maps":"direction2"}`)
	api.srv.ResetRequests()
	if _, err := set.sync(ctx, api.c, monitor, want, have); err != nil {
		t.Fatalf("sync: %v", err)
	}
	if n := api.srv.CountWrites(); n != 1 {
		t.Errorf("sync wrote %d times, want one PUT of the existing link", n)
	}
	after := api.links(lc, monitor)
	if len(after) != 1 || after[0].ID != id || after[0].Attrs["direction1Maps"] != "direction2" {
		t.Errorf("links after sync = %+v, want link %s mapped to direction2", after, id)
	}
}

// TestLinkSetPartialWantKeepsLinks: while an entry's target is not ready, which link
// it will name is unknown, so no link is removed; once every target resolves, the
// extra one is.
func TestLinkSetPartialWantKeepsLinks(t *testing.T) {
	api := newFakeAPI(t)
	ctx, lc := t.Context(), hoxton.PeopleCountMonitorCameraPositions
	monitor, p := api.monitorWithPositions(3)
	api.putLink(lc, monitor, p[0], dir1)
	api.putLink(lc, monitor, p[1], dir1)
	set := monitorLinks(nil)
	have := api.links(lc, monitor)

	partial := set.desired(&v1alpha1.Site{}, positionRefs(p[0], "", p[2]))
	if !partial.partial {
		t.Fatal("a want with an unresolved entry is not partial")
	}
	wantDiff(t, "partial", set.diff(partial, have), "cameraPositions: add "+p[2])
	if _, err := set.sync(ctx, api.c, monitor, partial, have); err != nil {
		t.Fatalf("sync: %v", err)
	}
	if n := api.calls(http.MethodDelete, lc.Path); n != 0 {
		t.Errorf("a partial want deleted %d links, want none", n)
	}
	if got := targetsOf(api.links(lc, monitor)); !sameSet(got, []string{p[0], p[1], p[2]}) {
		t.Errorf("links = %v, want all three kept or made", got)
	}

	complete := set.desired(&v1alpha1.Site{}, positionRefs(p[0], p[2]))
	have = api.links(lc, monitor)
	wantDiff(t, "complete", set.diff(complete, have), "cameraPositions: remove "+p[1])
	if _, err := set.sync(ctx, api.c, monitor, complete, have); err != nil {
		t.Fatalf("sync: %v", err)
	}
	if got := targetsOf(api.links(lc, monitor)); !sameSet(got, []string{p[0], p[2]}) {
		t.Errorf("links = %v, want %v", got, []string{p[0], p[2]})
	}
}

// TestLinkSetNewLinkRetriesGoneWithFreshID: HoxtonAi never reuses a deleted link's id
// (410), so a new link is tried under a fresh id, a bounded number of times.
func TestLinkSetNewLinkRetriesGoneWithFreshID(t *testing.T) {
	api := newFakeAPI(t)
	ctx, lc := t.Context(), hoxton.PeopleCountMonitorCameraPositions
	monitor, p := api.monitorWithPositions(1)
	set := monitorLinks(nil)
	want := set.desired(&v1alpha1.Site{}, positionRefs(p[0]))

	api.srv.AddFault(hoxtontest.Fault{Method: http.MethodPut, PathPrefix: lc.Path, Status: http.StatusGone, Count: 1})
	now, err := set.sync(ctx, api.c, monitor, want, nil)
	if err != nil {
		t.Fatalf("sync after one 410: %v", err)
	}
	puts := putIDs(api.srv.Requests(), lc.Path)
	if len(puts) != 2 || puts[0] == puts[1] {
		t.Errorf("PUTs carried ids %v, want two different ids (a fresh one after the 410)", puts)
	}
	if after := api.links(lc, monitor); len(after) != 1 || len(now) != 1 || after[0].ID != now[0].ID || after[0].ID != puts[1] {
		t.Errorf("links %+v, sync reported %+v; want the one made under the second id %s", after, now, puts[1])
	}

	api.srv.ResetRequests()
	api.srv.AddFault(hoxtontest.Fault{Method: http.MethodPut, PathPrefix: lc.Path, Status: http.StatusGone})
	if _, err := set.sync(ctx, api.c, "00000000-0000-4000-8000-000000000001", want, nil); !hoxton.IsGone(err) {
		t.Errorf("sync with every PUT answered 410 = %v, want the Gone error", err)
	}
	if n := api.calls(http.MethodPut, lc.Path); n != maxNewLinkAttempts {
		t.Errorf("%d PUTs for one link answered 410 each time, want %d", n, maxNewLinkAttempts)
	}
}

// TestLinkSetDeletesTolerateGone: a link deleted meanwhile (410) or an owner whose
// links are gone is what deletion wants, not an error.
func TestLinkSetDeletesTolerateGone(t *testing.T) {
	api := newFakeAPI(t)
	ctx, lc := t.Context(), hoxton.PeopleCountMonitorCameraPositions
	monitor, p := api.monitorWithPositions(2)
	api.putLink(lc, monitor, p[0], dir1)
	api.putLink(lc, monitor, p[1], dir1)
	set := monitorLinks(nil)

	api.srv.AddFault(hoxtontest.Fault{Method: http.MethodDelete, PathPrefix: lc.Path, Status: http.StatusGone, Count: 1})
	if err := set.deleteAll(ctx, api.c, monitor); err != nil {
		t.Fatalf("deleteAll with one link already gone: %v", err)
	}
	if n := api.calls(http.MethodDelete, lc.Path); n != 2 {
		t.Errorf("deleteAll sent %d DELETEs, want 2 (it goes on after the 410)", n)
	}
	if left := api.links(lc, monitor); len(left) != 1 {
		// The 410 was injected: the fake kept that link; the other one is deleted.
		t.Errorf("links left = %+v, want only the one answered 410", left)
	}

	api.srv.AddFault(hoxtontest.Fault{Method: http.MethodGet, PathPrefix: lc.Path, Status: http.StatusNotFound, Count: 1})
	if err := set.deleteAll(ctx, api.c, monitor); err != nil {
		t.Errorf("deleteAll of an owner whose links listing answers 404: %v", err)
	}
	api.srv.AddFault(hoxtontest.Fault{Method: http.MethodDelete, PathPrefix: lc.Path, Status: http.StatusInternalServerError, Count: 1})
	if err := set.deleteAll(ctx, api.c, monitor); err == nil || hoxton.IgnoreGone(err) == nil {
		t.Errorf("deleteAll with a DELETE answered 500 = %v, want that error", err)
	}
}

func TestObservedLinksAreSortedByTarget(t *testing.T) {
	got := ObservedLinks([]hoxton.Link{{ID: "1", Target: "b"}, {ID: "2", Target: "a"}})
	want := []v1alpha1.ObservedLink{{ID: "2", TargetID: "a"}, {ID: "1", TargetID: "b"}}
	if !slices.Equal(got, want) {
		t.Errorf("ObservedLinks = %+v, want %+v", got, want)
	}
	if got := ObservedLinks(nil); got == nil || len(got) != 0 {
		t.Errorf("ObservedLinks(nil) = %#v, want an empty list (status shows [])", got)
	}
}

// sameSet reports whether a and b hold the same elements, in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// putIDs returns the ids of the PUT bodies sent to path, in order.
func putIDs(reqs []hoxtontest.Request, path string) []string {
	var ids []string
	for _, r := range reqs {
		if r.Method == http.MethodPut && r.Path == path {
			ids = append(ids, jsonField(r.Body, "id"))
		}
	}
	return ids
}
