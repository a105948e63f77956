package managed

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/reference"
)

// Target is a kind that references point at, and the value a reference to it
// resolves to.
type Target struct {
	// Kind names the kind, e.g. "Camera".
	Kind string
	// New returns an empty object of the kind.
	New func() reference.Target
	// Value is what a reference to obj resolves to: its id, or for a camera the id of
	// its camera position.
	Value func(obj client.Object) string
	// SiteOf is the HoxtonAi site a target object belongs to, as its status reports
	// it ("" when the kind has no site or it is not known yet). Nil for kinds without
	// a site.
	SiteOf func(obj client.Object) string
	// Lookup reads a target given by literal id from HoxtonAi, so that an id naming
	// nothing is refused before any write (see checkReferences). Nil leaves literal
	// ids of the kind unchecked.
	Lookup Lookup
	// IDName is what a literal id of the kind names, for messages ("camera
	// position"); the kind's name when empty.
	IDName string
}

// Entry is one element of a reference field: the name of an object of the same
// namespace, or an id given literally for an object not managed here. Both empty
// means the (optional) field is not set.
type Entry struct {
	Name string
	ID   string
}

// Reference declares one reference field of a kind. The same declaration resolves
// the field, indexes objects by it and watches the target kind, so that an object is
// reconciled as soon as what it refers to becomes Ready or changes.
type Reference[O Object] struct {
	// Field is the spec field, e.g. "siteRef" or "cameraPositions". It names the
	// field's index and labels the field in conditions.
	Field RefField
	// Target is the kind the field refers to.
	Target Target
	// Entries returns the field's entries, in spec order.
	Entries func(o O) []Entry
	// LinksOnly says that the field's targets become links of the object (its camera
	// positions, its groups): the object is created without them, and only the links
	// wait for targets that are not ready. Otherwise the object itself needs the
	// target (its site) and is not written until it resolves.
	LinksOnly bool
	// SameSiteAs is the owner's own site reference field ("siteRef"): every target
	// of this field must belong to the site that field resolves to, so that a monitor
	// is never fed by a camera of another site. An owner without a site (an alert of
	// the whole organisation) is not restricted.
	SameSiteAs RefField
}

// One returns the entries of a single reference given by name or id.
func One(ref *v1alpha1.LocalReference, id string) []Entry {
	if ref != nil {
		return []Entry{{Name: ref.Name}}
	}
	if id != "" {
		return []Entry{{ID: id}}
	}
	return nil
}

// Refs is what the references of one object resolved to, by field, and the values of
// the Secret keys it takes.
type Refs struct {
	ids map[RefField][]string
	// sites are the sites of the targets resolved by name, by field, in the order of
	// ids ("" where unknown); targets given by id are looked up by checkReferences.
	sites   map[RefField][]string
	pending []string
	secrets map[v1alpha1.SecretKeySelector]string
	// credentials is the kind's credentials Secret, nil when it declares none.
	credentials *Credentials
}

// Secret returns the value of a Secret key the kind declared.
func (r Refs) Secret(sel v1alpha1.SecretKeySelector) string { return r.secrets[sel] }

// ID returns the id a single reference field resolved to ("" when it is not set).
func (r Refs) ID(field RefField) string {
	if ids := r.ids[field]; len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// IDs returns the ids of a field's entries in spec order, "" for an entry whose
// target is not ready yet (LinksOnly fields only).
func (r Refs) IDs(field RefField) []string { return r.ids[field] }

// Pending names the link targets that are not ready yet, for the Synced condition.
func (r Refs) Pending() []string { return r.pending }

// NewRefs returns resolved references from ids by field, for adapters' unit tests and
// for callers that resolve references themselves (the CLI's diff).
func NewRefs(ids map[RefField][]string) Refs { return Refs{ids: ids} }

// resolveReferences resolves every reference of o. A field the object needs that is
// not ready makes the whole resolution a reference.NotReadyError naming every missing
// reference; LinksOnly targets that are not ready are recorded as pending instead.
func resolveReferences[O Object](ctx context.Context, r client.Reader, o O, refs []Reference[O]) (Refs, error) {
	out := Refs{ids: map[RefField][]string{}, sites: map[RefField][]string{}}
	var needed reference.Collector
	for _, ref := range refs {
		for _, e := range ref.Entries(o) {
			if e.Name == "" {
				out.ids[ref.Field] = append(out.ids[ref.Field], e.ID)
				out.sites[ref.Field] = append(out.sites[ref.Field], "")
				continue
			}
			target, obj := ref.Target, ref.Target.New()
			id, err := reference.Resolve(ctx, r, o.GetNamespace(), e.Name, target.Kind, obj,
				func(t reference.Target) string { return target.Value(t) })
			if ref.LinksOnly && reference.IsNotReady(err) {
				out.pending = append(out.pending, fmt.Sprintf("%s: %v", ref.Field, err))
				err = nil
			}
			needed.Add(err)
			site := ""
			if id != "" && target.SiteOf != nil {
				site = target.SiteOf(obj)
			}
			out.ids[ref.Field] = append(out.ids[ref.Field], id)
			out.sites[ref.Field] = append(out.sites[ref.Field], site)
		}
	}
	err := needed.Err()
	var nr *reference.NotReadyError
	if errors.As(err, &nr) {
		// Name the link targets too, so that one message says all that is missing.
		nr.Missing = append(nr.Missing, out.pending...)
	}
	return out, err
}

// findCycle follows the references of o to objects of its own kind (a notification
// group's child groups) and returns the names around a cycle through o, or nil. It
// reads the cache only, so it costs no API call.
//
// A name the walk cannot find may be an object applied together with o that the
// cache does not hold yet, closing a cycle (a -> b -> a applied at once). So an
// object not created yet waits, as for a reference it needs, until every object the
// walk reaches exists; its creation wakes o through the reference watch. An object
// already created goes on: it creates no links to missing targets.
func findCycle[O Object](ctx context.Context, r client.Reader, o O, kind string, newObj func() O, refs []Reference[O]) ([]string, error) {
	var self []Reference[O]
	for _, ref := range refs {
		if ref.Target.Kind == kind {
			self = append(self, ref)
		}
	}
	if len(self) == 0 {
		return nil, nil
	}
	children := func(obj O) []string {
		var names []string
		for _, ref := range self {
			for _, e := range ref.Entries(obj) {
				if e.Name != "" {
					names = append(names, e.Name)
				}
			}
		}
		return names
	}
	// Depth-first from o; path holds the names from o to the current object.
	visited := map[string]bool{}
	var unseen []string
	var walk func(path []string, obj O) ([]string, error)
	walk = func(path []string, obj O) ([]string, error) {
		for _, name := range children(obj) {
			if name == o.GetName() {
				return append(slices.Clone(path), name), nil
			}
			if visited[name] {
				continue
			}
			visited[name] = true
			next := newObj()
			if err := r.Get(ctx, client.ObjectKey{Namespace: o.GetNamespace(), Name: name}, next); err != nil {
				if client.IgnoreNotFound(err) != nil {
					return nil, err
				}
				unseen = append(unseen, name)
				continue
			}
			if cycle, err := walk(append(path, name), next); cycle != nil || err != nil {
				return cycle, err
			}
		}
		return nil, nil
	}
	cycle, err := walk([]string{o.GetName()}, o)
	if cycle != nil || err != nil || len(unseen) == 0 || o.GetManagedStatus().ExternalID != "" {
		return cycle, err
	}
	nr := &reference.NotReadyError{}
	for _, name := range unseen {
		nr.Missing = append(nr.Missing, fmt.Sprintf("%s %q not found: until it exists, a cycle of references through it cannot be ruled out, so this %s is not created yet", kind, name, kind))
	}
	return nil, nr
}

// readSecrets reads the declared Secret keys of o. A missing Secret or key is a
// reference that is not ready: the object waits for it, as for any reference.
func readSecrets(ctx context.Context, r client.Reader, namespace string, sels []v1alpha1.SecretKeySelector) (map[v1alpha1.SecretKeySelector]string, error) {
	out := map[v1alpha1.SecretKeySelector]string{}
	var missing reference.Collector
	for _, sel := range sels {
		var s corev1.Secret
		err := r.Get(ctx, client.ObjectKey{Namespace: namespace, Name: sel.Name}, &s)
		switch {
		case apierrors.IsNotFound(err):
			missing.Add(&reference.NotReadyError{Missing: []string{fmt.Sprintf("Secret %q not found", sel.Name)}})
		case err != nil:
			missing.Add(err)
		case len(s.Data[sel.Key]) == 0:
			missing.Add(&reference.NotReadyError{Missing: []string{fmt.Sprintf("Secret %q has no key %q", sel.Name, sel.Key)}})
		default:
			out[sel] = string(s.Data[sel.Key])
		}
	}
	return out, missing.Err()
}

// cycleError reports a cycle of references as a Terminal error naming it.
func cycleError(kind string, cycle []string) error {
	return Terminal("%s references form a cycle: %s; HoxtonAi cannot nest an object inside itself, remove one of these references",
		kind, strings.Join(cycle, " -> "))
}
