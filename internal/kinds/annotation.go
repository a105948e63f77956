package kinds

import (
	"context"
	"encoding/json"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/geometry"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// cameraRef is the camera whose position an annotation marks.
var cameraRef = managed.NewRefField("cameraRef")

// annotationKind declares Annotation: upserted at /annotations on the camera position
// its camera reference resolves to, no links.
var annotationKind = managed.Upserted[*v1alpha1.Annotation, hoxton.Annotation]{
	Name:    "Annotation",
	New:     func() *v1alpha1.Annotation { return &v1alpha1.Annotation{} },
	NewList: func() client.ObjectList { return &v1alpha1.AnnotationList{} },
	References: []managed.Reference[*v1alpha1.Annotation]{{Field: cameraRef, Target: cameraPositionTarget,
		Entries: func(o *v1alpha1.Annotation) []managed.Entry {
			return managed.One(o.Spec.CameraRef, o.Spec.CameraPositionID)
		}}},
	Collection: hoxton.Annotations,
	Body: func(o *v1alpha1.Annotation, id string, refs managed.Refs) (hoxton.Annotation, error) {
		// What the CRD's rules cannot check is refused here, before any write.
		if err := geometry.CheckRegion(o.Spec.ROI); err != nil {
			return hoxton.Annotation{}, managed.Terminal("%v", err)
		}
		kind, roi, err := regionOf(o.Spec.ROI)
		return hoxton.Annotation{ID: id, CameraPositionID: refs.ID(cameraRef), Kind: kind, ROI: roi, State: hoxton.StateActive}, err
	},
	Fields: []managed.Field[hoxton.Annotation]{
		managed.F("cameraPositionID", func(a hoxton.Annotation) any { return a.CameraPositionID }),
		managed.F("kind", func(a hoxton.Annotation) any { return a.Kind }),
		managed.F("roi", func(a hoxton.Annotation) any { return emptyNil(a.ROI) }),
	},
	AtProvider: func(o *v1alpha1.Annotation, have *hoxton.Annotation, _ managed.Links) {
		o.Status.AtProvider = v1alpha1.AnnotationObservation{CameraPositionID: have.CameraPositionID, Kind: string(have.Kind), State: string(have.State)}
	},
	Export: annotationExport(),
}

// geoJSON is the GeoJSON form of a region of interest on the wire (Assumption A12).
type geoJSON struct {
	Type        string `json:"type"`
	Coordinates any    `json:"coordinates"`
}

// regionOf maps the spec's region to the annotation kind and its GeoJSON geometry,
// decoded the way the API's answer is, so that the two compare equal.
func regionOf(roi v1alpha1.RegionOfInterest) (hoxton.AnnotationKind, map[string]any, error) {
	kind, geo := hoxton.AnnotationPolygon, geoJSON{Type: "Polygon", Coordinates: roi.Polygon}
	if roi.MultiPolygon != nil {
		kind, geo = hoxton.AnnotationMultiPolygon, geoJSON{Type: "MultiPolygon", Coordinates: roi.MultiPolygon}
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

// annotationExport maps the annotations on the organisation's cameras (those of the
// site exported) to manifests, each named after its camera: an annotation has no name.
func annotationExport() *managed.Export[*v1alpha1.Annotation] {
	return &managed.Export[*v1alpha1.Annotation]{List: func(ctx context.Context, c *hoxton.Client, opts managed.ListOptions) ([]managed.Listed[*v1alpha1.Annotation], error) {
		cams, err := c.ListCameras(ctx, opts.Site)
		if err != nil {
			return nil, err
		}
		cameraOf := make(map[string]string, len(cams))
		for _, cam := range cams {
			cameraOf[cam.CameraPositionID] = nonEmpty(cam.Name, cam.SerialNumber)
		}
		all, err := hoxton.Annotations.List(ctx, c)
		if err != nil {
			return nil, err
		}
		out := make([]managed.Listed[*v1alpha1.Annotation], 0, len(all))
		for _, a := range all {
			camera, known := cameraOf[a.CameraPositionID]
			if !known && opts.Site != "" {
				continue // on a camera of another site
			}
			out = append(out, managed.Listed[*v1alpha1.Annotation]{ID: a.ID, Label: nonEmpty(camera, "annotation") + " region",
				Object: func(names managed.NameOf) *v1alpha1.Annotation {
					ref, position := refOrID(names, "Camera", a.CameraPositionID)
					return &v1alpha1.Annotation{Spec: v1alpha1.AnnotationSpec{CameraRef: ref, CameraPositionID: position, ROI: roiOf(a.ROI)}}
				}})
		}
		return out, nil
	}}
}

// roiOf maps the GeoJSON geometry of the wire back to the spec's region.
func roiOf(geo map[string]any) v1alpha1.RegionOfInterest {
	var roi v1alpha1.RegionOfInterest
	raw, err := json.Marshal(geo["coordinates"])
	if err != nil {
		return roi
	}
	if geo["type"] == "MultiPolygon" {
		_ = json.Unmarshal(raw, &roi.MultiPolygon)
	} else {
		_ = json.Unmarshal(raw, &roi.Polygon)
	}
	return roi
}
