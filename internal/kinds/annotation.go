package kinds

import (
	"encoding/json"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// annotationKind declares Annotation: upserted at /annotations on the camera position
// its camera reference resolves to, no links.
func annotationKind() managed.Kind[*v1alpha1.Annotation, managed.Observed[hoxton.Annotation]] {
	return managed.Kind[*v1alpha1.Annotation, managed.Observed[hoxton.Annotation]]{
		Name:    "Annotation",
		New:     func() *v1alpha1.Annotation { return &v1alpha1.Annotation{} },
		NewList: func() client.ObjectList { return &v1alpha1.AnnotationList{} },
		IDs:     managed.DeterministicID,
		References: []managed.Reference[*v1alpha1.Annotation]{{Field: "cameraRef", Target: cameraPositionTarget,
			Entries: func(o *v1alpha1.Annotation) []managed.Entry {
				return managed.One(o.Spec.CameraRef, o.Spec.CameraPositionID)
			}}},
		Adapter: managed.Upserted[*v1alpha1.Annotation, hoxton.Annotation]{
			Collection: hoxton.Annotations,
			Body: func(o *v1alpha1.Annotation, id string, refs managed.Refs) (hoxton.Annotation, error) {
				kind, roi, err := regionOf(o.Spec.ROI)
				return hoxton.Annotation{ID: id, CameraPositionID: refs.ID("cameraRef"), Kind: kind, ROI: roi, State: hoxton.StateActive}, err
			},
			Fields: []managed.Field[hoxton.Annotation]{
				managed.F("cameraPositionID", func(a hoxton.Annotation) any { return a.CameraPositionID }),
				managed.F("kind", func(a hoxton.Annotation) any { return a.Kind }),
				managed.F("roi", func(a hoxton.Annotation) any { return emptyNil(a.ROI) }),
			},
			AtProvider: func(o *v1alpha1.Annotation, have *hoxton.Annotation, _ map[string][]hoxton.Link) {
				o.Status.AtProvider = v1alpha1.AnnotationObservation{CameraPositionID: have.CameraPositionID, Kind: string(have.Kind), State: string(have.State)}
			},
		},
	}
}

// geometry is the GeoJSON form of a region of interest on the wire (Assumption A12).
type geometry struct {
	Type        string `json:"type"`
	Coordinates any    `json:"coordinates"`
}

// regionOf maps the spec's region to the annotation kind and its GeoJSON geometry,
// decoded the way the API's answer is, so that the two compare equal.
func regionOf(roi v1alpha1.RegionOfInterest) (hoxton.AnnotationKind, map[string]any, error) {
	kind, geo := hoxton.AnnotationPolygon, geometry{Type: "Polygon", Coordinates: roi.Polygon}
	if roi.MultiPolygon != nil {
		kind, geo = hoxton.AnnotationMultiPolygon, geometry{Type: "MultiPolygon", Coordinates: roi.MultiPolygon}
	}
	raw, err := json.Marshal(geo)
	if err != nil {
		return "", nil, managed.Terminal("spec.roi: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", nil, err
	}
	return kind, m, nil
}
