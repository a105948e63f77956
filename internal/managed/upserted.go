package managed

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// Upserted declares a kind whose objects are upserted under a deterministic id
// (PUT on the collection, 201 created or 204 updated) and soft-deleted, with any
// number of link sets. It is the whole per-kind code of such a kind, its types spelt
// once: what every kind has, the body, the managed fields, the read-only fields, the
// links, and the export; the lifecycle is generic. Kind returns the kind, whose
// adapter it is.
type Upserted[O Object, T any] struct {
	// Name, New, NewList, References and Secrets are the Kind's.
	Name       string
	New        func() O
	NewList    func() client.ObjectList
	References []Reference[O]
	Secrets    func(o O) []v1alpha1.SecretKeySelector
	// Collection is the kind's API collection.
	Collection hoxton.Collection[T]
	// Body maps the spec and the resolved references to the full PUT body of the
	// object with the given id. An error is reported as is (use Terminal for input
	// that only a spec change can fix).
	Body func(o O, id string, refs Refs) (T, error)
	// Fields are the fields the operator manages, compared between Body and what
	// HoxtonAi holds. Everything else HoxtonAi reports is left alone.
	Fields []Field[T]
	// AtProvider copies read-only fields of the HoxtonAi object, and the links by
	// link set field, into o's status.
	AtProvider func(o O, have *T, links Links)
	// Links are the object's link sets.
	Links []LinkSet[O]
	// List, ID, Label and Manifest are the kind's export, the inverse of Body: List
	// reads the organisation's objects (only those of site when it is not empty, for
	// kinds in a site), ID and Label name each, and Manifest maps one and its links
	// back to the spec. Export, when set, replaces them, for a kind whose export reads
	// more than its own collection.
	List     func(ctx context.Context, c *hoxton.Client, site string) ([]T, error)
	ID       func(have T) string
	Label    func(have T) string
	Manifest func(have T, links Links, names NameOf) O
	Export   *Export[O]
}

// Kind returns the kind u declares, u its adapter.
func (u Upserted[O, T]) Kind() Kind[O, Observed[T]] {
	export := u.Export
	if export == nil && u.List != nil {
		export = u.export()
	}
	return Kind[O, Observed[T]]{Name: u.Name, New: u.New, NewList: u.NewList, Adapter: u, IDs: DeterministicID,
		References: u.References, Secrets: u.Secrets, Export: export}
}

// Observed is what the generic upserted adapter read: the object and its links by
// link set field.
type Observed[T any] struct {
	Object T
	Links  Links
}

// Observe reads the object and the links of every set.
func (u Upserted[O, T]) Observe(ctx context.Context, c *hoxton.Client, o O, refs Refs) (Observation[Observed[T]], error) {
	id := o.GetManagedStatus().ExternalID
	have, err := u.Collection.Get(ctx, c, id)
	if Absent(err) {
		return Observation[Observed[T]]{}, nil
	}
	if err != nil {
		return Observation[Observed[T]]{}, err
	}
	seen := Observed[T]{Object: *have, Links: Links{}}
	for _, set := range u.Links {
		links, err := set.API.List(ctx, c, id)
		if err != nil {
			return Observation[Observed[T]]{}, err
		}
		seen.Links[set.Field] = links
	}
	return u.Compare(o, refs, seen)
}

// Compare compares the spec with seen, the object and links as read or written, and
// reports the read-only fields in the status (Comparer).
func (u Upserted[O, T]) Compare(o O, refs Refs, seen Observed[T]) (Observation[Observed[T]], error) {
	want, err := u.Body(o, o.GetManagedStatus().ExternalID, refs)
	if err != nil {
		return Observation[Observed[T]]{}, err
	}
	diff := CompareFields(u.Fields, want, seen.Object)
	for _, set := range u.Links {
		diff = append(diff, set.diff(set.desired(o, refs), seen.Links[set.Field])...)
	}
	if u.AtProvider != nil {
		u.AtProvider(o, &seen.Object, seen.Links)
	}
	return Observation[Observed[T]]{Exists: true, Observed: seen, Diff: diff}, nil
}

// Create upserts the object, then its links, which need the object to exist. An
// object the upsert found already there (a cluster rebuilt from the same Git) may
// have links: they are listed first; a new one has none, which saves the listing.
// The upsert carries the full body, so once it and the link writes are accepted the
// state is known.
func (u Upserted[O, T]) Create(ctx context.Context, c *hoxton.Client, o O, refs Refs) (Created, *Observed[T], error) {
	id := o.GetManagedStatus().ExternalID
	body, err := u.Body(o, id, refs)
	if err != nil {
		return Created{}, nil, err
	}
	res, err := u.Collection.Put(ctx, c, body)
	if err != nil {
		return Created{}, nil, err
	}
	created := Created{ID: id, Existed: !res.Created}
	seen := Observed[T]{Object: body, Links: Links{}}
	for _, set := range u.Links {
		var have []hoxton.Link
		if created.Existed {
			if have, err = set.API.List(ctx, c, id); err != nil {
				return created, nil, err
			}
		}
		if seen.Links[set.Field], err = set.sync(ctx, c, id, set.desired(o, refs), have); err != nil {
			return created, nil, err
		}
	}
	u.reportWritten(o, seen)
	return created, &seen, nil
}

// Update writes only what Observe found different: the object, its links, or
// both. What it did not write is what Observe read, so the state after it is known.
func (u Upserted[O, T]) Update(ctx context.Context, c *hoxton.Client, o O, refs Refs, obs Observation[Observed[T]]) (*Observed[T], error) {
	id := o.GetManagedStatus().ExternalID
	seen := Observed[T]{Object: obs.Observed.Object, Links: Links{}}
	if obs.Diff.Touches(u.fieldNames()...) {
		body, err := u.Body(o, id, refs)
		if err != nil {
			return nil, err
		}
		if _, err := u.Collection.Put(ctx, c, body); err != nil {
			return nil, err
		}
		seen.Object = body
	}
	for _, set := range u.Links {
		seen.Links[set.Field] = obs.Observed.Links[set.Field]
		if obs.Diff.Touches(set.Field.String()) {
			now, err := set.sync(ctx, c, id, set.desired(o, refs), obs.Observed.Links[set.Field])
			if err != nil {
				return nil, err
			}
			seen.Links[set.Field] = now
		}
	}
	u.reportWritten(o, seen)
	return &seen, nil
}

// reportWritten reports the state a write left in the status, as Observe would have
// read it.
func (u Upserted[O, T]) reportWritten(o O, seen Observed[T]) {
	if u.AtProvider != nil {
		u.AtProvider(o, &seen.Object, seen.Links)
	}
}

// Delete deletes the links of every set, then the object.
func (u Upserted[O, T]) Delete(ctx context.Context, c *hoxton.Client, o O) error {
	id := o.GetManagedStatus().ExternalID
	for _, set := range u.Links {
		if err := set.deleteAll(ctx, c, id); err != nil {
			return err
		}
	}
	return u.Collection.Delete(ctx, c, id)
}

func (u Upserted[O, T]) fieldNames() []string {
	names := make([]string, len(u.Fields))
	for i, f := range u.Fields {
		names[i] = f.Name
	}
	return names
}

// Absent reports whether err means the object is not (or no longer) there.
func Absent(err error) bool { return err != nil && hoxton.IgnoreGone(err) == nil }
