package managed

import (
	"context"
	"hash/fnv"
	"slices"
	"strconv"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// valueIndex is a field index of the cache over one kind: the objects whose values
// include a given one.
//
// The cache keeps a set of object keys per distinct indexed value, twice (per
// namespace and for all namespaces). A value that one object alone holds, such as an
// external id or the name of a camera one monitor reads, so costs two small maps of
// its own, about 0.7 KiB per object and index; with ten thousand objects the indexes
// held more memory than the objects. Such an index stores a hash bucket of each value
// instead (indexBuckets of them, shared by many objects, a few dozen bytes per object),
// and a lookup lists the one bucket and keeps the objects that hold the value itself.
// An index whose values many objects share (shared: the Connection) stores them as they
// are.
type valueIndex[O Object] struct {
	name   string
	values func(O) []string
	shared bool
}

// indexBuckets is how many buckets a valueIndex spreads its values over: at 10,000
// objects of a kind a lookup reads about 40 of them from the cache, without copies.
const indexBuckets = 256

// keys are what the cache stores for obj: its values, or their buckets.
func (ix valueIndex[O]) keys(obj client.Object) []string {
	values := ix.values(obj.(O))
	if ix.shared {
		return values
	}
	var keys []string
	for _, v := range values {
		if b := indexBucket(v); !slices.Contains(keys, b) {
			keys = append(keys, b)
		}
	}
	return keys
}

// indexBucket is the bucket of value.
func indexBucket(value string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(value))
	return strconv.FormatUint(uint64(h.Sum32()%indexBuckets), 16)
}

// register adds the index to the cache for the kind newObj returns.
func (ix valueIndex[O]) register(ctx context.Context, indexer client.FieldIndexer, newObj func() O) error {
	return indexer.IndexField(ctx, newObj(), ix.name, ix.keys)
}

// each calls fn for each object of the kind whose values include value, in namespace
// ("" for all namespaces). fn gets the cache's own object: it must not change it.
func (ix valueIndex[O]) each(ctx context.Context, r client.Reader, list client.ObjectList, namespace, value string, fn func(O)) error {
	key := value
	if !ix.shared {
		key = indexBucket(value)
	}
	opts := []client.ListOption{client.MatchingFields{ix.name: key}, client.UnsafeDisableDeepCopy}
	if namespace != "" {
		opts = append(opts, client.InNamespace(namespace))
	}
	if err := r.List(ctx, list, opts...); err != nil {
		return err
	}
	return meta.EachListItem(list, func(it runtime.Object) error {
		if o, ok := it.(O); ok && slices.Contains(ix.values(o), value) {
			fn(o)
		}
		return nil
	})
}

// connectionIndexOf indexes a kind by the Connection its objects use, as
// "Connection/<name>" or "ClusterConnection/<name>" (ConnectionUsers reads it too).
func connectionIndexOf[O Object]() valueIndex[O] {
	return valueIndex[O]{name: connectionIndex, shared: true, values: func(o O) []string {
		return []string{ConnectionIndexValue(o.GetManagedSpec().GetConnectionRef())}
	}}
}

// externalIDIndexOf indexes a kind by status.externalID, so that a second object
// claiming a HoxtonAi object that another one manages is refused.
func externalIDIndexOf[O Object]() valueIndex[O] {
	return valueIndex[O]{name: externalIDIndex, values: func(o O) []string {
		if id := o.GetManagedStatus().ExternalID; id != "" {
			return []string{id}
		}
		return nil
	}}
}

// referenceIndexOf indexes a kind by the names one reference field names.
func referenceIndexOf[O Object](ref Reference[O]) valueIndex[O] {
	entries := ref.Entries
	return valueIndex[O]{name: referenceIndex(ref.Field.String()), values: func(o O) []string { return referencedNames(entries(o)) }}
}

// credentialsIndexOf indexes a kind by the name of its credentials Secret.
func credentialsIndexOf[O Object](secret func(O) string) valueIndex[O] {
	return valueIndex[O]{name: credentialsIndex, values: func(o O) []string { return []string{secret(o)} }}
}
