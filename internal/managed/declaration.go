package managed

import (
	"errors"
	"fmt"
)

// linkFields is implemented by adapters made of link sets (Upserted): the reference
// fields their links are made from.
type linkFields interface{ LinkFields() []RefField }

// LinkFields returns the reference fields of u's link sets.
func (u Upserted[O, T]) LinkFields() []RefField {
	out := make([]RefField, 0, len(u.Links))
	for _, set := range u.Links {
		out = append(out, set.Field)
	}
	return out
}

// Validate refuses a declaration that cannot work: a reference field declared twice
// or without its entries or target, a SameSiteAs naming no reference the object
// itself needs, a link set made from a field that is not a links-only reference.
// Setup calls it, so that such a mistake stops the manager at start, naming the kind
// and the field, instead of surfacing as objects that wait for ever.
func (k Kind[O, S]) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("kind %q: %s", k.Name, fmt.Sprintf(format, args...)))
	}
	if k.Name == "" || k.New == nil || k.NewList == nil || k.Adapter == nil {
		bad("Name, New, NewList and Adapter are required")
	}
	fields := map[RefField]Reference[O]{}
	for _, ref := range k.References {
		if _, twice := fields[ref.Field]; twice || ref.Field.isZero() {
			bad("reference field %q is empty or declared twice", ref.Field)
		}
		if ref.Entries == nil || ref.Target.Kind == "" || ref.Target.New == nil || ref.Target.Value == nil {
			bad("reference %q needs Entries and a Target with Kind, New and Value", ref.Field)
		}
		fields[ref.Field] = ref
	}
	for _, ref := range k.References {
		if ref.SameSiteAs.isZero() {
			continue
		}
		if site, ok := fields[ref.SameSiteAs]; !ok || site.LinksOnly {
			bad("reference %q: SameSiteAs %q is not a declared reference the object itself needs", ref.Field, ref.SameSiteAs)
		}
		if ref.Target.SiteOf == nil {
			bad("reference %q: SameSiteAs needs its Target's SiteOf", ref.Field)
		}
	}
	if ls, ok := any(k.Adapter).(linkFields); ok {
		for _, f := range ls.LinkFields() {
			if ref, ok := fields[f]; !ok || !ref.LinksOnly {
				bad("link set %q is not made from a declared LinksOnly reference", f)
			}
		}
	}
	return errors.Join(errs...)
}
