package managed

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/reference"
)

// Shared fixtures of the declaration layer's tests (links, Upserted, plans, export):
// the fake HoxtonAi API over real HTTP with real tokens, and a notification group kind
// declared the way internal/kinds declares its kinds. No Kubernetes is involved.

// fakeAPI is the fake HoxtonAi API and a client of its organisation.
type fakeAPI struct {
	t   *testing.T
	srv *hoxtontest.Server
	c   *hoxton.Client
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	srv := hoxtontest.NewServer(hoxtontest.Options{})
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	tokens := auth.NewCache(ctx, auth.Options{}).Source(auth.Credentials{
		Grant: auth.GrantClientCredentials, TokenURL: srv.TokenURL(), Audience: hoxtontest.DefaultAudience,
		ClientID: hoxtontest.DefaultClientID, ClientSecret: hoxtontest.DefaultClientSecret,
	}, nil)
	c, err := hoxton.New(hoxton.Config{BaseURL: srv.APIURL(), OrganisationID: srv.OrganisationID(), Tokens: tokens})
	if err != nil {
		t.Fatal(err)
	}
	return &fakeAPI{t: t, srv: srv, c: c}
}

func (f *fakeAPI) must(_ hoxton.PutResult, err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("fixture: %v", err)
	}
}

// group creates a notification group and returns its id.
func (f *fakeAPI) group(name string) string {
	f.t.Helper()
	id := uuid.NewString()
	f.must(hoxton.NotificationGroups.Put(f.t.Context(), f.c, hoxton.NotificationGroup{ID: id, Name: name}))
	return id
}

// monitorWithPositions creates a site with n cameras and a people counting monitor,
// and returns the monitor's id and the cameras' positions: the two ends of a link
// with attributes.
func (f *fakeAPI) monitorWithPositions(n int) (string, []string) {
	f.t.Helper()
	ctx, site, monitor := f.t.Context(), uuid.NewString(), uuid.NewString()
	f.must(hoxton.Sites.Put(ctx, f.c, hoxton.Site{ID: site, Name: "HQ"}))
	f.must(hoxton.PeopleCountMonitors.Put(ctx, f.c, hoxton.PeopleCountMonitor{ID: monitor, SiteID: site, Name: "Door"}))
	positions := make([]string, n)
	for i := range positions {
		cam, err := f.c.ClaimCamera(ctx, hoxton.CameraClaim{SerialNumber: "SN-" + uuid.NewString(), SiteID: site})
		if err != nil {
			f.t.Fatalf("fixture camera: %v", err)
		}
		positions[i] = cam.CameraPositionID
	}
	return monitor, positions
}

// putLink stores a link directly, as another client or an earlier run left it.
func (f *fakeAPI) putLink(lc hoxton.LinkCollection, owner, target string, attrs map[string]string) string {
	f.t.Helper()
	id := uuid.NewString()
	f.must(lc.Put(f.t.Context(), f.c, hoxton.Link{ID: id, Owner: owner, Target: target, Attrs: attrs}))
	return id
}

// links lists the owner's active links.
func (f *fakeAPI) links(lc hoxton.LinkCollection, owner string) []hoxton.Link {
	f.t.Helper()
	l, err := lc.List(f.t.Context(), f.c, owner)
	if err != nil {
		f.t.Fatalf("listing links: %v", err)
	}
	return l
}

// calls counts the requests of method on paths starting with prefix since the last
// reset, for request budgets.
func (f *fakeAPI) calls(method, prefix string) int { return f.srv.CountRequests(method, prefix) }

// targetsOf returns the targets of links, in order.
func targetsOf(links []hoxton.Link) []string {
	out := make([]string, len(links))
	for i, l := range links {
		out[i] = l.Target
	}
	return out
}

// The test kind: notification groups with a sensitive webhook and a link set of child
// groups, as internal/kinds/notificationgroup.go declares them.
var childGroups = NewRefField("childGroups")

// webhookURL is the Secret key the test kind's webhook comes from.
var webhookURL = v1alpha1.SecretKeySelector{Name: "hook", Key: "url"}

func groupDecl() Upserted[*v1alpha1.NotificationGroup, hoxton.NotificationGroup] {
	return Upserted[*v1alpha1.NotificationGroup, hoxton.NotificationGroup]{
		Collection: hoxton.NotificationGroups,
		Body: func(o *v1alpha1.NotificationGroup, id string, refs Refs) (hoxton.NotificationGroup, error) {
			if o.Spec.Name == "" {
				return hoxton.NotificationGroup{}, Terminal("spec.name is empty")
			}
			g := hoxton.NotificationGroup{ID: id, Name: o.Spec.Name, State: hoxton.StateActive}
			if url := refs.Secret(webhookURL); url != "" {
				g.Webhook = map[string]any{"url": url}
			}
			return g, nil
		},
		Fields: []Field[hoxton.NotificationGroup]{
			F("name", func(g hoxton.NotificationGroup) any { return g.Name }),
			SensitiveF("webhook", func(g hoxton.NotificationGroup) any { return g.Webhook }),
		},
		AtProvider: func(o *v1alpha1.NotificationGroup, have *hoxton.NotificationGroup, links Links) {
			o.Status.AtProvider = v1alpha1.NotificationGroupObservation{State: string(have.State), ChildGroups: ObservedLinks(links[childGroups])}
		},
		Links: []LinkSet[*v1alpha1.NotificationGroup]{{Field: childGroups, API: hoxton.NotificationGroupLinks}},
	}
}

// groupTarget is the test kind as a reference target: its id once it has one.
var groupTarget = Target{Kind: "NotificationGroup",
	New:   func() reference.Target { return &v1alpha1.NotificationGroup{} },
	Value: func(o client.Object) string { return o.(*v1alpha1.NotificationGroup).Status.ExternalID }}

func groupKind() Kind[*v1alpha1.NotificationGroup, Observed[hoxton.NotificationGroup]] {
	return Kind[*v1alpha1.NotificationGroup, Observed[hoxton.NotificationGroup]]{
		Name:    "NotificationGroup",
		New:     func() *v1alpha1.NotificationGroup { return &v1alpha1.NotificationGroup{} },
		NewList: func() client.ObjectList { return &v1alpha1.NotificationGroupList{} },
		Adapter: groupDecl(),
		IDs:     DeterministicID,
		References: []Reference[*v1alpha1.NotificationGroup]{{Field: childGroups, Target: groupTarget, LinksOnly: true,
			Entries: func(o *v1alpha1.NotificationGroup) []Entry {
				var out []Entry
				for _, r := range o.Spec.ChildGroupRefs {
					out = append(out, Entry{Name: r.Name})
				}
				for _, id := range o.Spec.ChildGroupIDs {
					out = append(out, Entry{ID: id})
				}
				return out
			}}},
		Secrets: func(*v1alpha1.NotificationGroup) []v1alpha1.SecretKeySelector {
			return []v1alpha1.SecretKeySelector{webhookURL}
		},
	}
}

// newGroup returns a NotificationGroup manifest named name whose HoxtonAi id is id
// ("" for one never created), with children given by name.
func newGroup(name, id string, children ...string) *v1alpha1.NotificationGroup {
	g := &v1alpha1.NotificationGroup{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: name, Generation: 1}}
	g.Spec.Name = "Group " + name
	g.Status.ExternalID = id
	for _, c := range children {
		g.Spec.ChildGroupRefs = append(g.Spec.ChildGroupRefs, v1alpha1.LocalReference{Name: c})
	}
	return g
}

// childRefs are resolved references naming child groups by id ("" for one whose
// target is not ready yet), and the webhook Secret's value when given.
func childRefs(webhook string, ids ...string) Refs {
	r := NewRefs(map[RefField][]string{childGroups: ids})
	if webhook != "" {
		r.secrets = map[v1alpha1.SecretKeySelector]string{webhookURL: webhook}
	}
	return r
}

// wantDiff fails unless d, as a condition shows it, is want, in any order of the
// differences (links come in the order HoxtonAi lists them).
func wantDiff(t *testing.T, what string, d Diff, want string) {
	t.Helper()
	if got := d.String(); !sameSet(strings.Split(got, "; "), strings.Split(want, "; ")) {
		t.Errorf("%s: diff = %q, want %q", what, got, want)
	}
}

// jsonField returns the string field of a JSON object body ("" when absent).
func jsonField(body []byte, field string) string {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return ""
	}
	s, _ := m[field].(string)
	return s
}
