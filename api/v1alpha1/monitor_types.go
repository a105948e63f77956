package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// OccupancyMonitorSpec is the desired state of a HoxtonAi occupancy monitor: a live
// in-minus-out count of a space.
type OccupancyMonitorSpec struct {
	ManagedSpec     `json:",inline"`
	SiteParent      `json:",inline"`
	ReportingWindow `json:",inline"`

	// Name of the monitor as shown in the Control Room.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	Name string `json:"name"`

	// DailyResetMin is the minute of the day (0-1440) at which the count resets to 0.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1440
	// +optional
	DailyResetMin *int32 `json:"dailyResetMin,omitempty"`

	// CameraPositions feed the monitor. An occupancy monitor's direction 1 is "in" and
	// its direction 2 "out": direction1Maps says which monitor direction the camera's
	// direction 1 counts towards (direction1, the default, counts it as in).
	// +optional
	CameraPositions MonitorCameraPositions `json:"cameraPositions,omitempty"`
}

// PeelOffMonitorSpec is the desired state of a HoxtonAi peel-off monitor.
type PeelOffMonitorSpec struct {
	ManagedSpec     `json:",inline"`
	SiteParent      `json:",inline"`
	ReportingWindow `json:",inline"`

	// Name of the monitor as shown in the Control Room.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	Name string `json:"name"`

	// CameraPositions feed the monitor, with the direction mapping of each.
	// +optional
	CameraPositions MonitorCameraPositions `json:"cameraPositions,omitempty"`
}

// MonitorObservation is what HoxtonAi reports about an occupancy or peel-off monitor.
type MonitorObservation struct {
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

// MonitorStatus is the observed state of an occupancy or peel-off monitor.
type MonitorStatus struct {
	ManagedStatus `json:",inline"`
	// AtProvider holds read-only fields reported by HoxtonAi.
	// +optional
	AtProvider MonitorObservation `json:"atProvider,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=hoxton,shortName=hxoccupancy
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="SYNCED",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="EXTERNAL-ID",type=string,JSONPath=`.status.externalID`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="REASON",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].reason`,priority=1
// +kubebuilder:printcolumn:name="CONNECTION",type=string,JSONPath=`.spec.connectionRef.name`,priority=1
// +kubebuilder:printcolumn:name="MESSAGE",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].message`,priority=1

// OccupancyMonitor keeps a live in-minus-out count for a space, fed by one or more
// camera positions.
type OccupancyMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   OccupancyMonitorSpec `json:"spec"`
	Status MonitorStatus        `json:"status,omitempty"`
}

// GetManagedSpec returns the spec fields every managed kind shares.
func (o *OccupancyMonitor) GetManagedSpec() *ManagedSpec { return &o.Spec.ManagedSpec }

// GetManagedStatus returns the status fields every managed kind shares.
func (o *OccupancyMonitor) GetManagedStatus() *ManagedStatus { return &o.Status.ManagedStatus }

// +kubebuilder:object:root=true

// OccupancyMonitorList is a list of OccupancyMonitors.
type OccupancyMonitorList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []OccupancyMonitor `json:"items"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=hoxton,shortName=hxpeeloff
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="SYNCED",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="EXTERNAL-ID",type=string,JSONPath=`.status.externalID`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="REASON",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].reason`,priority=1
// +kubebuilder:printcolumn:name="CONNECTION",type=string,JSONPath=`.spec.connectionRef.name`,priority=1
// +kubebuilder:printcolumn:name="MESSAGE",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].message`,priority=1

// PeelOffMonitor is a HoxtonAi peel-off monitor of a site, fed by camera positions.
type PeelOffMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   PeelOffMonitorSpec `json:"spec"`
	Status MonitorStatus      `json:"status,omitempty"`
}

// GetManagedSpec returns the spec fields every managed kind shares.
func (o *PeelOffMonitor) GetManagedSpec() *ManagedSpec { return &o.Spec.ManagedSpec }

// GetManagedStatus returns the status fields every managed kind shares.
func (o *PeelOffMonitor) GetManagedStatus() *ManagedStatus { return &o.Status.ManagedStatus }

// +kubebuilder:object:root=true

// PeelOffMonitorList is a list of PeelOffMonitors.
type PeelOffMonitorList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []PeelOffMonitor `json:"items"`
}

func init() {
	register(&OccupancyMonitor{}, &OccupancyMonitorList{}, &PeelOffMonitor{}, &PeelOffMonitorList{})
}
