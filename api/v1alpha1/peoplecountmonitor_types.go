package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DirectionMapping says which monitor direction a camera direction counts towards.
// +kubebuilder:validation:Enum=direction1;direction2
type DirectionMapping string

const (
	// Direction1 is the monitor's direction 1.
	Direction1 DirectionMapping = "direction1"
	// Direction2 is the monitor's direction 2.
	Direction2 DirectionMapping = "direction2"
)

// MonitorCameraPosition feeds one camera position into a monitor.
// +kubebuilder:validation:XValidation:rule="has(self.cameraRef) != has(self.cameraPositionID)",message="set exactly one of cameraRef and cameraPositionID"
type MonitorCameraPosition struct {
	// CameraRef names a Camera (same namespace) whose camera position feeds the monitor.
	// +optional
	CameraRef *LocalReference `json:"cameraRef,omitempty"`

	// CameraPositionID is the HoxtonAi camera position id, for cameras not managed here.
	// +kubebuilder:validation:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +kubebuilder:validation:MaxLength=36
	// +optional
	CameraPositionID string `json:"cameraPositionID,omitempty"`

	// Direction1Maps is the monitor direction the camera's direction 1 counts towards.
	// +kubebuilder:default=direction1
	// +optional
	Direction1Maps DirectionMapping `json:"direction1Maps,omitempty"`

	// Direction2Maps is the monitor direction the camera's direction 2 counts towards.
	// +kubebuilder:default=direction2
	// +optional
	Direction2Maps DirectionMapping `json:"direction2Maps,omitempty"`
}

// PeopleCountMonitorSpec is the desired state of a HoxtonAi people count monitor.
type PeopleCountMonitorSpec struct {
	ManagedSpec     `json:",inline"`
	SiteParent      `json:",inline"`
	ReportingWindow `json:",inline"`

	// Name of the monitor as shown in the Control Room.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	Name string `json:"name"`

	// Direction1Alias labels the monitor's combined direction 1 (e.g. "In").
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Direction1Alias string `json:"direction1Alias,omitempty"`

	// Direction2Alias labels the monitor's combined direction 2 (e.g. "Out").
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Direction2Alias string `json:"direction2Alias,omitempty"`

	// DailyResetMin is the minute of the day (0-1440) at which the count resets.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1440
	// +optional
	DailyResetMin *int32 `json:"dailyResetMin,omitempty"`

	// CameraPositions feed the monitor; the operator makes HoxtonAi's people count
	// monitor camera positions match this list (creating missing links, deleting extra ones).
	// +optional
	CameraPositions MonitorCameraPositions `json:"cameraPositions,omitempty"`
}

// MonitorCameraPositions are the camera positions feeding a monitor, each once.
// +kubebuilder:validation:MaxItems=32
// +kubebuilder:validation:XValidation:rule="self.all(p, self.filter(q, has(p.cameraRef) && has(q.cameraRef) && p.cameraRef.name == q.cameraRef.name).size() <= 1)",message="each cameraRef may appear once"
// +kubebuilder:validation:XValidation:rule="self.all(p, self.filter(q, has(p.cameraPositionID) && has(q.cameraPositionID) && p.cameraPositionID == q.cameraPositionID).size() <= 1)",message="each cameraPositionID may appear once"
// +listType=atomic
type MonitorCameraPositions []MonitorCameraPosition

// PeopleCountMonitorObservation is what HoxtonAi reports about the monitor.
type PeopleCountMonitorObservation struct {
	// SiteID is the site the monitor belongs to.
	// +optional
	SiteID string `json:"siteID,omitempty"`
	// State is active or deleted.
	// +optional
	State string `json:"state,omitempty"`
	// CameraPositions are the active camera position links of the monitor.
	// +listType=atomic
	// +optional
	CameraPositions []ObservedLink `json:"cameraPositions,omitempty"`
}

// PeopleCountMonitorStatus is the observed state of a PeopleCountMonitor.
type PeopleCountMonitorStatus struct {
	ManagedStatus `json:",inline"`
	// AtProvider holds read-only fields reported by HoxtonAi.
	// +optional
	AtProvider PeopleCountMonitorObservation `json:"atProvider,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=hoxton,shortName=hxpeoplecount
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="SYNCED",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="EXTERNAL-ID",type=string,JSONPath=`.status.externalID`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="REASON",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].reason`,priority=1
// +kubebuilder:printcolumn:name="CONNECTION",type=string,JSONPath=`.spec.connectionRef.name`,priority=1
// +kubebuilder:printcolumn:name="MESSAGE",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].message`,priority=1

// PeopleCountMonitor counts bi-directional traffic across a real-world line, fed by
// one or more camera positions.
type PeopleCountMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   PeopleCountMonitorSpec   `json:"spec"`
	Status PeopleCountMonitorStatus `json:"status,omitempty"`
}

// GetManagedSpec returns the spec fields every managed kind shares.
func (o *PeopleCountMonitor) GetManagedSpec() *ManagedSpec { return &o.Spec.ManagedSpec }

// GetManagedStatus returns the status fields every managed kind shares.
func (o *PeopleCountMonitor) GetManagedStatus() *ManagedStatus { return &o.Status.ManagedStatus }

// +kubebuilder:object:root=true

// PeopleCountMonitorList is a list of PeopleCountMonitors.
type PeopleCountMonitorList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []PeopleCountMonitor `json:"items"`
}

func init() {
	register(&PeopleCountMonitor{}, &PeopleCountMonitorList{})
}
