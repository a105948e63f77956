package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// EmailAddress is one e-mail recipient.
// +kubebuilder:validation:Format=email
// +kubebuilder:validation:MaxLength=254
type EmailAddress string

// SecretKeySelector names one key of a Secret of the object's namespace.
type SecretKeySelector struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
	// Key of the value in the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Key string `json:"key"`
}

// Webhook is where HoxtonAi posts notifications. Its URL often carries a token, so it
// can come from a Secret; either way it never appears in status, events or logs.
// +kubebuilder:validation:XValidation:rule="has(self.url) != has(self.urlSecretRef)",message="set exactly one of url and urlSecretRef"
type Webhook struct {
	// URL to post to: https, and not a loopback, link-local or cloud metadata host
	// (the same rules apply to a URL read from urlSecretRef, before any write).
	// +kubebuilder:validation:Pattern=`^https://`
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="!self.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?([:/?#]|$)') && !self.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?((169[.]254[.][0-9.]*|100[.]100[.]100[.]200|192[.]0[.]0[.]192|metadata|metadata[.]google[.]internal|metadata[.]goog|instance-data|instance-data[.]ec2[.]internal)[.]?([:/?#]|$)|[[](fe[89ab][0-9a-f]*:|0*fd00:0*ec2:|[0:]*:ffff:|0*64:0*ff9b:|[^]]*[.%]))') && (!self.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?([^[/?#:]*[.])?(0x[0-9a-f]*|[0-9]+)[.]?([:/?#]|$)') || self.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.]){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])([:/?#]|$)')) && !self.matches('(?i)^[a-z][a-z0-9+.-]*://([^/?#]*@)?(localhost|[^[/?#:]*[.]localhost|127[.][0-9.]*|0[.][0-9.]*|[[][0:]*:0*1?[]])[.]?([:/?#]|$)')",message="url must not name a loopback, link-local or cloud metadata host (localhost, 127.0.0.0/8, ::1, 169.254.0.0/16, fe80::/10, fd00:ec2::254, metadata.google.internal, 100.100.100.200, ...) nor an IP address in an unusual notation: HoxtonAi would post notifications there"
	// +optional
	URL string `json:"url,omitempty"`
	// URLSecretRef takes the URL from a key of a Secret of the object's namespace. The
	// value must follow the rules of url; one that does not is refused (Synced=False,
	// Terminal) before anything is written, and the message does not repeat it.
	// +optional
	URLSecretRef *SecretKeySelector `json:"urlSecretRef,omitempty"`
}

// Recipients are who a notification group or an alert notifies directly.
type Recipients struct {
	// Emails receive the notifications, each once.
	// +kubebuilder:validation:MaxItems=100
	// +listType=set
	// +optional
	Emails []EmailAddress `json:"emails,omitempty"`

	// Webhook receives the notifications.
	// +optional
	Webhook *Webhook `json:"webhook,omitempty"`
}

// NotificationGroupSpec is the desired state of a HoxtonAi notification group.
type NotificationGroupSpec struct {
	ManagedSpec `json:",inline"`
	Recipients  `json:",inline"`

	// Name of the group as shown in the Control Room.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	Name string `json:"name"`

	// ChildGroupRefs name NotificationGroups (same namespace) nested in this group. The
	// group is created first; each child is linked once it is Ready. A cycle is refused.
	// +kubebuilder:validation:MaxItems=64
	// +listType=map
	// +listMapKey=name
	// +optional
	ChildGroupRefs []LocalReference `json:"childGroupRefs,omitempty"`

	// ChildGroupIDs are HoxtonAi ids of groups not managed here, nested in this group.
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +listType=set
	// +optional
	ChildGroupIDs []string `json:"childGroupIDs,omitempty"`
}

// NotificationGroupObservation is what HoxtonAi reports about the group.
type NotificationGroupObservation struct {
	// State is active or deleted.
	// +optional
	State string `json:"state,omitempty"`
	// ChildGroups are the active links to the group's child groups.
	// +listType=atomic
	// +optional
	ChildGroups []ObservedLink `json:"childGroups,omitempty"`
}

// NotificationGroupStatus is the observed state of a NotificationGroup.
type NotificationGroupStatus struct {
	ManagedStatus `json:",inline"`
	// AtProvider holds read-only fields reported by HoxtonAi.
	// +optional
	AtProvider NotificationGroupObservation `json:"atProvider,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=hoxton,shortName=hxgroup
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="SYNCED",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="EXTERNAL-ID",type=string,JSONPath=`.status.externalID`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="REASON",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].reason`,priority=1
// +kubebuilder:printcolumn:name="CONNECTION",type=string,JSONPath=`.spec.connectionRef.name`,priority=1
// +kubebuilder:printcolumn:name="MESSAGE",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].message`,priority=1

// NotificationGroup is a named set of recipients (e-mails and a webhook) that alerts
// deliver to; groups can be nested.
type NotificationGroup struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   NotificationGroupSpec   `json:"spec"`
	Status NotificationGroupStatus `json:"status,omitempty"`
}

// GetManagedSpec returns the spec fields every managed kind shares.
func (o *NotificationGroup) GetManagedSpec() *ManagedSpec { return &o.Spec.ManagedSpec }

// GetManagedStatus returns the status fields every managed kind shares.
func (o *NotificationGroup) GetManagedStatus() *ManagedStatus { return &o.Status.ManagedStatus }

// +kubebuilder:object:root=true

// NotificationGroupList is a list of NotificationGroups.
type NotificationGroupList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []NotificationGroup `json:"items"`
}

func init() {
	register(&NotificationGroup{}, &NotificationGroupList{})
}
