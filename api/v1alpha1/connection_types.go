package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Grant is the OAuth2 grant a Connection uses to obtain tokens.
// +kubebuilder:validation:Enum=ClientCredentials;Password;RefreshToken
type Grant string

const (
	// GrantClientCredentials uses the Secret keys clientID and clientSecret.
	GrantClientCredentials Grant = "ClientCredentials"
	// GrantPassword uses clientID, clientSecret, username and password.
	GrantPassword Grant = "Password"
	// GrantRefreshToken uses clientID, clientSecret and refreshToken; a refresh token
	// rotated by the authorization server is kept in the operator's token state
	// Secret, and copied into the Secret only with writeBackRefreshToken.
	GrantRefreshToken Grant = "RefreshToken"
)

// Keys read from a Connection's credentials Secret.
const (
	SecretKeyClientID     = "clientID"
	SecretKeyClientSecret = "clientSecret"
	SecretKeyUsername     = "username"
	SecretKeyPassword     = "password"
	SecretKeyRefreshToken = "refreshToken"
)

// RequestBudget bounds how fast all controllers together call the API through one
// Connection. A 429 or 503 with Retry-After from HoxtonAi pauses the whole budget.
// Drift checks (polls) use at most 70% of it, so that changes are not queued behind
// them.
type RequestBudget struct {
	// RequestsPerSecond is the sustained rate.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	// +kubebuilder:default=10
	// +optional
	RequestsPerSecond int32 `json:"requestsPerSecond,omitempty"`
	// Burst is how many requests may go at once after a quiet period.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	// +kubebuilder:default=20
	// +optional
	Burst int32 `json:"burst,omitempty"`
}

// ConnectionParameters are the settings Connection and ClusterConnection share.
// +kubebuilder:validation:XValidation:rule="(has(self.allowInsecureHTTP) && self.allowInsecureHTTP) || !has(self.apiURL) || self.apiURL.startsWith('https://')",message="apiURL must start with https:// (client credentials and tokens would travel in clear); set allowInsecureHTTP: true only for a local test API"
// +kubebuilder:validation:XValidation:rule="(has(self.allowInsecureHTTP) && self.allowInsecureHTTP) || !has(self.tokenURL) || self.tokenURL.startsWith('https://')",message="tokenURL must start with https:// (client credentials would travel in clear); set allowInsecureHTTP: true only for a local test API"
// +kubebuilder:validation:XValidation:rule="!has(self.apiURL) || (!self.apiURL.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?([:/?#]|$)') && !self.apiURL.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?((169[.]254[.][0-9.]*|100[.]100[.]100[.]200|192[.]0[.]0[.]192|metadata|metadata[.]google[.]internal|metadata[.]goog|instance-data|instance-data[.]ec2[.]internal)[.]?([:/?#]|$)|[[](fe[89ab][0-9a-f]*:|0*fd00:0*ec2:|[0:]*:ffff:|0*64:0*ff9b:|[^]]*[.%]))') && (!self.apiURL.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?([^[/?#:]*[.])?(0x[0-9a-f]*|[0-9]+)[.]?([:/?#]|$)') || self.apiURL.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.]){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])([:/?#]|$)')) && ((has(self.allowInsecureHTTP) && self.allowInsecureHTTP) || !self.apiURL.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?(localhost|[^[/?#:]*[.]localhost|127[.][0-9.]*|0[.][0-9.]*|[[][0:]*:0*1?[]])[.]?([:/?#]|$)')))",message="apiURL must not name a link-local or cloud metadata host (169.254.0.0/16, fe80::/10, fd00:ec2::254, metadata.google.internal, 100.100.100.200, ...) nor an IP address in an unusual notation, and names a loopback host (localhost, 127.0.0.0/8, ::1) only with allowInsecureHTTP: true, for a local test API"
// +kubebuilder:validation:XValidation:rule="!has(self.tokenURL) || (!self.tokenURL.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?([:/?#]|$)') && !self.tokenURL.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?((169[.]254[.][0-9.]*|100[.]100[.]100[.]200|192[.]0[.]0[.]192|metadata|metadata[.]google[.]internal|metadata[.]goog|instance-data|instance-data[.]ec2[.]internal)[.]?([:/?#]|$)|[[](fe[89ab][0-9a-f]*:|0*fd00:0*ec2:|[0:]*:ffff:|0*64:0*ff9b:|[^]]*[.%]))') && (!self.tokenURL.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?([^[/?#:]*[.])?(0x[0-9a-f]*|[0-9]+)[.]?([:/?#]|$)') || self.tokenURL.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.]){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])([:/?#]|$)')) && ((has(self.allowInsecureHTTP) && self.allowInsecureHTTP) || !self.tokenURL.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?(localhost|[^[/?#:]*[.]localhost|127[.][0-9.]*|0[.][0-9.]*|[[][0:]*:0*1?[]])[.]?([:/?#]|$)')))",message="tokenURL must not name a link-local or cloud metadata host (169.254.0.0/16, fe80::/10, fd00:ec2::254, metadata.google.internal, 100.100.100.200, ...) nor an IP address in an unusual notation, and names a loopback host (localhost, 127.0.0.0/8, ::1) only with allowInsecureHTTP: true, for a local test API"
// +kubebuilder:validation:XValidation:rule="!has(self.refreshURL) || (!self.refreshURL.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?([:/?#]|$)') && !self.refreshURL.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?((169[.]254[.][0-9.]*|100[.]100[.]100[.]200|192[.]0[.]0[.]192|metadata|metadata[.]google[.]internal|metadata[.]goog|instance-data|instance-data[.]ec2[.]internal)[.]?([:/?#]|$)|[[](fe[89ab][0-9a-f]*:|0*fd00:0*ec2:|[0:]*:ffff:|0*64:0*ff9b:|[^]]*[.%]))') && (!self.refreshURL.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?([^[/?#:]*[.])?(0x[0-9a-f]*|[0-9]+)[.]?([:/?#]|$)') || self.refreshURL.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.]){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])([:/?#]|$)')) && ((has(self.allowInsecureHTTP) && self.allowInsecureHTTP) || !self.refreshURL.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?(localhost|[^[/?#:]*[.]localhost|127[.][0-9.]*|0[.][0-9.]*|[[][0:]*:0*1?[]])[.]?([:/?#]|$)')))",message="refreshURL must not name a link-local or cloud metadata host (169.254.0.0/16, fe80::/10, fd00:ec2::254, metadata.google.internal, 100.100.100.200, ...) nor an IP address in an unusual notation, and names a loopback host (localhost, 127.0.0.0/8, ::1) only with allowInsecureHTTP: true, for a local test API"
// +kubebuilder:validation:XValidation:rule="!has(self.revocationURL) || (!self.revocationURL.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?([:/?#]|$)') && !self.revocationURL.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?((169[.]254[.][0-9.]*|100[.]100[.]100[.]200|192[.]0[.]0[.]192|metadata|metadata[.]google[.]internal|metadata[.]goog|instance-data|instance-data[.]ec2[.]internal)[.]?([:/?#]|$)|[[](fe[89ab][0-9a-f]*:|0*fd00:0*ec2:|[0:]*:ffff:|0*64:0*ff9b:|[^]]*[.%]))') && (!self.revocationURL.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?([^[/?#:]*[.])?(0x[0-9a-f]*|[0-9]+)[.]?([:/?#]|$)') || self.revocationURL.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.]){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])([:/?#]|$)')) && ((has(self.allowInsecureHTTP) && self.allowInsecureHTTP) || !self.revocationURL.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?(localhost|[^[/?#:]*[.]localhost|127[.][0-9.]*|0[.][0-9.]*|[[][0:]*:0*1?[]])[.]?([:/?#]|$)')))",message="revocationURL must not name a link-local or cloud metadata host (169.254.0.0/16, fe80::/10, fd00:ec2::254, metadata.google.internal, 100.100.100.200, ...) nor an IP address in an unusual notation, and names a loopback host (localhost, 127.0.0.0/8, ::1) only with allowInsecureHTTP: true, for a local test API"
// +kubebuilder:validation:XValidation:rule="(has(self.allowInsecureHTTP) && self.allowInsecureHTTP) || !has(self.refreshURL) || self.refreshURL.startsWith('https://')",message="refreshURL must start with https:// (tokens would travel in clear); set allowInsecureHTTP: true only for a local test API"
// +kubebuilder:validation:XValidation:rule="(has(self.allowInsecureHTTP) && self.allowInsecureHTTP) || !has(self.revocationURL) || self.revocationURL.startsWith('https://')",message="revocationURL must start with https:// (tokens would travel in clear); set allowInsecureHTTP: true only for a local test API"
// +kubebuilder:validation:XValidation:rule="!has(self.writeBackRefreshToken) || !self.writeBackRefreshToken || (has(self.grant) && self.grant == 'RefreshToken')",message="writeBackRefreshToken is only for grant RefreshToken"
type ConnectionParameters struct {
	// APIURL is the base URL of the HoxtonAi API.
	// +kubebuilder:default="https://hoxton.cloud/api/v0"
	// +kubebuilder:validation:Pattern=`^https?://`
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	APIURL string `json:"apiURL,omitempty"`

	// TokenURL is the OAuth2 token endpoint.
	// +kubebuilder:default="https://auth.hoxton.ai/oauth/token"
	// +kubebuilder:validation:Pattern=`^https?://`
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	TokenURL string `json:"tokenURL,omitempty"`

	// AllowInsecureHTTP allows http:// and loopback hosts (localhost, 127.0.0.0/8,
	// ::1) in apiURL, tokenURL, refreshURL and revocationURL. Only for a local test API
	// (the fake of `make demo` and the tests): over plain HTTP the client secret and
	// every token can be read and changed on the way. Link-local and cloud metadata
	// hosts (169.254.0.0/16, fd00:ec2::254, metadata.google.internal, ...) are refused
	// either way.
	// +optional
	AllowInsecureHTTP bool `json:"allowInsecureHTTP,omitempty"`

	// Audience is sent with every token request.
	// +kubebuilder:default="https://api.hoxton.cloud"
	// +optional
	Audience string `json:"audience,omitempty"`

	// OrganisationID is the HoxtonAi organisation the managed objects belong to.
	// +kubebuilder:validation:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +kubebuilder:validation:MaxLength=36
	OrganisationID string `json:"organisationID"`

	// Grant is the OAuth2 grant used to obtain tokens; it decides which Secret keys
	// are needed (see the Secret* key constants: clientID, clientSecret, username,
	// password, refreshToken).
	// +kubebuilder:default=ClientCredentials
	// +optional
	Grant Grant `json:"grant,omitempty"`

	// CABundle is a PEM bundle trusted for the API and token endpoints, in addition
	// to the system roots.
	// +optional
	CABundle string `json:"caBundle,omitempty"`

	// RequestBudget bounds the request rate through this Connection.
	// +optional
	RequestBudget *RequestBudget `json:"requestBudget,omitempty"`

	// UserRoles limits the Control Room roles that Users using this Connection may
	// grant. Default: member only.
	// +optional
	UserRoles *UserRolePolicy `json:"userRoles,omitempty"`

	// TokenDialect is the wire format of the token endpoint: Standard (HoxtonAi's
	// RFC 6749 endpoint), CAM2 or CamStreamer. See the README's "Token dialects".
	// +kubebuilder:default=Standard
	// +optional
	TokenDialect TokenDialect `json:"tokenDialect,omitempty"`

	// RefreshURL is CAM2's refresh endpoint. Default: the token URL's sibling
	// refresh_token/ (https://host/token/ gives https://host/refresh_token/).
	// +kubebuilder:validation:Pattern=`^https?://`
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	RefreshURL string `json:"refreshURL,omitempty"`

	// WriteBackRefreshToken copies each refresh token the authorization server
	// rotates into the credentials Secret (key refreshToken), grant RefreshToken
	// only. Off by default: the operator keeps the rotated token in its own token
	// state Secret and never relies on the copy, and a Secret that a GitOps tool
	// manages (Argo CD self-heal, Flux) would drift after every rotation and be
	// synced back. Turn it on where people or tools read the current refresh token
	// from the Secret.
	// +optional
	WriteBackRefreshToken bool `json:"writeBackRefreshToken,omitempty"`

	// RevocationURL is where the tokens of deleted or replaced credentials are
	// revoked: an RFC 7009 endpoint for Standard (no revocation when empty), the
	// revoke endpoint for CamStreamer. CAM2 has none.
	// +kubebuilder:validation:Pattern=`^https?://`
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	RevocationURL string `json:"revocationURL,omitempty"`
}

// UserRolePolicy says which roles Users using a Connection may grant. It is the
// administrator's: through a ClusterConnection, a tenant's User must not make anyone
// an admin of the organisation, nor change the roles of its admins.
type UserRolePolicy struct {
	// AllowPrivileged lets Users grant the roles admin and support, and take on or
	// change users who hold them. Default false: Users may grant member only, and a
	// user holding admin or support is left alone (Synced=False, Terminal).
	// +optional
	AllowPrivileged bool `json:"allowPrivileged,omitempty"`
}

// ConnectionStatus is what the operator reports about a Connection. It never holds a token.
type ConnectionStatus struct {
	// ObservedGeneration is the metadata.generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Conditions: Ready, with reasons such as SecretNotFound, SecretKeyMissing,
	// CredentialsRejected, TokenEndpointUnavailable, APIUnavailable and Available.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// TokenExpiresAt is when the current access token expires (the token itself is
	// never written anywhere).
	// +optional
	TokenExpiresAt *metav1.Time `json:"tokenExpiresAt,omitempty"`
	// OrganisationName is the name HoxtonAi reports for spec.organisationID.
	// +optional
	OrganisationName string `json:"organisationName,omitempty"`
	// Collections says, for each HoxtonAi collection whose objects this Connection
	// polls and which was listed at least once, how its polls are answered.
	// +listType=map
	// +listMapKey=name
	// +optional
	Collections []CollectionPolling `json:"collections,omitempty"`
}

// CollectionPolling says how the drift checks (polls) of one HoxtonAi collection are
// answered.
type CollectionPolling struct {
	// Name is the collection, as in the API's paths (sites, people-count-monitors, …).
	Name string `json:"name"`
	// Mode is Swept when one list of the organisation's objects answers the polls of
	// the collection's objects, and Polled when each object is read on its own: the
	// service refused to list the collection by organisation, or its list did not
	// hold what reading an object answers.
	// +kubebuilder:validation:Enum=Swept;Polled
	Mode string `json:"mode"`
}

// The modes of CollectionPolling.
const (
	CollectionSwept  = "Swept"
	CollectionPolled = "Polled"
)

// ConnectionSpec configures a namespaced Connection.
// +kubebuilder:validation:XValidation:rule="!has(self.refreshURL) || self.tokenDialect == 'CAM2'",message="refreshURL is only for tokenDialect CAM2"
// +kubebuilder:validation:XValidation:rule="!has(self.revocationURL) || self.tokenDialect != 'CAM2'",message="tokenDialect CAM2 has no revocation endpoint"
// +kubebuilder:validation:XValidation:rule="self.tokenDialect != 'CAM2' || self.grant == 'ClientCredentials'",message="tokenDialect CAM2 supports only grant ClientCredentials"
// +kubebuilder:validation:XValidation:rule="self.tokenDialect != 'CamStreamer' || self.grant == 'RefreshToken'",message="tokenDialect CamStreamer supports only grant RefreshToken"
type ConnectionSpec struct {
	ConnectionParameters `json:",inline"`
	// CredentialsSecretRef names a Secret in the Connection's own namespace holding
	// the keys the grant needs. A Connection can never read another namespace's Secret.
	CredentialsSecretRef LocalReference `json:"credentialsSecretRef"`
}

// ClusterConnectionSpec configures a cluster-scoped ClusterConnection.
// +kubebuilder:validation:XValidation:rule="!has(self.refreshURL) || self.tokenDialect == 'CAM2'",message="refreshURL is only for tokenDialect CAM2"
// +kubebuilder:validation:XValidation:rule="!has(self.revocationURL) || self.tokenDialect != 'CAM2'",message="tokenDialect CAM2 has no revocation endpoint"
// +kubebuilder:validation:XValidation:rule="self.tokenDialect != 'CAM2' || self.grant == 'ClientCredentials'",message="tokenDialect CAM2 supports only grant ClientCredentials"
// +kubebuilder:validation:XValidation:rule="self.tokenDialect != 'CamStreamer' || self.grant == 'RefreshToken'",message="tokenDialect CamStreamer supports only grant RefreshToken"
type ClusterConnectionSpec struct {
	ConnectionParameters `json:",inline"`
	// CredentialsSecretRef names the Secret, which lives in the operator's namespace
	// (the manager's --cluster-resource-namespace).
	CredentialsSecretRef ClusterSecretReference `json:"credentialsSecretRef"`
	// Conditions say which namespaces may use this ClusterConnection: a namespace is
	// admitted when any condition matches it. An empty list admits no namespace, so
	// a ClusterConnection serves no tenant until an administrator says which.
	// +kubebuilder:validation:MaxItems=64
	// +listType=atomic
	// +optional
	Conditions []ClusterConnectionCondition `json:"conditions,omitempty"`
}

// ClusterConnectionCondition admits the namespaces it lists or whose labels match
// its selector.
// +kubebuilder:validation:XValidation:rule="has(self.namespaces) || has(self.namespaceSelector)",message="a condition needs namespaces or a namespaceSelector"
type ClusterConnectionCondition struct {
	// Namespaces admitted by name.
	// +kubebuilder:validation:MaxItems=256
	// +kubebuilder:validation:items:MaxLength=63
	// +listType=set
	// +optional
	Namespaces []string `json:"namespaces,omitempty"`
	// NamespaceSelector admits the namespaces whose labels match. An empty selector
	// ({}) matches every namespace.
	// +optional
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector,omitempty"`
}

// ClusterSecretReference names a Secret of the operator's namespace.
type ClusterSecretReference struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`
	// Namespace of the Secret. Leave it out: the Secret is read from the operator's
	// namespace. It is kept so that existing ClusterConnections that name the
	// operator's namespace stay valid; any other namespace is refused (Ready=False,
	// InvalidConfiguration), since a ClusterConnection must not read a tenant's Secret.
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=hoxton,shortName=hxconn
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="REASON",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="ORGANISATION",type=string,JSONPath=`.status.organisationName`
// +kubebuilder:printcolumn:name="TOKEN-EXPIRES",type=string,JSONPath=`.status.tokenExpiresAt`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="MESSAGE",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].message`,priority=1

// Connection holds the HoxtonAi credentials managed objects of its namespace act with.
type Connection struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ConnectionSpec   `json:"spec"`
	Status ConnectionStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ConnectionList is a list of Connections.
type ConnectionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Connection `json:"items"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,categories=hoxton,shortName=hxcconn
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="REASON",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="ORGANISATION",type=string,JSONPath=`.status.organisationName`
// +kubebuilder:printcolumn:name="TOKEN-EXPIRES",type=string,JSONPath=`.status.tokenExpiresAt`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="MESSAGE",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].message`,priority=1

// ClusterConnection holds HoxtonAi credentials usable from every namespace.
type ClusterConnection struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ClusterConnectionSpec `json:"spec"`
	Status ConnectionStatus      `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ClusterConnectionList is a list of ClusterConnections.
type ClusterConnectionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ClusterConnection `json:"items"`
}

func init() {
	register(&Connection{}, &ConnectionList{}, &ClusterConnection{}, &ClusterConnectionList{})
}
