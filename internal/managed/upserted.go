package managed

import (
	"context"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// Upserted declares a kind whose objects are upserted under a deterministic id
// (PUT on the collection, 201 created or 204 updated) and soft-deleted, with any
// number of link sets. It is the whole per-kind code of such a kind: the body, the
// managed fields, the read-only fields and the links; the lifecycle is generic.
type Upserted[O Object, T any] struct {
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
	AtProvider func(o O, have *T, links map[string][]hoxton.Link)
	// Links are the object's link sets.
	Links []LinkSet[O]
}

// Observed is what the generic upserted adapter read: the object and its links by
// link set field.
type Observed[T any] struct {
	Object T
	Links  map[string][]hoxton.Link
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
	seen := Observed[T]{Object: *have, Links: map[string][]hoxton.Link{}}
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
// reports the read-only fields in the status (KnownWriter).
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

// Create upserts the object, then its links (CreateKnown).
func (u Upserted[O, T]) Create(ctx context.Context, c *hoxton.Client, o O, refs Refs) (Created, error) {
	created, _, err := u.CreateKnown(ctx, c, o, refs)
	return created, err
}

// CreateKnown upserts the object, then its links, which need the object to exist. An
// object the upsert found already there (a cluster rebuilt from the same Git) may
// have links: they are listed first; a new one has none, which saves the listing.
// The upsert carries the full body, so once it and the link writes are accepted the
// state is known.
func (u Upserted[O, T]) CreateKnown(ctx context.Context, c *hoxton.Client, o O, refs Refs) (Created, *Observed[T], error) {
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
	seen := Observed[T]{Object: body, Links: map[string][]hoxton.Link{}}
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

// Update writes only what Observe found different (UpdateKnown).
func (u Upserted[O, T]) Update(ctx context.Context, c *hoxton.Client, o O, refs Refs, obs Observation[Observed[T]]) error {
	_, err := u.UpdateKnown(ctx, c, o, refs, obs)
	return err
}

// UpdateKnown writes only what Observe found different: the object, its links, or
// both. What it did not write is what Observe read, so the state after it is known.
func (u Upserted[O, T]) UpdateKnown(ctx context.Context, c *hoxton.Client, o O, refs Refs, obs Observation[Observed[T]]) (*Observed[T], error) {
	id := o.GetManagedStatus().ExternalID
	seen := Observed[T]{Object: obs.Observed.Object, Links: map[string][]hoxton.Link{}}
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
		if obs.Diff.Touches(set.Field) {
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
