package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// ConnectionKind names the kind of Connection a managed object uses.
// +kubebuilder:validation:Enum=Connection;ClusterConnection
type ConnectionKind string

const (
	// ConnectionKindNamespaced is a Connection in the managed object's namespace.
	ConnectionKindNamespaced ConnectionKind = "Connection"
	// ConnectionKindCluster is a cluster-scoped ClusterConnection.
	ConnectionKindCluster ConnectionKind = "ClusterConnection"

	// DefaultConnectionName is the Connection used when spec.connectionRef is omitted.
	DefaultConnectionName = "default"
)

// ConnectionReference points a managed object at the credentials it acts with.
type ConnectionReference struct {
	// Kind is Connection (same namespace, the default) or ClusterConnection.
	// +kubebuilder:default=Connection
	// +optional
	Kind ConnectionKind `json:"kind,omitempty"`
	// Name of the Connection or ClusterConnection.
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`
}

// DeletionPolicy says what happens in HoxtonAi when the Kubernetes object is deleted.
// +kubebuilder:validation:Enum=Delete;Orphan
type DeletionPolicy string

const (
	// DeletionPolicyDelete deletes (soft-deletes) the HoxtonAi object.
	DeletionPolicyDelete DeletionPolicy = "Delete"
	// DeletionPolicyOrphan leaves the HoxtonAi object as it is.
	DeletionPolicyOrphan DeletionPolicy = "Orphan"
)

// ManagementPolicy says whether the operator may write to HoxtonAi.
// +kubebuilder:validation:Enum=Manage;ObserveOnly
type ManagementPolicy string

const (
	// ManagementPolicyManage creates, updates and deletes the HoxtonAi object.
	ManagementPolicyManage ManagementPolicy = "Manage"
	// ManagementPolicyObserveOnly only reads it and reports drift; it never writes.
	ManagementPolicyObserveOnly ManagementPolicy = "ObserveOnly"
)

// LocalReference names another object of the same namespace.
type LocalReference struct {
	// Name of the referenced object.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// ManagedSpec is the part of the spec every managed kind shares.
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.externalID) || has(self.externalID)",message="externalID cannot be removed once set: the object would go on managing the adopted HoxtonAi object under another id; delete it with deletionPolicy Orphan instead"
type ManagedSpec struct {
	// ConnectionRef selects the credentials. Default: the Connection named "default"
	// in the object's namespace.
	// +optional
	ConnectionRef *ConnectionReference `json:"connectionRef,omitempty"`

	// DeletionPolicy: Delete (default) deletes the HoxtonAi object with the Kubernetes
	// object; Orphan leaves it in HoxtonAi.
	// +kubebuilder:default=Delete
	// +optional
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`

	// ManagementPolicy: Manage (default) makes HoxtonAi match the spec; ObserveOnly only
	// reads the object and reports differences, never writing to HoxtonAi.
	// +kubebuilder:default=Manage
	// +optional
	ManagementPolicy ManagementPolicy `json:"managementPolicy,omitempty"`

	// ExternalID adopts an existing HoxtonAi object with this id instead of creating one.
	// It can be set once, at creation, and neither changed nor removed afterwards;
	// adding it to an object that already manages another HoxtonAi object is refused.
	// +kubebuilder:validation:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +kubebuilder:validation:MaxLength=36
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="externalID is immutable: delete the object with deletionPolicy Orphan and create a new one to adopt another HoxtonAi object"
	// +optional
	ExternalID string `json:"externalID,omitempty"`
}

// ManagedStatus is the part of the status every managed kind shares.
type ManagedStatus struct {
	// ExternalID is the id of the HoxtonAi object this object manages.
	// +optional
	ExternalID string `json:"externalID,omitempty"`

	// ObservedGeneration is the metadata.generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Ready (the HoxtonAi object exists and is usable) and Synced (the last
	// reconcile succeeded), each with its own observedGeneration.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// GetConnectionRef returns the connection reference with its default applied.
func (s *ManagedSpec) GetConnectionRef() ConnectionReference {
	if s.ConnectionRef == nil {
		return ConnectionReference{Kind: ConnectionKindNamespaced, Name: DefaultConnectionName}
	}
	ref := *s.ConnectionRef
	if ref.Kind == "" {
		ref.Kind = ConnectionKindNamespaced
	}
	return ref
}

// SiteParent is the site a monitor belongs to: a Site of the namespace, or the id of a
// site not managed here.
// +kubebuilder:validation:XValidation:rule="has(self.siteRef) != has(self.siteID)",message="set exactly one of siteRef and siteID"
type SiteParent struct {
	// SiteRef names the Site (same namespace) the object belongs to.
	// +optional
	SiteRef *LocalReference `json:"siteRef,omitempty"`

	// SiteID is the HoxtonAi id of the site, for sites not managed here.
	// +kubebuilder:validation:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +kubebuilder:validation:MaxLength=36
	// +optional
	SiteID string `json:"siteID,omitempty"`
}

// ReportingWindow is the span of days a monitor reports on.
// +kubebuilder:validation:XValidation:rule="!has(self.reportingStartDate) || !has(self.reportingEndDate) || self.reportingStartDate <= self.reportingEndDate",message="reportingEndDate must not be before reportingStartDate"
type ReportingWindow struct {
	// ReportingStartDate is the first day reported on (YYYY-MM-DD).
	// +kubebuilder:validation:Format=date
	// +optional
	ReportingStartDate string `json:"reportingStartDate,omitempty"`

	// ReportingEndDate is the last day reported on (YYYY-MM-DD).
	// +kubebuilder:validation:Format=date
	// +optional
	ReportingEndDate string `json:"reportingEndDate,omitempty"`
}

// ObservedLink is one link object of a managed object as HoxtonAi reports it: a camera
// position feeding a monitor, a group an alert notifies.
type ObservedLink struct {
	// ID of the link object in HoxtonAi.
	ID string `json:"id"`
	// TargetID is the id of what the link joins the object to.
	TargetID string `json:"targetID"`
}
