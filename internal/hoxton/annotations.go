package hoxton

import (
	"time"
)

// AnnotationKind is the geometry kind of an annotation.
type AnnotationKind string

// The annotation kinds of the contract.
const (
	// AnnotationPolygon is a single polygon.
	AnnotationPolygon AnnotationKind = "polygon"
	// AnnotationMultiPolygon is a set of polygons.
	AnnotationMultiPolygon AnnotationKind = "multipolygon"
)

// Annotation is a region of interest on a camera position (schemas AnnotationInput and
// Annotation). ROI is required by the contract but nullable: a nil ROI is sent as null.
// Assumption A12: ROI is a GeoJSON Polygon or MultiPolygon geometry matching Kind;
// Assumption A13: its positions are fractions (0..1) of the camera frame.
// CreatedAt and DeletedAt are output only and never sent.
type Annotation struct {
	ID               string         `json:"id,omitempty"`
	CameraPositionID string         `json:"cameraPositionId"`
	Kind             AnnotationKind `json:"kind,omitempty"`
	ROI              map[string]any `json:"roi"`
	State            State          `json:"state,omitempty"`
	CreatedAt        *time.Time     `json:"createdAt,omitempty"`
	DeletedAt        *time.Time     `json:"deletedAt,omitempty"`
}

// Annotations is the annotation collection, listed by organisation (and camera
// position).
var Annotations = NewCollection[Annotation]("annotations", ListedByOrganisation)
