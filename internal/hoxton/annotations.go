package hoxton

import (
	"context"
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

var annotations = newCollection[Annotation]("annotations")

// PutAnnotation creates or updates an annotation (PUT /annotations).
func (c *Client) PutAnnotation(ctx context.Context, a Annotation) (PutResult, error) {
	a.CreatedAt, a.DeletedAt = nil, nil
	return annotations.put(ctx, c, a)
}

// GetAnnotation returns one annotation; a deleted one is reported as Gone.
func (c *Client) GetAnnotation(ctx context.Context, id string) (*Annotation, error) {
	return annotations.get(ctx, c, id)
}

// DeleteAnnotation soft-deletes an annotation.
func (c *Client) DeleteAnnotation(ctx context.Context, id string) error {
	return annotations.delete(ctx, c, id)
}

// ListAnnotations returns the active annotations of the client's organisation, only
// those on one camera position when cameraPositionID is not empty.
func (c *Client) ListAnnotations(ctx context.Context, cameraPositionID string) ([]Annotation, error) {
	// Assumption A2: GET /annotations?organisationId=&cameraPositionId= lists annotations.
	return annotations.list(ctx, c, filters("organisationId", c.org, "cameraPositionId", cameraPositionID))
}
