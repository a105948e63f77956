package managed

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// The generic Upserted adapter against the fake API: what it reads, what it writes,
// and what it reports.

const (
	groups     = "/notification-groups"
	groupLinks = "/notification-group-notification-groups"
)

// TestUpsertedCreateNewThenExisting: a 201 is a new object, whose links need no
// listing; a 204 is an object an earlier cluster made, whose links are listed first
// so that none is duplicated.
func TestUpsertedCreateNewThenExisting(t *testing.T) {
	api := newFakeAPI(t)
	ctx, u := t.Context(), groupDecl()
	a, b := api.group("a"), api.group("b")
	o := newGroup("parent", "6f1c2a52-5a3b-4c1e-9d7f-0a1b2c3d4e5f")
	api.srv.ResetRequests()

	created, seen, err := u.Create(ctx, api.c, o, childRefs("", a, b))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if created != (Created{ID: o.Status.ExternalID}) {
		t.Errorf("Created = %+v, want a new object (201) with id %s", created, o.Status.ExternalID)
	}
	if n := api.calls(http.MethodGet, ""); n != 0 {
		t.Errorf("creating a new object read %d times, want no reads (a 201 has no links to list)", n)
	}
	if puts := api.calls(http.MethodPut, ""); puts != 3 {
		t.Errorf("%d PUTs, want 3 (the group, two links)", puts)
	}
	stored, ok := api.srv.Object("notification-groups", o.Status.ExternalID)
	if !ok || stored["name"] != "Group parent" {
		t.Fatalf("HoxtonAi holds %v, want the group named %q", stored, "Group parent")
	}
	if got := targetsOf(seen.Links[childGroups]); !sameSet(got, []string{a, b}) {
		t.Errorf("Create reports links to %v, want %v", got, []string{a, b})
	}
	if got := o.Status.AtProvider.ChildGroups; len(got) != 2 || o.Status.AtProvider.State != "active" {
		t.Errorf("status.atProvider = %+v, want state active and two child groups", o.Status.AtProvider)
	}

	// The same id again, as a cluster rebuilt from Git sends it.
	api.srv.ResetRequests()
	created, _, err = u.Create(ctx, api.c, o, childRefs("", a, b))
	if err != nil {
		t.Fatalf("Create of an existing object: %v", err)
	}
	if !created.Existed || created.Found {
		t.Errorf("Created = %+v, want Existed (204)", created)
	}
	if n := api.calls(http.MethodGet, groupLinks); n != 1 {
		t.Errorf("%d listings of the links, want 1", n)
	}
	if n := api.calls(http.MethodPut, groupLinks); n != 0 {
		t.Errorf("%d link PUTs for links that exist, want none", n)
	}
	if got := api.links(hoxton.NotificationGroupLinks, o.Status.ExternalID); len(got) != 2 {
		t.Errorf("links after the second create = %v, want the same two", targetsOf(got))
	}
}

func TestUpsertedObserveReportsAbsentAndDrift(t *testing.T) {
	api := newFakeAPI(t)
	ctx, u := t.Context(), groupDecl()
	child := api.group("child")
	o := newGroup("g", "3a7e9b1c-2d4f-4a6b-8c0d-1e2f3a4b5c6d")

	obs, err := u.Observe(ctx, api.c, o, childRefs("", child))
	if err != nil || obs.Exists {
		t.Fatalf("Observe of an id HoxtonAi does not know = %+v, %v; want absent, no error", obs, err)
	}
	if _, _, err := u.Create(ctx, api.c, o, childRefs("", child)); err != nil {
		t.Fatal(err)
	}
	obs, err = u.Observe(ctx, api.c, o, childRefs("", child))
	if err != nil || !obs.Exists || !obs.UpToDate() {
		t.Fatalf("Observe after the create = %+v, %v; want up to date", obs, err)
	}

	// Changed behind the operator's back: the name, and the child link removed.
	api.srv.PatchObject("notification-groups", o.Status.ExternalID, map[string]any{"name": "Renamed"})
	if err := hoxton.NotificationGroupLinks.Delete(ctx, api.c, obs.Observed.Links[childGroups][0].ID); err != nil {
		t.Fatal(err)
	}
	obs, err = u.Observe(ctx, api.c, o, childRefs("", child))
	if err != nil {
		t.Fatal(err)
	}
	wantDiff(t, "drift", obs.Diff, `name: want "Group g", have "Renamed"; childGroups: add `+child)

	// Deleted in HoxtonAi (soft delete): absent, not an error.
	if err := u.Delete(ctx, api.c, o); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if obs, err := u.Observe(ctx, api.c, o, childRefs("", child)); err != nil || obs.Exists {
		t.Errorf("Observe of a deleted object = %+v, %v; want absent", obs, err)
	}
}

// TestUpsertedSensitiveFieldIsComparedNotShown: a webhook URL carries a token; a
// change of it is found, and its values appear in no difference.
func TestUpsertedSensitiveFieldIsComparedNotShown(t *testing.T) {
	api := newFakeAPI(t)
	ctx, u := t.Context(), groupDecl()
	o := newGroup("g", "9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e")
	const oldURL, newURL = "https://hooks.example/T0KEN-OLD", "https://hooks.example/T0KEN-NEW"
	if _, _, err := u.Create(ctx, api.c, o, childRefs(oldURL)); err != nil {
		t.Fatal(err)
	}
	obs, err := u.Observe(ctx, api.c, o, childRefs(newURL))
	if err != nil {
		t.Fatal(err)
	}
	wantDiff(t, "webhook", obs.Diff, "webhook: differs (values not shown)")
	if s := obs.Diff.String(); strings.Contains(s, "T0KEN") {
		t.Errorf("the difference shows the webhook URL: %q", s)
	}
	d, err := u.DescribeCreate(o, childRefs(newURL))
	if err != nil {
		t.Fatal(err)
	}
	if s := d.String(); strings.Contains(s, "T0KEN") || !strings.Contains(s, "webhook: differs") {
		t.Errorf("DescribeCreate = %q, want the webhook named without its value", s)
	}

	if _, err := u.Update(ctx, api.c, o, childRefs(newURL), obs); err != nil {
		t.Fatal(err)
	}
	if stored, _ := api.srv.Object("notification-groups", o.Status.ExternalID); stored["webhook"].(map[string]any)["url"] != newURL {
		t.Errorf("HoxtonAi holds webhook %v, want the new URL", stored["webhook"])
	}
}

// TestUpsertedUpdateWritesOnlyWhatDiffers: a change of links alone writes no object,
// a change of a field alone touches no link.
func TestUpsertedUpdateWritesOnlyWhatDiffers(t *testing.T) {
	api := newFakeAPI(t)
	ctx, u := t.Context(), groupDecl()
	a, b := api.group("a"), api.group("b")
	o := newGroup("g", "1d2c3b4a-5e6f-4a8b-9c0d-e1f2a3b4c5d6")
	if _, _, err := u.Create(ctx, api.c, o, childRefs("", a)); err != nil {
		t.Fatal(err)
	}

	obs, err := u.Observe(ctx, api.c, o, childRefs("", b))
	if err != nil {
		t.Fatal(err)
	}
	api.srv.ResetRequests()
	seen, err := u.Update(ctx, api.c, o, childRefs("", b), obs)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if n := api.calls(http.MethodPut, groups); n != 0 {
		t.Errorf("a change of links alone sent %d object PUTs, want none", n)
	}
	if got := targetsOf(api.links(hoxton.NotificationGroupLinks, o.Status.ExternalID)); !sameSet(got, []string{b}) {
		t.Errorf("links = %v, want only %s", got, b)
	}
	if after, err := u.Compare(o, childRefs("", b), *seen); err != nil || !after.UpToDate() {
		t.Errorf("Compare with what Update reports = %v, %v; want up to date", after.Diff, err)
	}

	o.Spec.Name = "Group renamed"
	obs, err = u.Observe(ctx, api.c, o, childRefs("", b))
	if err != nil {
		t.Fatal(err)
	}
	api.srv.ResetRequests()
	if _, err := u.Update(ctx, api.c, o, childRefs("", b), obs); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if p, l := api.calls(http.MethodPut, groups), api.calls("", groupLinks); p != 1 || l != 0 {
		t.Errorf("a change of the name alone sent %d object PUTs and %d link requests, want 1 and 0", p, l)
	}
	if stored, _ := api.srv.Object("notification-groups", o.Status.ExternalID); stored["name"] != "Group renamed" {
		t.Errorf("HoxtonAi holds name %v", stored["name"])
	}
}

// TestUpsertedDeleteRemovesLinksFirst: HoxtonAi does not cascade (A11).
func TestUpsertedDeleteRemovesLinksFirst(t *testing.T) {
	api := newFakeAPI(t)
	ctx, u := t.Context(), groupDecl()
	child := api.group("child")
	o := newGroup("g", "5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b")
	if _, _, err := u.Create(ctx, api.c, o, childRefs("", child)); err != nil {
		t.Fatal(err)
	}
	api.srv.ResetRequests()
	if err := u.Delete(ctx, api.c, o); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	var order []string
	for _, r := range api.srv.Requests() {
		if r.Method == http.MethodDelete {
			order = append(order, strings.SplitN(r.Path[1:], "/", 2)[0])
		}
	}
	if strings.Join(order, ",") != "notification-group-notification-groups,notification-groups" {
		t.Errorf("DELETEs went to %v, want the link, then the group", order)
	}
	if left := api.links(hoxton.NotificationGroupLinks, o.Status.ExternalID); len(left) != 0 {
		t.Errorf("links left active: %v", targetsOf(left))
	}
	if err := u.Delete(ctx, api.c, o); !hoxton.IsGone(err) {
		t.Errorf("a second Delete = %v, want Gone (the reconciler ignores it)", err)
	}
	if _, err := hoxton.NotificationGroups.Get(ctx, api.c, o.Status.ExternalID); !Absent(err) || Absent(nil) {
		t.Errorf("Absent(%v) = false, or Absent(nil) = true; want a deleted object absent", err)
	}
}

// TestUpsertedBodyErrorWritesNothing: an error of Body is reported as it is, before
// any request.
func TestUpsertedBodyErrorWritesNothing(t *testing.T) {
	api := newFakeAPI(t)
	o := newGroup("g", "7c6b5a4f-3e2d-4c1b-8a9f-8e7d6c5b4a3f")
	o.Spec.Name = ""
	api.srv.ResetRequests()
	_, _, err := groupDecl().Create(t.Context(), api.c, o, childRefs(""))
	var term *TerminalError
	if !errors.As(err, &term) || !strings.Contains(term.Message, "spec.name") {
		t.Errorf("Create with a bad spec = %v, want the Body's Terminal error", err)
	}
	if n := api.srv.CountWrites(); n != 0 {
		t.Errorf("%d writes for a body that could not be built", n)
	}
}
