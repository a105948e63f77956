package operator

import (
	"fmt"
	"maps"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// LeaseName is the leader election lease of a shard: each shard elects its own
// leader, so shards run side by side and never wait for one another.
func LeaseName(shard string) string {
	const base = "hoxton-operator.hoxtonai.dev"
	if shard == "" {
		return base
	}
	return base + "-" + shard
}

// ValidateShard refuses a shard key that is not a DNS label: it is a label value and
// a part of the lease's name.
func ValidateShard(shard string) error {
	if shard == "" {
		return nil
	}
	if errs := validation.IsDNS1123Label(shard); len(errs) > 0 {
		return fmt.Errorf("invalid shard %q: %v", shard, errs)
	}
	return nil
}

// shardRequirement selects the objects of shard: labelled with it, or for the
// default shard ("") not labelled at all, so that every object belongs to exactly
// one shard and an unlabelled fleet needs no change.
func shardRequirement(shard string) labels.Requirement {
	op, values := selection.Equals, []string{shard}
	if shard == "" {
		op, values = selection.DoesNotExist, nil
	}
	r, err := labels.NewRequirement(managed.LabelShard, op, values)
	if err != nil {
		panic(err) // shard was validated by ValidateShard
	}
	return *r
}

// restrictToShard narrows every cache of opts to the objects of shard: the default
// selector, and each per-kind selector (the labelled Connection Secrets) combined
// with the shard's requirement. Namespaces are the exception: every shard reads
// their labels (a ClusterConnection's namespace selector), and they carry no shard.
func restrictToShard(opts *cache.Options, shard string) {
	req := shardRequirement(shard)
	opts.DefaultLabelSelector = labels.NewSelector().Add(req)
	byObject := maps.Clone(opts.ByObject)
	if byObject == nil {
		byObject = map[client.Object]cache.ByObject{}
	}
	for obj, by := range byObject {
		if by.Label != nil {
			by.Label = by.Label.Add(req)
			byObject[obj] = by
		}
	}
	byObject[&metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}}] = cache.ByObject{Label: labels.Everything()}
	opts.ByObject = byObject
}
