package v1alpha1

// StringIDManagedSpec is ManagedSpec for kinds whose HoxtonAi ids are not uuids (users,
// whose ids an identity provider chooses, and OAuth clients): the same fields, the same
// rules, except that spec.externalID is a plain string. The two structs have identical
// fields, so (*ManagedSpec)(&spec) converts one into the other and the one reconciler
// serves both; a field added to one and not the other stops that conversion compiling.
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.externalID) || has(self.externalID)",message="externalID cannot be removed once set: the object would go on managing the adopted HoxtonAi object under another id; delete it with deletionPolicy Orphan instead"
type StringIDManagedSpec struct {
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

	// ExternalID adopts an existing HoxtonAi object with this id instead of creating one:
	// a string chosen by HoxtonAi (not a uuid for this kind). It can be set once, at
	// creation, and neither changed nor removed afterwards.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:Pattern=`^[^\s/?#%]+$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="externalID is immutable: delete the object with deletionPolicy Orphan and create a new one to adopt another HoxtonAi object"
	// +optional
	ExternalID string `json:"externalID,omitempty"`
}

// Managed returns the spec as the ManagedSpec the reconciler works with: the same
// memory, so that defaults and changes are shared.
func (s *StringIDManagedSpec) Managed() *ManagedSpec { return (*ManagedSpec)(s) }
