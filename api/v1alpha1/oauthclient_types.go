package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AnnotationRotateSecret set (or changed) to a new value, by convention the time of the
// request (kubectl annotate --overwrite oauthclient/x hoxtonai.dev/rotate-secret=$(date
// -u +%FT%TZ)), rotates the client secret once.
const AnnotationRotateSecret = "hoxtonai.dev/rotate-secret"

// GrantType is an OAuth grant a client may use.
// +kubebuilder:validation:Enum=authorization_code;client_credentials;password;refresh_token
type GrantType string

// OAuthClientSpec is the desired state of a HoxtonAi OAuth client.
// +kubebuilder:validation:XValidation:rule="!has(self.callbacks) || size(self.callbacks) == 0 || self.grantTypes.exists(g, g == 'authorization_code')",message="callbacks are the redirect URLs of the authorization_code grant: add it to grantTypes, or remove them"
// +kubebuilder:validation:XValidation:rule="!has(self.externalID) || (has(self.adoptExisting) && self.adoptExisting) || (has(self.managementPolicy) && self.managementPolicy == 'ObserveOnly')",message="externalID with managementPolicy Manage takes over an OAuth client created outside this object: set adoptExisting: true to confirm (deleting this object then deletes the client, unless deletionPolicy is Orphan)"
type OAuthClientSpec struct {
	StringIDManagedSpec `json:",inline"`

	// AdoptExisting confirms that spec.externalID names an OAuth client created outside
	// this object, which this object then manages (and deletes, unless deletionPolicy is
	// Orphan). Required with spec.externalID unless managementPolicy is ObserveOnly
	// (observing writes nothing). The adopted client's secret is not known
	// to the operator and is not rotated on adoption: the Secret receives one only when
	// the hoxtonai.dev/rotate-secret annotation asks for a rotation. A client whose id
	// a Connection or ClusterConnection uses is never adopted.
	// +optional
	AdoptExisting bool `json:"adoptExisting,omitempty"`

	// Name of the client as shown in the Control Room. Clients are never found or
	// adopted by their name.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	Name string `json:"name"`

	// GrantTypes the client may use.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=4
	// +listType=set
	GrantTypes []GrantType `json:"grantTypes"`

	// Callbacks are the redirect URLs allowed in the authorization code flow.
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:Pattern=`^https?://[^\s#]+$`
	// +kubebuilder:validation:items:MaxLength=2048
	// +listType=set
	// +optional
	Callbacks []string `json:"callbacks,omitempty"`

	// WriteCredentialsToSecretRef names the Secret (same namespace) the operator writes
	// the client's credentials into, under the keys a Connection's Secret uses
	// (clientID, clientSecret), so that a Connection can use the client as it is. The
	// operator creates the Secret; one it did not create is never overwritten.
	// +kubebuilder:validation:XValidation:rule="self.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')",message="name must be a valid Secret name (a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)"
	WriteCredentialsToSecretRef LocalReference `json:"writeCredentialsToSecretRef"`

	// RotateEvery rotates the client secret on a schedule, e.g. "720h"; checked at each
	// poll, so a rotation happens up to one poll interval late. At least 1h.
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1h')",message="rotateEvery must be at least 1h"
	// +optional
	RotateEvery *metav1.Duration `json:"rotateEvery,omitempty"`
}

// OAuthClientCredentials records the secret's delivery, never the secret itself.
type OAuthClientCredentials struct {
	// SecretName is the Secret the credentials were last written to.
	// +optional
	SecretName string `json:"secretName,omitempty"`
	// IssuedAt is when the secret now in the Secret was issued (created or rotated).
	// +optional
	IssuedAt *metav1.Time `json:"issuedAt,omitempty"`
	// RotationRequest is the value of the hoxtonai.dev/rotate-secret annotation the
	// last rotation answered.
	// +optional
	RotationRequest string `json:"rotationRequest,omitempty"`
}

// OAuthClientStatus is the observed state of an OAuthClient.
type OAuthClientStatus struct {
	ManagedStatus `json:",inline"`
	// Credentials says where the secret was delivered and when it was issued.
	// +optional
	Credentials OAuthClientCredentials `json:"credentials,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=hoxton,shortName=hxoauth
// +kubebuilder:printcolumn:name="GRANTS",type=string,JSONPath=`.spec.grantTypes`
// +kubebuilder:printcolumn:name="SECRET",type=string,JSONPath=`.status.credentials.secretName`
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="SYNCED",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="EXTERNAL-ID",type=string,JSONPath=`.status.externalID`
// +kubebuilder:printcolumn:name="ISSUED",type=date,JSONPath=`.status.credentials.issuedAt`,priority=1
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="REASON",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].reason`,priority=1
// +kubebuilder:printcolumn:name="CONNECTION",type=string,JSONPath=`.spec.connectionRef.name`,priority=1
// +kubebuilder:printcolumn:name="MESSAGE",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].message`,priority=1

// OAuthClient is a HoxtonAi OAuth client, whose generated secret the operator
// delivers into a Kubernetes Secret (and rotates on demand or on a schedule).
type OAuthClient struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   OAuthClientSpec   `json:"spec"`
	Status OAuthClientStatus `json:"status,omitempty"`
}

// GetManagedSpec returns the spec fields every managed kind shares.
func (o *OAuthClient) GetManagedSpec() *ManagedSpec { return o.Spec.Managed() }

// GetManagedStatus returns the status fields every managed kind shares.
func (o *OAuthClient) GetManagedStatus() *ManagedStatus { return &o.Status.ManagedStatus }

// +kubebuilder:object:root=true

// OAuthClientList is a list of OAuthClients.
type OAuthClientList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []OAuthClient `json:"items"`
}

func init() {
	register(&OAuthClient{}, &OAuthClientList{})
}
