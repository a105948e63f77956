package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// UserRole is a Control Room role.
// +kubebuilder:validation:Enum=member;admin;support
type UserRole string

// The user roles of the contract.
const (
	UserRoleMember  UserRole = "member"
	UserRoleAdmin   UserRole = "admin"
	UserRoleSupport UserRole = "support"
)

// UserSpec is the desired state of a HoxtonAi (Control Room) user.
// +kubebuilder:validation:XValidation:rule="((!has(self.siteRefs) || size(self.siteRefs) == 0) && (!has(self.siteIDs) || size(self.siteIDs) == 0)) || self.roles.exists(r, r == 'member')",message="siteRefs and siteIDs are the sites a member may see: add the role member, or remove them (an admin sees every site)"
type UserSpec struct {
	StringIDManagedSpec `json:",inline"`

	// Email is the user's sign-in address, unique in the organisation. A user this
	// object created just before a crash is found again by it; a user the organisation
	// already has with this address is taken on only with adoptExisting.
	Email EmailAddress `json:"email"`

	// AdoptExisting takes on the Control Room user that already has this e-mail
	// address (compared without case) and makes it match the spec. Without it, such a
	// user is reported (Synced=False, Terminal) and left alone: another person's
	// account, an organisation's admin, must not change hands by a matching address.
	// A user holding admin or support is adopted only through a Connection whose
	// spec.userRoles.allowPrivileged is true.
	// +optional
	AdoptExisting bool `json:"adoptExisting,omitempty"`

	// FirstName of the user.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	FirstName string `json:"firstName"`

	// LastName of the user.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	LastName string `json:"lastName"`

	// Roles: member (sees the sites listed here), admin (sees every site), support.
	// admin and support need the Connection's spec.userRoles.allowPrivileged.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=3
	// +listType=set
	Roles []UserRole `json:"roles"`

	// SiteRefs name the Sites (same namespace) a member may see; the user is written
	// once they are all Ready.
	// +kubebuilder:validation:MaxItems=256
	// +listType=map
	// +listMapKey=name
	// +optional
	SiteRefs []LocalReference `json:"siteRefs,omitempty"`

	// SiteIDs are HoxtonAi ids of sites not managed here that a member may see.
	// +kubebuilder:validation:MaxItems=256
	// +kubebuilder:validation:items:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +listType=set
	// +optional
	SiteIDs []string `json:"siteIDs,omitempty"`
}

// UserObservation is what HoxtonAi reports about the user.
type UserObservation struct {
	// Name is the display name HoxtonAi derives.
	// +optional
	Name string `json:"name,omitempty"`
	// OrganisationName is the name of the user's organisation.
	// +optional
	OrganisationName string `json:"organisationName,omitempty"`
}

// UserStatus is the observed state of a User.
type UserStatus struct {
	ManagedStatus `json:",inline"`
	// AtProvider holds read-only fields reported by HoxtonAi.
	// +optional
	AtProvider UserObservation `json:"atProvider,omitempty"`
	// CreateRequestedFor is the e-mail address of the user this object asked HoxtonAi
	// to create while it had no user yet, recorded before the request: after a crash
	// that lost the answer, the user with this address is this object's own and is
	// found without adoptExisting. Cleared once the user's id is recorded.
	// +optional
	CreateRequestedFor string `json:"createRequestedFor,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=hoxton,shortName=hxuser
// +kubebuilder:printcolumn:name="EMAIL",type=string,JSONPath=`.spec.email`
// +kubebuilder:printcolumn:name="ROLES",type=string,JSONPath=`.spec.roles`
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="SYNCED",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="EXTERNAL-ID",type=string,JSONPath=`.status.externalID`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="REASON",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].reason`,priority=1
// +kubebuilder:printcolumn:name="CONNECTION",type=string,JSONPath=`.spec.connectionRef.name`,priority=1
// +kubebuilder:printcolumn:name="MESSAGE",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].message`,priority=1

// User is a HoxtonAi Control Room user: who signs in, with which roles, seeing which
// sites. The API has no user delete: deleting a User with deletionPolicy Delete takes
// the user's roles and sites away; Orphan leaves the user as it is.
type User struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   UserSpec   `json:"spec"`
	Status UserStatus `json:"status,omitempty"`
}

// GetManagedSpec returns the spec fields every managed kind shares.
func (o *User) GetManagedSpec() *ManagedSpec { return o.Spec.Managed() }

// GetManagedStatus returns the status fields every managed kind shares.
func (o *User) GetManagedStatus() *ManagedStatus { return &o.Status.ManagedStatus }

// +kubebuilder:object:root=true

// UserList is a list of Users.
type UserList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []User `json:"items"`
}

func init() {
	register(&User{}, &UserList{})
}
