package managed

import (
	"context"
	"fmt"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// TestValueIndexFindsExactlyTheHolders: with more objects than buckets, so that
// buckets are shared, a lookup returns the objects that hold the value and no other,
// and the cache stores no more distinct keys than there are buckets.
func TestValueIndexFindsExactlyTheHolders(t *testing.T) {
	const n = 3 * indexBuckets
	byID := externalIDIndexOf[*v1alpha1.Site]()
	var objs []client.Object
	keys := map[string]bool{}
	for i := range n {
		s := &v1alpha1.Site{ObjectMeta: metav1.ObjectMeta{Namespace: fmt.Sprintf("ns-%d", i%3), Name: fmt.Sprintf("site-%d", i)}}
		s.Status.ExternalID = fmt.Sprintf("id-%d", i)
		objs = append(objs, s)
		for _, k := range byID.keys(s) {
			keys[k] = true
		}
	}
	// One more object claiming site-7's id, in another namespace.
	twin := &v1alpha1.Site{ObjectMeta: metav1.ObjectMeta{Namespace: "other", Name: "twin"}}
	twin.Status.ExternalID = "id-7"
	objs = append(objs, twin)
	if len(keys) > indexBuckets {
		t.Fatalf("%d objects stored %d distinct index keys, more than the %d buckets", n, len(keys), indexBuckets)
	}
	c := fake.NewClientBuilder().WithScheme(newScheme(t)).WithObjects(objs...).
		WithIndex(&v1alpha1.Site{}, externalIDIndex, byID.keys).Build()

	find := func(namespace, id string) []string {
		var found []string
		if err := byID.each(context.Background(), c, &v1alpha1.SiteList{}, namespace, id, func(s *v1alpha1.Site) {
			found = append(found, s.Namespace+"/"+s.Name)
		}); err != nil {
			t.Fatal(err)
		}
		return found
	}
	for i := range n {
		if i == 7 {
			continue
		}
		if got, want := find("", fmt.Sprintf("id-%d", i)), fmt.Sprintf("ns-%d/site-%d", i%3, i); len(got) != 1 || got[0] != want {
			t.Fatalf("id-%d: found %v, want [%s]", i, got, want)
		}
	}
	if got := find("", "id-7"); len(got) != 2 {
		t.Errorf("id-7, held twice: found %v", got)
	}
	if got := find("other", "id-7"); len(got) != 1 || got[0] != "other/twin" {
		t.Errorf("id-7 in namespace other: found %v", got)
	}
	if got := find("", "id-none"); len(got) != 0 {
		t.Errorf("an id nobody holds: found %v", got)
	}
}
