package controller

import (
	"context"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/reference"
)

// siteRefs is what the site reference of a camera or monitor resolves to.
type siteRefs struct {
	SiteID string
}

// resolveSite resolves siteRef (a Ready Site of the namespace) or takes siteID as is.
func resolveSite(ctx context.Context, r client.Reader, namespace string, ref *v1alpha1.LocalReference, id string) (siteRefs, error) {
	if ref == nil {
		return siteRefs{SiteID: id}, nil
	}
	id, err := reference.Resolve(ctx, r, namespace, ref.Name, "Site", &v1alpha1.Site{},
		func(s *v1alpha1.Site) string { return s.Status.ExternalID })
	return siteRefs{SiteID: id}, err
}

// siteReference declares a kind's site reference to the generic reconciler.
func siteReference[O managed.Object](ref func(O) *v1alpha1.LocalReference) managed.Reference[O] {
	return managed.Reference[O]{
		Kind:   "Site",
		Target: &v1alpha1.Site{},
		Names: func(o O) []string {
			if r := ref(o); r != nil {
				return []string{r.Name}
			}
			return nil
		},
		Value: func(obj client.Object) string { return obj.(*v1alpha1.Site).Status.ExternalID },
	}
}

// timeOf maps an optional API time to the status type.
func timeOf(t *time.Time) *metav1.Time {
	if t == nil {
		return nil
	}
	return &metav1.Time{Time: *t}
}
