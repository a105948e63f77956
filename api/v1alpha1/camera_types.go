package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// CameraSpec is the desired state of a HoxtonAi camera (a physical sensor claimed
// into a site by its serial number).
// +kubebuilder:validation:XValidation:rule="has(self.siteRef) != has(self.siteID)",message="set exactly one of siteRef and siteID"
// +kubebuilder:validation:XValidation:rule="has(self.siteRef) == has(oldSelf.siteRef) && has(self.siteID) == has(oldSelf.siteID)",message="a camera cannot move to another site: the HoxtonAi API has no such operation"
type CameraSpec struct {
	ManagedSpec `json:",inline"`

	// SerialNumber of the sensor to claim. Immutable: HoxtonAi cannot re-claim a
	// camera under another serial.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="serialNumber is immutable"
	SerialNumber string `json:"serialNumber"`

	// SiteRef names the Site (same namespace) the camera is claimed into.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="a camera cannot move to another site: the HoxtonAi API has no such operation"
	// +optional
	SiteRef *LocalReference `json:"siteRef,omitempty"`

	// SiteID is the HoxtonAi id of the site, for sites not managed here.
	// +kubebuilder:validation:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +kubebuilder:validation:MaxLength=36
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="a camera cannot move to another site: the HoxtonAi API has no such operation"
	// +optional
	SiteID string `json:"siteID,omitempty"`

	// Name of the camera as shown in the Control Room.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	Name string `json:"name,omitempty"`

	// Direction1Alias labels crossing direction 1 as this camera sees it.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Direction1Alias string `json:"direction1Alias,omitempty"`

	// Direction2Alias labels crossing direction 2 as this camera sees it.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Direction2Alias string `json:"direction2Alias,omitempty"`

	// Paused stops video processing and notifications for the camera (HoxtonAi state
	// paused); false keeps it running.
	// +optional
	Paused bool `json:"paused,omitempty"`
}

// CameraObservation is what HoxtonAi reports about the camera.
type CameraObservation struct {
	// SiteID is the site the camera is claimed into.
	// +optional
	SiteID string `json:"siteID,omitempty"`
	// CameraPositionID is the logical viewpoint this camera fills; monitors, alerts and
	// annotations refer to it.
	// +optional
	CameraPositionID string `json:"cameraPositionID,omitempty"`
	// State is running or paused.
	// +optional
	State string `json:"state,omitempty"`
	// IsOnline says whether the sensor is connected.
	// +optional
	IsOnline *bool `json:"isOnline,omitempty"`
	// ClaimedAt is when the sensor was claimed.
	// +optional
	ClaimedAt *metav1.Time `json:"claimedAt,omitempty"`
	// LastSeenAt is when the sensor last reported.
	// +optional
	LastSeenAt *metav1.Time `json:"lastSeenAt,omitempty"`
	// LastVideoAt is when the sensor last uploaded video.
	// +optional
	LastVideoAt *metav1.Time `json:"lastVideoAt,omitempty"`
	// VideoBacklog is the sensor's reported video backlog, as HoxtonAi reports it.
	// +optional
	VideoBacklog string `json:"videoBacklog,omitempty"`
}

// CameraStatus is the observed state of a Camera.
type CameraStatus struct {
	ManagedStatus `json:",inline"`
	// AtProvider holds read-only fields reported by HoxtonAi.
	// +optional
	AtProvider CameraObservation `json:"atProvider,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=hoxton,shortName=hxcam
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="SYNCED",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="EXTERNAL-ID",type=string,JSONPath=`.status.externalID`
// +kubebuilder:printcolumn:name="SERIAL",type=string,JSONPath=`.spec.serialNumber`,priority=1
// +kubebuilder:printcolumn:name="ONLINE",type=boolean,JSONPath=`.status.atProvider.isOnline`,priority=1
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="REASON",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].reason`,priority=1
// +kubebuilder:printcolumn:name="CONNECTION",type=string,JSONPath=`.spec.connectionRef.name`,priority=1
// +kubebuilder:printcolumn:name="MESSAGE",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].message`,priority=1

// Camera is a HoxtonAi sensor claimed into a site. HoxtonAi has no way to un-claim a
// camera: deleting a Camera with deletionPolicy Delete pauses it and leaves it claimed.
type Camera struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   CameraSpec   `json:"spec"`
	Status CameraStatus `json:"status,omitempty"`
}

// GetManagedSpec returns the spec fields every managed kind shares.
func (o *Camera) GetManagedSpec() *ManagedSpec { return &o.Spec.ManagedSpec }

// GetManagedStatus returns the status fields every managed kind shares.
func (o *Camera) GetManagedStatus() *ManagedStatus { return &o.Status.ManagedStatus }

// +kubebuilder:object:root=true

// CameraList is a list of Cameras.
type CameraList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Camera `json:"items"`
}

func init() {
	register(&Camera{}, &CameraList{})
}
