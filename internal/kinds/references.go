package kinds

import (
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/reference"
)

// The kinds that references point at, and what a reference to each resolves to.
var (
	siteTarget = managed.Target{Kind: "Site", New: func() reference.Target { return &v1alpha1.Site{} }, Value: externalIDOf}
	// A camera is referred to for its camera position, the viewpoint monitors, alerts
	// and annotations attach to.
	cameraPositionTarget = managed.Target{Kind: "Camera", New: func() reference.Target { return &v1alpha1.Camera{} },
		Value: func(obj client.Object) string { return obj.(*v1alpha1.Camera).Status.AtProvider.CameraPositionID }}
)

func externalIDOf(obj client.Object) string {
	return obj.(managed.Object).GetManagedStatus().ExternalID
}

// targetOf declares a managed kind as a reference target resolving to its id.
func targetOf[O managed.Object](kind string, newObj func() O) managed.Target {
	return managed.Target{Kind: kind, New: func() reference.Target { return newObj() }, Value: externalIDOf}
}

// siteParentReference declares the siteRef/siteID of a kind: the object needs it.
func siteParentReference[O managed.Object](parent func(O) *v1alpha1.SiteParent) managed.Reference[O] {
	return managed.Reference[O]{Field: "siteRef", Target: siteTarget, Entries: func(o O) []managed.Entry {
		p := parent(o)
		return managed.One(p.SiteRef, p.SiteID)
	}}
}

// cameraPositionsReference declares a monitor's camera positions: links only.
func cameraPositionsReference[O managed.Object](positions func(O) v1alpha1.MonitorCameraPositions) managed.Reference[O] {
	return managed.Reference[O]{Field: "cameraPositions", Target: cameraPositionTarget, LinksOnly: true, Entries: func(o O) []managed.Entry {
		out := make([]managed.Entry, 0, len(positions(o)))
		for _, p := range positions(o) {
			out = append(out, managed.One(p.CameraRef, p.CameraPositionID)...)
		}
		return out
	}}
}

// cameraPositionLinks declares a monitor's camera-position links, whose own fields
// are the direction mapping (Assumption A5).
func cameraPositionLinks[O managed.Object](api hoxton.LinkCollection, positions func(O) v1alpha1.MonitorCameraPositions) managed.LinkSet[O] {
	return managed.LinkSet[O]{Field: "cameraPositions", API: api, Attrs: func(o O, i int) map[string]string {
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
