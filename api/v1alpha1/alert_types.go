package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// AlertType is the kind of an alert.
// +kubebuilder:validation:Enum=offline_alert;occupancy_alert;camera_health_summary_alert;people_count
type AlertType string

// The alert types of the contract.
const (
	AlertTypeOffline             AlertType = "offline_alert"
	AlertTypeOccupancy           AlertType = "occupancy_alert"
	AlertTypeCameraHealthSummary AlertType = "camera_health_summary_alert"
	AlertTypePeopleCount         AlertType = "people_count"
)

// AlertSpec is the desired state of a HoxtonAi alert.
// +kubebuilder:validation:XValidation:rule="!(has(self.siteRef) && has(self.siteID))",message="set at most one of siteRef and siteID"
// +kubebuilder:validation:XValidation:rule="self.alertType != 'occupancy_alert' || (has(self.occupancyMonitorRefs) && size(self.occupancyMonitorRefs) > 0) || (has(self.occupancyMonitorIDs) && size(self.occupancyMonitorIDs) > 0)",message="an occupancy_alert watches occupancy monitors: set occupancyMonitorRefs or occupancyMonitorIDs"
// +kubebuilder:validation:XValidation:rule="self.alertType == 'occupancy_alert' || ((!has(self.occupancyMonitorRefs) || size(self.occupancyMonitorRefs) == 0) && (!has(self.occupancyMonitorIDs) || size(self.occupancyMonitorIDs) == 0))",message="only an occupancy_alert watches occupancy monitors"
// +kubebuilder:validation:XValidation:rule="self.alertType != 'people_count' || has(self.peopleCountMonitorRef) != has(self.peopleCountMonitorID)",message="a people_count alert names its monitor: set exactly one of peopleCountMonitorRef and peopleCountMonitorID"
// +kubebuilder:validation:XValidation:rule="self.alertType == 'people_count' || (!has(self.peopleCountMonitorRef) && !has(self.peopleCountMonitorID))",message="only a people_count alert names a people count monitor"
// +kubebuilder:validation:XValidation:rule="(has(self.emails) && size(self.emails) > 0) || has(self.webhook) || (has(self.notificationGroupRefs) && size(self.notificationGroupRefs) > 0) || (has(self.notificationGroupIDs) && size(self.notificationGroupIDs) > 0)",message="an alert needs a recipient: set emails, webhook, notificationGroupRefs or notificationGroupIDs"
type AlertSpec struct {
	ManagedSpec `json:",inline"`
	Recipients  `json:",inline"`

	// AlertType is offline_alert, occupancy_alert, camera_health_summary_alert or
	// people_count. It cannot change: it decides which settings apply.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="alertType is immutable: create another Alert"
	AlertType AlertType `json:"alertType"`

	// Name of the alert as shown in the Control Room.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	Name string `json:"name"`

	// SiteRef names the Site (same namespace) the alert is scoped to; an alert with
	// neither siteRef nor siteID covers the whole organisation.
	// +optional
	SiteRef *LocalReference `json:"siteRef,omitempty"`

	// SiteID is the HoxtonAi id of the site, for sites not managed here.
	// +kubebuilder:validation:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +optional
	SiteID string `json:"siteID,omitempty"`

	// NotificationGroupRefs name NotificationGroups (same namespace) that receive the
	// alert; each is linked once it is Ready.
	// +kubebuilder:validation:MaxItems=64
	// +listType=map
	// +listMapKey=name
	// +optional
	NotificationGroupRefs []LocalReference `json:"notificationGroupRefs,omitempty"`

	// NotificationGroupIDs are HoxtonAi ids of groups not managed here.
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +listType=set
	// +optional
	NotificationGroupIDs []string `json:"notificationGroupIDs,omitempty"`

	// CameraRefs name Cameras (same namespace) the alert watches, by their camera
	// positions.
	// +kubebuilder:validation:MaxItems=256
	// +listType=map
	// +listMapKey=name
	// +optional
	CameraRefs []LocalReference `json:"cameraRefs,omitempty"`

	// CameraPositionIDs are HoxtonAi camera position ids of cameras not managed here.
	// +kubebuilder:validation:MaxItems=256
	// +kubebuilder:validation:items:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +listType=set
	// +optional
	CameraPositionIDs []string `json:"cameraPositionIDs,omitempty"`

	// OccupancyMonitorRefs name OccupancyMonitors (same namespace) an occupancy_alert
	// watches.
	// +kubebuilder:validation:MaxItems=64
	// +listType=map
	// +listMapKey=name
	// +optional
	OccupancyMonitorRefs []LocalReference `json:"occupancyMonitorRefs,omitempty"`

	// OccupancyMonitorIDs are HoxtonAi ids of occupancy monitors not managed here.
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +listType=set
	// +optional
	OccupancyMonitorIDs []string `json:"occupancyMonitorIDs,omitempty"`

	// PeopleCountMonitorRef names the PeopleCountMonitor (same namespace) a
	// people_count alert counts with. It is sent as configurationDetails.peopleCountMonitorId
	// (Assumption A9).
	// +optional
	PeopleCountMonitorRef *LocalReference `json:"peopleCountMonitorRef,omitempty"`

	// PeopleCountMonitorID is the HoxtonAi id of a people count monitor not managed here.
	// +kubebuilder:validation:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +optional
	PeopleCountMonitorID string `json:"peopleCountMonitorID,omitempty"`

	// ConfigurationDetails are the type's other settings (thresholds and the like),
	// passed to HoxtonAi as they are: the API does not document their shape. The
	// people count monitor is set from peopleCountMonitorRef/ID, not here: the
	// reconciler refuses it here (CEL cannot see fields the schema leaves unknown).
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Type=object
	// +optional
	ConfigurationDetails *runtime.RawExtension `json:"configurationDetails,omitempty"`
}

// AlertObservation is what HoxtonAi reports about the alert.
type AlertObservation struct {
	// State is active or deleted.
	// +optional
	State string `json:"state,omitempty"`
	// NotificationGroups are the active links to the groups the alert notifies.
	// +listType=atomic
	// +optional
	NotificationGroups []ObservedLink `json:"notificationGroups,omitempty"`
	// Cameras are the active links to the camera positions the alert watches.
	// +listType=atomic
	// +optional
	Cameras []ObservedLink `json:"cameras,omitempty"`
	// OccupancyMonitors are the active links to the occupancy monitors it watches.
	// +listType=atomic
	// +optional
	OccupancyMonitors []ObservedLink `json:"occupancyMonitors,omitempty"`
}

// AlertStatus is the observed state of an Alert.
type AlertStatus struct {
	ManagedStatus `json:",inline"`
	// AtProvider holds read-only fields reported by HoxtonAi.
	// +optional
	AtProvider AlertObservation `json:"atProvider,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=hoxton,shortName=hxalert
// +kubebuilder:printcolumn:name="TYPE",type=string,JSONPath=`.spec.alertType`
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="SYNCED",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="EXTERNAL-ID",type=string,JSONPath=`.status.externalID`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="REASON",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].reason`,priority=1
// +kubebuilder:printcolumn:name="CONNECTION",type=string,JSONPath=`.spec.connectionRef.name`,priority=1
// +kubebuilder:printcolumn:name="MESSAGE",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].message`,priority=1

// Alert is a HoxtonAi alert: offline cameras, occupancy thresholds, a camera health
// summary or people counts, delivered to e-mails, a webhook and notification groups.
type Alert struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   AlertSpec   `json:"spec"`
	Status AlertStatus `json:"status,omitempty"`
}

// GetManagedSpec returns the spec fields every managed kind shares.
func (o *Alert) GetManagedSpec() *ManagedSpec { return &o.Spec.ManagedSpec }

// GetManagedStatus returns the status fields every managed kind shares.
func (o *Alert) GetManagedStatus() *ManagedStatus { return &o.Status.ManagedStatus }

// +kubebuilder:object:root=true

// AlertList is a list of Alerts.
type AlertList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Alert `json:"items"`
}

func init() {
	register(&Alert{}, &AlertList{})
}
