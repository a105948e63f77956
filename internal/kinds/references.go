package kinds

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/reference"
)

// The kinds that references point at, what a reference to each resolves to, the site
// each target belongs to, and how a literal id of each is looked up in HoxtonAi
// (managed.Target).
var (
	siteTarget = managed.Target{Kind: "Site", New: func() reference.Target { return &v1alpha1.Site{} }, Value: externalIDOf,
		Lookup: managed.LookupIn(hoxton.Sites, nil)}
	// A camera is referred to for its camera position, the viewpoint monitors, alerts
	// and annotations attach to.
	cameraPositionTarget = managed.Target{Kind: "Camera", IDName: "camera position", New: func() reference.Target { return &v1alpha1.Camera{} },
		Value:  func(obj client.Object) string { return obj.(*v1alpha1.Camera).Status.AtProvider.CameraPositionID },
		SiteOf: func(obj client.Object) string { return obj.(*v1alpha1.Camera).Status.AtProvider.SiteID },
		Lookup: lookupCameraPosition}
	peopleCountMonitorTarget = managed.Target{Kind: "PeopleCountMonitor", New: func() reference.Target { return &v1alpha1.PeopleCountMonitor{} },
		Value:  externalIDOf,
		SiteOf: func(obj client.Object) string { return obj.(*v1alpha1.PeopleCountMonitor).Status.AtProvider.SiteID },
		Lookup: managed.LookupIn(hoxton.PeopleCountMonitors, func(m hoxton.PeopleCountMonitor) string { return m.SiteID })}
	occupancyMonitorTarget = managed.Target{Kind: "OccupancyMonitor", New: func() reference.Target { return &v1alpha1.OccupancyMonitor{} },
		Value:  externalIDOf,
		SiteOf: func(obj client.Object) string { return obj.(*v1alpha1.OccupancyMonitor).Status.AtProvider.SiteID },
		Lookup: managed.LookupIn(hoxton.OccupancyMonitors, func(m hoxton.OccupancyMonitor) string { return m.SiteID })}
	notificationGroupTarget = managed.Target{Kind: "NotificationGroup", New: func() reference.Target { return &v1alpha1.NotificationGroup{} },
		Value: externalIDOf, Lookup: managed.LookupIn(hoxton.NotificationGroups, nil)}
)

// lookupCameraPosition finds a camera position given by id, and its site, among the
// organisation's cameras: the contract has no camera position resource, and a
// position is known by the camera that serves it (Assumption A2). One listing
// answers for every position; the reconciler remembers each id it confirmed.
func lookupCameraPosition(ctx context.Context, c *hoxton.Client, id string) (string, bool, error) {
	cams, err := c.ListCameras(ctx, "")
	if err != nil {
		return "", false, err
	}
	for _, cam := range cams {
		if cam.CameraPositionID == id {
			return cam.SiteID, true, nil
		}
	}
	return "", false, nil
}

func externalIDOf(obj client.Object) string {
	return obj.(managed.Object).GetManagedStatus().ExternalID
}

// The reference fields several kinds share, each declared once.
var (
	// siteRef is the site an object belongs to (siteRef or siteID).
	siteRef = managed.NewRefField("siteRef")
	// cameraPositions are a monitor's camera positions, made links.
	cameraPositions = managed.NewRefField("cameraPositions")
)

// siteReference declares the siteRef/siteID of a kind: the object needs it.
func siteReference[O managed.Object](site func(O) (*v1alpha1.LocalReference, string)) managed.Reference[O] {
	return managed.Reference[O]{Field: siteRef, Target: siteTarget, Entries: func(o O) []managed.Entry { return managed.One(site(o)) }}
}

// monitorReferences declares a monitor's site and its camera positions: links only,
// and only cameras of the monitor's own site.
func monitorReferences[O managed.Object](positions func(O) v1alpha1.MonitorCameraPositions, parent func(O) *v1alpha1.SiteParent) []managed.Reference[O] {
	return []managed.Reference[O]{
		siteReference(func(o O) (*v1alpha1.LocalReference, string) { p := parent(o); return p.SiteRef, p.SiteID }),
		{Field: cameraPositions, Target: cameraPositionTarget, LinksOnly: true, SameSiteAs: siteRef, Entries: func(o O) []managed.Entry {
			out := make([]managed.Entry, 0, len(positions(o)))
			for _, p := range positions(o) {
				out = append(out, managed.One(p.CameraRef, p.CameraPositionID)...)
			}
			return out
		}},
	}
}

// cameraPositionLinks declares a monitor's camera-position links, whose own fields
// are the direction mapping (Assumption A5).
func cameraPositionLinks[O managed.Object](api hoxton.LinkCollection, positions func(O) v1alpha1.MonitorCameraPositions) managed.LinkSet[O] {
	return managed.LinkSet[O]{Field: cameraPositions, API: api, Attrs: func(o O, i int) map[string]string {
		p := positions(o)[i]
		return map[string]string{
			"direction1Maps": directionOr(p.Direction1Maps, v1alpha1.Direction1),
			"direction2Maps": directionOr(p.Direction2Maps, v1alpha1.Direction2),
		}
	}}
}

// directionOr is a spec direction mapping with its default.
func directionOr(m, def v1alpha1.DirectionMapping) string {
	if m == "" {
		return string(def)
	}
	return string(m)
}

// idList returns the entries of a list of references, each by name or id.
func idList(refs []v1alpha1.LocalReference, ids []string) []managed.Entry {
	out := make([]managed.Entry, 0, len(refs)+len(ids))
	for _, r := range refs {
		out = append(out, managed.Entry{Name: r.Name})
	}
	for _, id := range ids {
		out = append(out, managed.Entry{ID: id})
	}
	return out
}
