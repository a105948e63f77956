package managed

import (
	"context"
	"fmt"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// NameOf returns the name given to the exported object of kind whose reference value
// (its id, or a camera's position id) is value; "" when no exported object has it, so
// that the reference stays a literal id.
type NameOf func(kind, value string) string

// Export declares how the organisation's HoxtonAi objects of a kind become manifests:
// hoxtonctl export reads them with it, and nothing else of a kind's mapping is needed.
type Export[O Object] struct {
	// List reads the organisation's objects of the kind.
	List func(ctx context.Context, c *hoxton.Client, opts ListOptions) ([]Listed[O], error)
}

// ListOptions narrow what Export.List reads.
type ListOptions struct {
	// Site, when not empty, keeps only the objects of that site, for kinds that
	// belong to a site; organisation-wide kinds ignore it.
	Site string
	// IDsOnly skips what only the manifests need (links): the caller wants the ids,
	// labels and values, never Object.
	IDsOnly bool
}

// Listed is one HoxtonAi object as Export found it.
type Listed[O Object] struct {
	// ID is the object's HoxtonAi id; it becomes spec.externalID, so that applying the
	// manifest adopts the object.
	ID string
	// Label is the HoxtonAi name the Kubernetes name is made from.
	Label string
	// Value is what references to the object resolve to: its id, or for a camera the
	// id of its camera position (see Target.Value).
	Value string
	// Object maps the HoxtonAi object to the spec, references by name where names
	// knows the target, by id otherwise.
	Object func(names NameOf) O
}

// Exported is one Listed object with its type hidden, for hoxtonctl.
type Exported struct {
	ID, Label, Value string
	// Object builds the manifest (without metadata.name) with spec.externalID set.
	Object func(names NameOf) Object
}

// ExportAll lists the kind's objects through its Export declaration. A kind without
// one is an error: every registered kind must be exportable.
func ExportAll[O Object, S any](ctx context.Context, kind Kind[O, S], c *hoxton.Client, opts ListOptions) ([]Exported, error) {
	if kind.Export == nil {
		return nil, fmt.Errorf("%s declares no Export", kind.Name)
	}
	listed, err := kind.Export.List(ctx, c, opts)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", kind.Name, err)
	}
	out := make([]Exported, 0, len(listed))
	for _, l := range listed {
		build := l.Object
		id := l.ID
		out = append(out, Exported{ID: l.ID, Label: l.Label, Value: or(l.Value, l.ID), Object: func(names NameOf) Object {
			o := build(names)
			o.GetManagedSpec().ExternalID = id
			return o
		}})
	}
	return out, nil
}

// export is the Export of an upserted kind: its objects are listed with u.List, their
// links from its own link sets, and u.Manifest maps each, with its links, to the spec.
func (u Upserted[O, T]) export() *Export[O] {
	return &Export[O]{List: func(ctx context.Context, c *hoxton.Client, opts ListOptions) ([]Listed[O], error) {
		items, err := u.List(ctx, c, opts.Site)
		if err != nil {
			return nil, err
		}
		out := make([]Listed[O], 0, len(items))
		for _, have := range items {
			links := Links{}
			for _, set := range u.Links {
				if opts.IDsOnly {
					break
				}
				l, err := set.API.List(ctx, c, u.ID(have))
				if err != nil {
					return nil, fmt.Errorf("listing the %s of %s: %w", set.Field, u.ID(have), err)
				}
				links[set.Field] = l
			}
			out = append(out, Listed[O]{ID: u.ID(have), Label: u.Label(have), Object: func(names NameOf) O { return u.Manifest(have, links, names) }})
		}
		return out, nil
	}}
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
