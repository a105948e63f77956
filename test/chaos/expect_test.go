package chaos

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// expected is what HoxtonAi must hold for one Kubernetes object: the object's fields
// in the API's names, and its link sets.
type expected struct {
	kind, name string
	collection string
	id         string
	fields     map[string]any
	links      []expectedLinks
	// outlives is set for objects that deleting their Kubernetes object leaves in
	// HoxtonAi by design (a user: the API has no user delete).
	outlives bool
}

type expectedLinks struct {
	col     hoxton.LinkCollection
	targets []string
}

// index resolves a fleet's references: ids by kind and name, camera positions by name.
type index struct {
	ids       map[string]string // "Kind/name" -> external id
	positions map[string]string // camera name -> camera position id
}

func (x index) id(kind string, ref *v1alpha1.LocalReference) string {
	if ref == nil {
		return ""
	}
	return x.ids[kind+"/"+ref.Name]
}

func (x index) ids_(kind string, refs []v1alpha1.LocalReference) []string {
	var out []string
	for _, r := range refs {
		out = append(out, x.ids[kind+"/"+r.Name])
	}
	return out
}

func (x index) cameraPositions(p v1alpha1.MonitorCameraPositions) []string {
	var out []string
	for _, c := range p {
		out = append(out, x.positions[c.CameraRef.Name])
	}
	return out
}

// expectation maps one kind's objects of a namespace to what HoxtonAi must hold.
type expectation struct {
	kind   string
	expect func(ctx context.Context, c client.Client, ns string, x index) ([]expected, error)
}

func emails(es []v1alpha1.EmailAddress) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = string(e)
	}
	return out
}

// expectations has one entry per managed kind (TestEveryKindHasAnExpectation).
var expectations = []expectation{
	{"Site", func(ctx context.Context, c client.Client, ns string, _ index) ([]expected, error) {
		var l v1alpha1.SiteList
		err := c.List(ctx, &l, client.InNamespace(ns))
		var out []expected
		for _, o := range l.Items {
			out = append(out, expected{kind: "Site", name: o.Name, collection: hoxton.Sites.Resource, id: o.Status.ExternalID,
				fields: map[string]any{"name": o.Spec.Name, "address": o.Spec.Address, "tz": o.Spec.TimeZone, "state": "active"}})
		}
		return out, err
	}},
	{"Camera", func(ctx context.Context, c client.Client, ns string, x index) ([]expected, error) {
		var l v1alpha1.CameraList
		err := c.List(ctx, &l, client.InNamespace(ns))
		var out []expected
		for _, o := range l.Items {
			out = append(out, expected{kind: "Camera", name: o.Name, collection: "cameras", id: o.Status.ExternalID,
				fields: map[string]any{"serialNumber": o.Spec.SerialNumber, "siteId": x.id("Site", o.Spec.SiteRef), "name": o.Spec.Name,
					"direction1Alias": o.Spec.Direction1Alias, "direction2Alias": o.Spec.Direction2Alias, "state": "running"}})
		}
		return out, err
	}},
	{"PeopleCountMonitor", func(ctx context.Context, c client.Client, ns string, x index) ([]expected, error) {
		var l v1alpha1.PeopleCountMonitorList
		err := c.List(ctx, &l, client.InNamespace(ns))
		var out []expected
		for _, o := range l.Items {
			out = append(out, expected{kind: "PeopleCountMonitor", name: o.Name, collection: "people-count-monitors", id: o.Status.ExternalID,
				fields: map[string]any{"name": o.Spec.Name, "siteId": x.id("Site", o.Spec.SiteRef), "state": "active"},
				links:  []expectedLinks{{hoxton.PeopleCountMonitorCameraPositions, x.cameraPositions(o.Spec.CameraPositions)}}})
		}
		return out, err
	}},
	{"OccupancyMonitor", func(ctx context.Context, c client.Client, ns string, x index) ([]expected, error) {
		var l v1alpha1.OccupancyMonitorList
		err := c.List(ctx, &l, client.InNamespace(ns))
		var out []expected
		for _, o := range l.Items {
			out = append(out, expected{kind: "OccupancyMonitor", name: o.Name, collection: "occupancy-monitors", id: o.Status.ExternalID,
				fields: map[string]any{"name": o.Spec.Name, "siteId": x.id("Site", o.Spec.SiteRef), "state": "active"},
				links:  []expectedLinks{{hoxton.OccupancyMonitorCameraPositions, x.cameraPositions(o.Spec.CameraPositions)}}})
		}
		return out, err
	}},
	{"PeelOffMonitor", func(ctx context.Context, c client.Client, ns string, x index) ([]expected, error) {
		var l v1alpha1.PeelOffMonitorList
		err := c.List(ctx, &l, client.InNamespace(ns))
		var out []expected
		for _, o := range l.Items {
			out = append(out, expected{kind: "PeelOffMonitor", name: o.Name, collection: "peel-off-monitors", id: o.Status.ExternalID,
				fields: map[string]any{"name": o.Spec.Name, "siteId": x.id("Site", o.Spec.SiteRef), "state": "active"},
				links:  []expectedLinks{{hoxton.PeelOffMonitorCameraPositions, x.cameraPositions(o.Spec.CameraPositions)}}})
		}
		return out, err
	}},
	{"NotificationGroup", func(ctx context.Context, c client.Client, ns string, x index) ([]expected, error) {
		var l v1alpha1.NotificationGroupList
		err := c.List(ctx, &l, client.InNamespace(ns))
		var out []expected
		for _, o := range l.Items {
			out = append(out, expected{kind: "NotificationGroup", name: o.Name, collection: "notification-groups", id: o.Status.ExternalID,
				fields: map[string]any{"name": o.Spec.Name, "emails": emails(o.Spec.Emails), "state": "active"},
				links:  []expectedLinks{{hoxton.NotificationGroupLinks, x.ids_("NotificationGroup", o.Spec.ChildGroupRefs)}}})
		}
		return out, err
	}},
	{"Alert", func(ctx context.Context, c client.Client, ns string, x index) ([]expected, error) {
		var l v1alpha1.AlertList
		err := c.List(ctx, &l, client.InNamespace(ns))
		var out []expected
		for _, o := range l.Items {
			var cams []string
			for _, r := range o.Spec.CameraRefs {
				cams = append(cams, x.positions[r.Name])
			}
			out = append(out, expected{kind: "Alert", name: o.Name, collection: "alerts", id: o.Status.ExternalID,
				fields: map[string]any{"name": o.Spec.Name, "alertType": string(o.Spec.AlertType), "siteId": x.id("Site", o.Spec.SiteRef), "state": "active"},
				links: []expectedLinks{
					{hoxton.AlertNotificationGroupMappings, x.ids_("NotificationGroup", o.Spec.NotificationGroupRefs)},
					{hoxton.AlertCameraPositionMappings, cams},
					{hoxton.AlertOccupancyMonitorMappings, x.ids_("OccupancyMonitor", o.Spec.OccupancyMonitorRefs)},
				}})
		}
		return out, err
	}},
	{"Annotation", func(ctx context.Context, c client.Client, ns string, x index) ([]expected, error) {
		var l v1alpha1.AnnotationList
		err := c.List(ctx, &l, client.InNamespace(ns))
		var out []expected
		for _, o := range l.Items {
			out = append(out, expected{kind: "Annotation", name: o.Name, collection: "annotations", id: o.Status.ExternalID,
				fields: map[string]any{"cameraPositionId": x.positions[o.Spec.CameraRef.Name], "state": "active"}})
		}
		return out, err
	}},
	{"User", func(ctx context.Context, c client.Client, ns string, _ index) ([]expected, error) {
		var l v1alpha1.UserList
		err := c.List(ctx, &l, client.InNamespace(ns))
		var out []expected
		for _, o := range l.Items {
			out = append(out, expected{kind: "User", name: o.Name, collection: "users", id: o.Status.ExternalID, outlives: true,
				fields: map[string]any{"email": string(o.Spec.Email), "firstName": o.Spec.FirstName, "lastName": o.Spec.LastName}})
		}
		return out, err
	}},
	{"OAuthClient", func(ctx context.Context, c client.Client, ns string, _ index) ([]expected, error) {
		var l v1alpha1.OAuthClientList
		err := c.List(ctx, &l, client.InNamespace(ns))
		var out []expected
		for _, o := range l.Items {
			out = append(out, expected{kind: "OAuthClient", name: o.Name, collection: "oauth-clients", id: o.Status.ExternalID,
				fields: map[string]any{"name": o.Spec.Name}})
		}
		return out, err
	}},
}

// buildIndex reads the ids the fleet's objects report.
func buildIndex(ctx context.Context, c client.Client, ns string) (index, error) {
	x := index{ids: map[string]string{}, positions: map[string]string{}}
	lists := map[string]client.ObjectList{"Site": &v1alpha1.SiteList{}, "NotificationGroup": &v1alpha1.NotificationGroupList{},
		"OccupancyMonitor": &v1alpha1.OccupancyMonitorList{}}
	for _, l := range lists {
		if err := c.List(ctx, l, client.InNamespace(ns)); err != nil {
			return x, err
		}
	}
	for _, o := range lists["Site"].(*v1alpha1.SiteList).Items {
		x.ids["Site/"+o.Name] = o.Status.ExternalID
	}
	for _, o := range lists["NotificationGroup"].(*v1alpha1.NotificationGroupList).Items {
		x.ids["NotificationGroup/"+o.Name] = o.Status.ExternalID
	}
	for _, o := range lists["OccupancyMonitor"].(*v1alpha1.OccupancyMonitorList).Items {
		x.ids["OccupancyMonitor/"+o.Name] = o.Status.ExternalID
	}
	var cams v1alpha1.CameraList
	if err := c.List(ctx, &cams, client.InNamespace(ns)); err != nil {
		return x, err
	}
	for _, o := range cams.Items {
		x.positions[o.Name] = o.Status.AtProvider.CameraPositionID
	}
	return x, nil
}

// compareState walks the expectations and the fake's collections: every expected
// field must match, every expected link be active exactly once, and nothing else be
// active in the collections the fleet uses (no duplicate object or link). It
// returns the differences, at most max of them. ours tells the run's objects from
// what the fake held before it (its own user and OAuth client, and the users another
// run left: HoxtonAi has no user delete).
func compareState(api *hoxtontest.Server, want []expected, limit int, ours func(col string, o map[string]any) bool) []string {
	var diffs []string
	add := func(format string, args ...any) {
		if len(diffs) < limit {
			diffs = append(diffs, fmt.Sprintf(format, args...))
		}
	}
	wantIDs := map[string]map[string]bool{} // collection -> ids
	wantLinks := map[string]map[string]int{}
	for _, e := range want {
		if wantIDs[e.collection] == nil {
			wantIDs[e.collection] = map[string]bool{}
		}
		wantIDs[e.collection][e.id] = true
		have, ok := api.Object(e.collection, e.id)
		if e.id == "" || !ok {
			add("%s %s: no HoxtonAi object (id %q)", e.kind, e.name, e.id)
			continue
		}
		for field, w := range e.fields {
			if !sameValue(w, have[field]) {
				add("%s %s: %s is %v, want %v", e.kind, e.name, field, have[field], w)
			}
		}
		for _, l := range e.links {
			if wantLinks[l.col.Resource] == nil {
				wantLinks[l.col.Resource] = map[string]int{}
			}
			for _, t := range l.targets {
				wantLinks[l.col.Resource][e.id+"→"+t]++
			}
		}
	}
	for col, ids := range wantIDs {
		for _, o := range api.Objects(col) {
			id, _ := o["id"].(string)
			if id == "" {
				id, _ = o["clientId"].(string) // OAuth clients
			}
			if !ids[id] && active(o) && ours(col, o) {
				add("%s %s is active in HoxtonAi but no object of the fleet manages it (a duplicate?)", col, id)
			}
		}
	}
	for _, l := range linkCollections {
		seen := map[string]int{}
		for _, o := range api.Objects(l.Resource) {
			if active(o) {
				seen[fmt.Sprint(o[l.OwnerField])+"→"+fmt.Sprint(o[l.TargetField])]++
			}
		}
		for key, n := range seen {
			if w := wantLinks[l.Resource][key]; n != w {
				add("%s %s: %d active, want %d", l.Resource, key, n, w)
			}
		}
		for key, w := range wantLinks[l.Resource] {
			if seen[key] == 0 {
				add("%s %s: missing, want %d", l.Resource, key, w)
			}
		}
	}
	return diffs
}

var linkCollections = []hoxton.LinkCollection{hoxton.PeopleCountMonitorCameraPositions, hoxton.OccupancyMonitorCameraPositions,
	hoxton.PeelOffMonitorCameraPositions, hoxton.AlertNotificationGroupMappings, hoxton.AlertCameraPositionMappings,
	hoxton.AlertOccupancyMonitorMappings, hoxton.NotificationGroupLinks}

func active(o map[string]any) bool {
	s, _ := o["state"].(string)
	return s == "" || s == "active" || s == "running"
}

// sameValue compares a spec value with the fake's JSON value; lists compare as sets.
func sameValue(want, have any) bool {
	switch w := want.(type) {
	case []string:
		var h []string
		if hs, ok := have.([]any); ok {
			for _, v := range hs {
				h = append(h, fmt.Sprint(v))
			}
		}
		a, b := slices.Clone(w), h
		sort.Strings(a)
		sort.Strings(b)
		return strings.Join(a, ",") == strings.Join(b, ",")
	case string:
		if have == nil {
			return w == ""
		}
		return fmt.Sprint(have) == w
	}
	return fmt.Sprint(want) == fmt.Sprint(have)
}
