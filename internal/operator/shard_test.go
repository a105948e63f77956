package operator

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// TestShardCacheSelectors: a shard's caches hold only its objects, the labelled
// Connection Secrets among them, and every namespace; the default shard holds the
// objects without a shard label. Each shard has its own lease.
func TestShardCacheSelectors(t *testing.T) {
	site := func(shard string) labels.Set {
		if shard == "" {
			return labels.Set{}
		}
		return labels.Set{managed.LabelShard: shard}
	}
	secret := func(shard string) labels.Set {
		s := site(shard)
		s[v1alpha1.LabelConnectionSecret] = "true"
		return s
	}
	for _, tc := range []struct {
		shard            string
		objects, secrets map[string]bool // by the shard they are labelled with
	}{
		{shard: "", objects: map[string]bool{"": true, "a": false, "b": false}, secrets: map[string]bool{"": true, "a": false}},
		{shard: "a", objects: map[string]bool{"": false, "a": true, "b": false}, secrets: map[string]bool{"": false, "a": true, "b": false}},
	} {
		opts := cacheOptions(Tenancy{}, tc.shard)
		for labelled, want := range tc.objects {
			if got := opts.DefaultLabelSelector.Matches(site(labelled)); got != want {
				t.Errorf("shard %q caches an object of shard %q: %v, want %v", tc.shard, labelled, got, want)
			}
		}
		var secretSeen, namespaceSeen bool
		for obj, by := range opts.ByObject {
			m, ok := obj.(*metav1.PartialObjectMetadata)
			if !ok {
				t.Fatalf("unexpected cache config for %T", obj)
			}
			switch m.Kind {
			case "Secret":
				secretSeen = true
				for labelled, want := range tc.secrets {
					if got := by.Label.Matches(secret(labelled)); got != want {
						t.Errorf("shard %q caches a Connection Secret of shard %q: %v, want %v", tc.shard, labelled, got, want)
					}
				}
				if by.Label.Matches(site(tc.shard)) {
					t.Errorf("shard %q caches a Secret without %s", tc.shard, v1alpha1.LabelConnectionSecret)
				}
			case "Namespace":
				namespaceSeen = true
				if !by.Label.Matches(labels.Set{}) || !by.Label.Matches(site("b")) {
					t.Errorf("shard %q does not see every namespace: %v", tc.shard, by.Label)
				}
			}
		}
		if !secretSeen || !namespaceSeen {
			t.Errorf("shard %q: Secret config %v, Namespace config %v", tc.shard, secretSeen, namespaceSeen)
		}
	}
	if LeaseName("") == LeaseName("a") || LeaseName("a") == LeaseName("b") {
		t.Errorf("leases are shared: %q, %q, %q", LeaseName(""), LeaseName("a"), LeaseName("b"))
	}
}
