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
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the group and version of every kind in this package.
	GroupVersion = schema.GroupVersion{Group: "hoxtonai.dev", Version: "v1alpha1"}

	// SchemeBuilder registers the kinds of this package with a runtime.Scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the kinds of this package to a runtime.Scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
