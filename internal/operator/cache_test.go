package operator

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// TestCacheDropsWhatTheManagerNeverReads: an object applied with client-side
// `kubectl apply` carries a whole copy of itself in an annotation, and managed
// fields besides; the cache keeps neither, and keeps the annotations the operator
// reads.
func TestCacheDropsWhatTheManagerNeverReads(t *testing.T) {
	site := &v1alpha1.Site{ObjectMeta: metav1.ObjectMeta{Name: "hq", Namespace: "shop",
		Annotations: map[string]string{
			lastAppliedAnnotation:    `{"apiVersion":"hoxtonai.dev/v1alpha1","kind":"Site","spec":{"name":"` + strings.Repeat("x", 4096) + `"}}`,
			managed.AnnotationPaused: "true",
		},
		ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl-client-side-apply", Operation: metav1.ManagedFieldsOperationUpdate}},
	}}
	for _, tenancy := range []Tenancy{{}, {WatchNamespaces: []string{"shop"}}} {
		out, err := cacheOptions(tenancy, "").DefaultTransform(site.DeepCopy())
		if err != nil {
			t.Fatal(err)
		}
		cached := out.(*v1alpha1.Site)
		if _, ok := cached.Annotations[lastAppliedAnnotation]; ok {
			t.Errorf("%+v: the cache keeps kubectl's last-applied copy", tenancy)
		}
		if cached.Annotations[managed.AnnotationPaused] != "true" {
			t.Errorf("%+v: the cache lost the annotation %s: %v", tenancy, managed.AnnotationPaused, cached.Annotations)
		}
		if len(cached.ManagedFields) > 0 {
			t.Errorf("%+v: the cache keeps managed fields", tenancy)
		}
	}
}
