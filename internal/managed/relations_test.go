package managed

import (
	"context"
	"errors"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/reference"
)

// The sites and ids of the relation checks' tests.
const (
	siteA    = "site-a"
	siteB    = "site-b"
	position = "position-1"
)

// fakeLookup answers a Lookup from sites (id -> site; absent = not found), counting
// the requests it stands for.
type fakeLookup struct {
	sites map[string]string
	err   error
	calls int
}

func (f *fakeLookup) lookup(_ context.Context, _ *hoxton.Client, id string) (string, bool, error) {
	f.calls++
	if f.err != nil {
		return "", false, f.err
	}
	site, ok := f.sites[id]
	return site, ok, nil
}

// monitorRefs declares an owner (a Site object stands in for it) with a site and one
// camera position, given by entries, that must be of the same site.
func monitorRefs(site, camera Entry, lookup Lookup) []Reference[*v1alpha1.Site] {
	return []Reference[*v1alpha1.Site]{
		{Field: NewRefField("siteRef"), Target: Target{Kind: "Site"}, Entries: func(*v1alpha1.Site) []Entry { return nonEmpty(site) }},
		{Field: NewRefField("cameraPositions"), Target: Target{Kind: "Camera", IDName: "camera position", Lookup: lookup}, LinksOnly: true, SameSiteAs: NewRefField("siteRef"),
			Entries: func(*v1alpha1.Site) []Entry { return nonEmpty(camera) }},
	}
}

func nonEmpty(e Entry) []Entry {
	if e == (Entry{}) {
		return nil
	}
	return []Entry{e}
}

func testClient(t *testing.T) *hoxton.Client {
	t.Helper()
	c, err := hoxton.New(hoxton.Config{BaseURL: "http://unused.invalid", OrganisationID: testOrg})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCheckReferences(t *testing.T) {
	byName := Entry{Name: "door"}
	byID := Entry{ID: position}
	tests := []struct {
		name     string
		site     Entry
		camera   Entry
		resolved Refs
		known    map[string]string // the lookup's positions and their sites
		want     []string          // substrings of the Terminal message; none = accepted
	}{
		{name: "camera by name in the owner's site", site: Entry{Name: "hq"}, camera: byName,
			resolved: refsOf("siteRef", siteA, "", "cameraPositions", position, siteA)},
		{name: "camera by name in another site", site: Entry{Name: "hq"}, camera: byName,
			resolved: refsOf("siteRef", siteA, "", "cameraPositions", position, siteB),
			want:     []string{`cameraPositions: Camera "door" is in site site-b, not in site site-a`, `siteRef Site "hq"`}},
		{name: "position by id in another site", site: Entry{ID: siteA}, camera: byID,
			resolved: refsOf("siteRef", siteA, "", "cameraPositions", position, ""), known: map[string]string{position: siteB},
			want: []string{"camera position position-1 is in site site-b, not in site site-a", "siteRef Site site-a"}},
		{name: "position by id in the owner's site", site: Entry{ID: siteA}, camera: byID,
			resolved: refsOf("siteRef", siteA, "", "cameraPositions", position, ""), known: map[string]string{position: siteA}},
		{name: "position by id that does not exist", site: Entry{ID: siteA}, camera: byID,
			resolved: refsOf("siteRef", siteA, "", "cameraPositions", position, ""),
			want:     []string{"cameraPositions: HoxtonAi has no camera position position-1"}},
		{name: "owner without a site takes cameras of any site", camera: byID,
			resolved: refsOf("cameraPositions", position, ""), known: map[string]string{position: siteB}},
		{name: "camera by name not Ready yet is checked once it resolves", site: Entry{Name: "hq"}, camera: byName,
			resolved: refsOf("siteRef", siteA, "", "cameraPositions", "", "")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lookup := &fakeLookup{sites: tc.known}
			err := checkReferences(t.Context(), testClient(t), &verifiedIDs{}, "PeopleCountMonitor", &v1alpha1.Site{},
				monitorRefs(tc.site, tc.camera, lookup.lookup), tc.resolved)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var te *TerminalError
			if !errors.As(err, &te) {
				t.Fatalf("got %v, want a Terminal error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the message %q does not say %q", err, w)
				}
			}
		})
	}
}

// refsOf builds resolved references from (field, id, site) triples.
func refsOf(triples ...string) Refs {
	r := Refs{ids: map[RefField][]string{}, sites: map[RefField][]string{}}
	for i := 0; i+2 < len(triples); i += 3 {
		f := NewRefField(triples[i])
		r.ids[f] = append(r.ids[f], triples[i+1])
		r.sites[f] = append(r.sites[f], triples[i+2])
	}
	return r
}

// TestVerifiedIDsAreRemembered: an id HoxtonAi confirmed is not asked again (polls
// must not multiply requests), one that named nothing is, and a failed request is
// returned as it is, not as a missing object.
func TestVerifiedIDsAreRemembered(t *testing.T) {
	c := testClient(t)
	verified := &verifiedIDs{}
	lookup := &fakeLookup{sites: map[string]string{}}
	refs := monitorRefs(Entry{ID: siteA}, Entry{ID: position}, lookup.lookup)
	resolved := refsOf("siteRef", siteA, "", "cameraPositions", position, "")
	check := func() error {
		return checkReferences(t.Context(), c, verified, "PeopleCountMonitor", &v1alpha1.Site{}, refs, resolved)
	}

	for range 2 {
		if err := check(); err == nil {
			t.Fatal("a position HoxtonAi does not know was accepted")
		}
	}
	if lookup.calls != 2 {
		t.Fatalf("a missing id was looked up %d times in two attempts, want 2 (never remembered)", lookup.calls)
	}
	lookup.sites[position] = siteA
	for range 3 {
		if err := check(); err != nil {
			t.Fatalf("refused: %v", err)
		}
	}
	if lookup.calls != 3 {
		t.Fatalf("a confirmed id was looked up %d times in all, want 3 (once more, when it exists)", lookup.calls)
	}

	failing := &fakeLookup{err: &hoxton.APIError{StatusCode: 503, Method: "GET", Path: "/cameras"}}
	err := checkReferences(t.Context(), c, &verifiedIDs{}, "PeopleCountMonitor", &v1alpha1.Site{},
		monitorRefs(Entry{ID: siteA}, Entry{ID: position}, failing.lookup), resolved)
	var te *TerminalError
	if err == nil || errors.As(err, &te) {
		t.Fatalf("a failed lookup gave %v, want the request's own error", err)
	}
}

// TestCycleNotRuledOutWhileAGroupIsMissing: a group not created yet whose walk meets
// a group the cache does not hold waits (a -> b -> a applied together: b may be on
// its way); one already created goes on; a full cycle is found either way.
func TestCycleNotRuledOutWhileAGroupIsMissing(t *testing.T) {
	group := func(name string, children ...string) *v1alpha1.NotificationGroup {
		g := &v1alpha1.NotificationGroup{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: name}}
		for _, c := range children {
			g.Spec.ChildGroupRefs = append(g.Spec.ChildGroupRefs, v1alpha1.LocalReference{Name: c})
		}
		return g
	}
	refs := []Reference[*v1alpha1.NotificationGroup]{{Field: childGroups, Target: Target{Kind: "NotificationGroup"}, LinksOnly: true,
		Entries: func(g *v1alpha1.NotificationGroup) []Entry {
			var out []Entry
			for _, r := range g.Spec.ChildGroupRefs {
				out = append(out, Entry{Name: r.Name})
			}
			return out
		}}}
	find := func(o *v1alpha1.NotificationGroup, objs ...client.Object) ([]string, error) {
		r := fake.NewClientBuilder().WithScheme(newScheme(t)).WithObjects(objs...).Build()
		return findCycle(t.Context(), r, o, "NotificationGroup", func() *v1alpha1.NotificationGroup { return &v1alpha1.NotificationGroup{} }, refs)
	}

	// a -> b, b -> c, c not in the cache yet.
	a, b := group("a", "b"), group("b", "c")
	cycle, err := find(a, a, b)
	if cycle != nil || !reference.IsNotReady(err) || !strings.Contains(err.Error(), `NotificationGroup "c" not found`) {
		t.Fatalf("a new group reaching a missing one: cycle %v, err %v; want a NotReadyError naming c", cycle, err)
	}
	created := group("a", "b")
	created.Status.ExternalID = "id-a"
	if cycle, err := find(created, created, b); cycle != nil || err != nil {
		t.Fatalf("a created group reaching a missing one: cycle %v, err %v; want neither", cycle, err)
	}
	c := group("c", "a")
	cycle, err = find(a, a, b, c)
	if err != nil || strings.Join(cycle, " -> ") != "a -> b -> c -> a" {
		t.Fatalf("a 3-cycle: cycle %v, err %v", cycle, err)
	}
	if cycle, err := find(group("d"), group("d")); cycle != nil || err != nil {
		t.Fatalf("a group without children: cycle %v, err %v", cycle, err)
	}
}
