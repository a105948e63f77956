package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Position is one point of a region of interest, [x, y], in coordinates normalised to
// the camera frame: 0 is the left (top) edge, 1 the right (bottom) edge (Assumption
// A13).
// +kubebuilder:validation:MinItems=2
// +kubebuilder:validation:MaxItems=2
// +kubebuilder:validation:items:Minimum=0
// +kubebuilder:validation:items:Maximum=1
type Position []float64

// LinearRing is a closed ring of positions: the last repeats the first, and it has at
// least three distinct positions (a triangle is the smallest area).
// +kubebuilder:validation:MinItems=4
// +kubebuilder:validation:MaxItems=64
// +kubebuilder:validation:XValidation:rule="self[0] == self[size(self) - 1]",message="a ring must be closed: repeat its first position as its last"
// +kubebuilder:validation:XValidation:rule="self.exists(a, a != self[0] && self.exists(b, b != self[0] && b != a))",message="a ring needs at least 3 distinct positions"
type LinearRing []Position

// Polygon is an outline ring followed by rings of holes cut out of it.
// +kubebuilder:validation:MinItems=1
// +kubebuilder:validation:MaxItems=4
type Polygon []LinearRing

// RegionOfInterest is the geometry of an annotation: one polygon or several. It is
// sent as a GeoJSON geometry, {"type": "Polygon" | "MultiPolygon", "coordinates": …}
// (Assumption A12).
// +kubebuilder:validation:XValidation:rule="has(self.polygon) != has(self.multiPolygon)",message="set exactly one of polygon and multiPolygon"
type RegionOfInterest struct {
	// Polygon is a single polygon: its outline, then any holes.
	// +optional
	Polygon Polygon `json:"polygon,omitempty"`

	// MultiPolygon is a set of polygons.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=8
	// +optional
	MultiPolygon []Polygon `json:"multiPolygon,omitempty"`
}

// AnnotationSpec is the desired state of a HoxtonAi annotation: a region of interest
// drawn on a camera position.
// +kubebuilder:validation:XValidation:rule="has(self.cameraRef) != has(self.cameraPositionID)",message="set exactly one of cameraRef and cameraPositionID"
type AnnotationSpec struct {
	ManagedSpec `json:",inline"`

	// CameraRef names the Camera (same namespace) whose camera position the region is
	// drawn on.
	// +optional
	CameraRef *LocalReference `json:"cameraRef,omitempty"`

	// CameraPositionID is the HoxtonAi camera position id, for cameras not managed here.
	// +kubebuilder:validation:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +optional
	CameraPositionID string `json:"cameraPositionID,omitempty"`

	// ROI is the region of interest.
	ROI RegionOfInterest `json:"roi"`
}

// AnnotationObservation is what HoxtonAi reports about the annotation.
type AnnotationObservation struct {
	// CameraPositionID is the camera position the region is drawn on.
	// +optional
	CameraPositionID string `json:"cameraPositionID,omitempty"`
	// Kind is polygon or multipolygon.
	// +optional
	Kind string `json:"kind,omitempty"`
	// State is active or deleted.
	// +optional
	State string `json:"state,omitempty"`
}

// AnnotationStatus is the observed state of an Annotation.
type AnnotationStatus struct {
	ManagedStatus `json:",inline"`
	// AtProvider holds read-only fields reported by HoxtonAi.
	// +optional
	AtProvider AnnotationObservation `json:"atProvider,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=hoxton,shortName=hxannotation
// +kubebuilder:printcolumn:name="KIND",type=string,JSONPath=`.status.atProvider.kind`
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="SYNCED",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="EXTERNAL-ID",type=string,JSONPath=`.status.externalID`
// +kubebuilder:printcolumn:name="CAMERA-POSITION",type=string,JSONPath=`.status.atProvider.cameraPositionID`,priority=1
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="REASON",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].reason`,priority=1
// +kubebuilder:printcolumn:name="CONNECTION",type=string,JSONPath=`.spec.connectionRef.name`,priority=1
// +kubebuilder:printcolumn:name="MESSAGE",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].message`,priority=1

// Annotation is a HoxtonAi annotation: a region of interest (a polygon or several) on
// a camera position, such as the area in front of a till.
type Annotation struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   AnnotationSpec   `json:"spec"`
	Status AnnotationStatus `json:"status,omitempty"`
}

// GetManagedSpec returns the spec fields every managed kind shares.
func (o *Annotation) GetManagedSpec() *ManagedSpec { return &o.Spec.ManagedSpec }

// GetManagedStatus returns the status fields every managed kind shares.
func (o *Annotation) GetManagedStatus() *ManagedStatus { return &o.Status.ManagedStatus }

// +kubebuilder:object:root=true

// AnnotationList is a list of Annotations.
type AnnotationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Annotation `json:"items"`
}

func init() {
	register(&Annotation{}, &AnnotationList{})
}
