// Package v1alpha1 contains the hoxtonai.dev/v1alpha1 API: Connections that hold
// HoxtonAi credentials, and one managed kind per HoxtonAi configuration object.
//
// Every managed kind embeds ManagedSpec and ManagedStatus, so the generic reconciler in
// internal/managed can drive them all the same way. Validation that can be expressed in
// the schema (enums, ranges, formats, reference XOR id, immutable fields) lives here as
// markers, so that bad input is refused by `kubectl apply` rather than at reconcile time.
//
// +kubebuilder:object:generate=true
// +groupName=hoxtonai.dev
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the group and version of every kind in this package.
	GroupVersion = schema.GroupVersion{Group: "hoxtonai.dev", Version: "v1alpha1"}

	// SchemeBuilder registers the kinds of this package with a runtime.Scheme.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds the kinds of this package to a runtime.Scheme.
	AddToScheme = SchemeBuilder.AddToScheme

	// knownTypes are the kinds each types file registers in its init.
	knownTypes []runtime.Object
)

// register records kinds of this package; api packages depend on apimachinery only.
func register(objs ...runtime.Object) {
	knownTypes = append(knownTypes, objs...)
}

func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, knownTypes...)
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
