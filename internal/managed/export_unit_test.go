package managed

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// groupExport declares the test kind's Export as internal/kinds declares its own:
// child groups by name where the child is exported too, by id otherwise.
func groupExport() *Export[*v1alpha1.NotificationGroup] {
	u := groupDecl()
	u.List = func(ctx context.Context, c *hoxton.Client, _ string) ([]hoxton.NotificationGroup, error) {
		return hoxton.NotificationGroups.List(ctx, c)
	}
	u.ID = func(g hoxton.NotificationGroup) string { return g.ID }
	u.Label = func(g hoxton.NotificationGroup) string { return g.Name }
	u.Manifest = func(g hoxton.NotificationGroup, links Links, names NameOf) *v1alpha1.NotificationGroup {
		o := &v1alpha1.NotificationGroup{Spec: v1alpha1.NotificationGroupSpec{Name: g.Name}}
		for _, l := range links[childGroups] {
			if n := names("NotificationGroup", l.Target); n != "" {
				o.Spec.ChildGroupRefs = append(o.Spec.ChildGroupRefs, v1alpha1.LocalReference{Name: n})
			} else {
				o.Spec.ChildGroupIDs = append(o.Spec.ChildGroupIDs, l.Target)
			}
		}
		return o
	}
	return u.export()
}

func TestExportAllMapsObjectsAndLinks(t *testing.T) {
	api := newFakeAPI(t)
	ctx := t.Context()
	parent, named, literal := api.group("Parent"), api.group("Named"), api.group("Literal")
	api.putLink(hoxton.NotificationGroupLinks, parent, named, nil)
	api.putLink(hoxton.NotificationGroupLinks, parent, literal, nil)
	kind := groupKind()
	kind.Export = groupExport()

	api.srv.ResetRequests()
	exported, err := ExportAll(ctx, kind, api.c, ListOptions{})
	if err != nil {
		t.Fatalf("ExportAll: %v", err)
	}
	if n := api.calls(http.MethodGet, groupLinks); n != 3 {
		t.Errorf("%d link listings, want one per group (3)", n)
	}
	byLabel := map[string]Exported{}
	for _, e := range exported {
		byLabel[e.Label] = e
	}
	p, ok := byLabel["Parent"]
	if len(exported) != 3 || !ok || p.ID != parent || p.Value != parent {
		t.Fatalf("exported %+v, want the three groups, Parent with id and value %s", exported, parent)
	}
	names := func(kind, value string) string {
		if kind == "NotificationGroup" && value == named {
			return "named"
		}
		return ""
	}
	o := p.Object(names).(*v1alpha1.NotificationGroup)
	if o.Spec.ExternalID != parent || o.Spec.Name != "Parent" {
		t.Errorf("manifest spec.externalID %q name %q, want %s Parent", o.Spec.ExternalID, o.Spec.Name, parent)
	}
	if len(o.Spec.ChildGroupRefs) != 1 || o.Spec.ChildGroupRefs[0].Name != "named" || !slices.Equal(o.Spec.ChildGroupIDs, []string{literal}) {
		t.Errorf("children: refs %+v ids %v; want named by name, %s by id", o.Spec.ChildGroupRefs, o.Spec.ChildGroupIDs, literal)
	}

	api.srv.ResetRequests()
	if _, err := ExportAll(ctx, kind, api.c, ListOptions{IDsOnly: true}); err != nil {
		t.Fatal(err)
	}
	if n := api.calls(http.MethodGet, groupLinks); n != 0 {
		t.Errorf("IDsOnly listed links %d times, want none", n)
	}
}

func TestExportAllErrors(t *testing.T) {
	api := newFakeAPI(t)
	kind := groupKind()
	if _, err := ExportAll(t.Context(), kind, api.c, ListOptions{}); err == nil || !strings.Contains(err.Error(), "NotificationGroup declares no Export") {
		t.Errorf("a kind without Export = %v", err)
	}
	boom := errors.New("boom")
	kind.Export = &Export[*v1alpha1.NotificationGroup]{List: func(context.Context, *hoxton.Client, ListOptions) ([]Listed[*v1alpha1.NotificationGroup], error) {
		return nil, boom
	}}
	if _, err := ExportAll(t.Context(), kind, api.c, ListOptions{}); !errors.Is(err, boom) || !strings.Contains(err.Error(), "listing NotificationGroup") {
		t.Errorf("a failing list = %v, want it wrapped with the kind", err)
	}

	api.group("g")
	kind.Export = groupExport()
	api.srv.AddFault(hoxtontest.Fault{Method: http.MethodGet, PathPrefix: groupLinks, Count: 1})
	if _, err := ExportAll(t.Context(), kind, api.c, ListOptions{}); err == nil || !strings.Contains(err.Error(), "listing the childGroups of") {
		t.Errorf("a failing link listing = %v, want it named", err)
	}
}

// TestListedValueDefaultsToID: references to most kinds resolve to the id; a camera
// declares another value (its position).
func TestListedValueDefaultsToID(t *testing.T) {
	kind := groupKind()
	kind.Export = &Export[*v1alpha1.NotificationGroup]{List: func(context.Context, *hoxton.Client, ListOptions) ([]Listed[*v1alpha1.NotificationGroup], error) {
		build := func(NameOf) *v1alpha1.NotificationGroup { return &v1alpha1.NotificationGroup{} }
		return []Listed[*v1alpha1.NotificationGroup]{{ID: "a", Object: build}, {ID: "b", Value: "position-b", Object: build}}, nil
	}}
	got, err := ExportAll(t.Context(), kind, nil, ListOptions{})
	if err != nil || len(got) != 2 || got[0].Value != "a" || got[1].Value != "position-b" {
		t.Errorf("ExportAll = %+v, %v; want values a and position-b", got, err)
	}
	if o := got[1].Object(nil); o.GetManagedSpec().ExternalID != "b" {
		t.Errorf("manifest of b has spec.externalID %q", o.GetManagedSpec().ExternalID)
	}
}

// TestUpsertedKindIsTheWholeKind: one Upserted value makes the Kind: its own fields,
// itself as the adapter, deterministic ids, and the export built from List and
// Manifest unless an Export is given.
func TestUpsertedKindIsTheWholeKind(t *testing.T) {
	u := groupDecl()
	u.Name, u.References = "NotificationGroup", groupKind().References
	if k := u.Kind(); k.Export != nil || k.IDs != DeterministicID || k.Name != u.Name || len(k.References) != 1 {
		t.Errorf("Kind() without List = %+v, want no export, deterministic ids and the declaration's fields", k)
	}
	if _, ok := u.Kind().Adapter.(Comparer[*v1alpha1.NotificationGroup, Observed[hoxton.NotificationGroup]]); !ok {
		t.Error("the Kind's adapter is not the declaration (a Comparer)")
	}
	withList := groupExport()
	u.Export = withList
	if k := u.Kind(); k.Export != withList {
		t.Error("a given Export was not used")
	}
	u.Export = nil
	u.List = func(context.Context, *hoxton.Client, string) ([]hoxton.NotificationGroup, error) { return nil, nil }
	if k := u.Kind(); k.Export == nil {
		t.Error("List and Manifest made no Export")
	}
}
