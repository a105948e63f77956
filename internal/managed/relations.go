package managed

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// Lookup reads a target given by literal id from HoxtonAi. found is false when the
// caller cannot use such an object: it was never created, was deleted, or lies
// outside the Connection's organisation (404, 410, 403). site is the target's site,
// "" for kinds without one.
type Lookup func(ctx context.Context, c *hoxton.Client, id string) (site string, found bool, err error)

// LookupIn is the Lookup of an upserted collection: one GET of the item. siteOf may
// be nil for kinds without a site.
func LookupIn[T any](col hoxton.Collection[T], siteOf func(T) string) Lookup {
	return func(ctx context.Context, c *hoxton.Client, id string) (string, bool, error) {
		v, err := col.Get(ctx, c, id)
		switch {
		case hoxton.IsNotFound(err) || hoxton.IsGone(err) || hoxton.IsForbidden(err):
			return "", false, nil
		case err != nil:
			return "", false, err
		case siteOf == nil:
			return "", true, nil
		}
		return siteOf(*v), true, nil
	}
}

// verifiedIDs remembers the literal ids HoxtonAi confirmed, with their sites, so that
// an id costs one request per manager run rather than one per poll. Only confirmed
// ids are kept: an id that named nothing is asked again at the next attempt, and may
// have been created meanwhile.
type verifiedIDs struct {
	mu    sync.Mutex
	sites map[string]string // "<organisation>/<kind>/<id>" -> site
}

func (v *verifiedIDs) lookup(ctx context.Context, c *hoxton.Client, target Target, id string) (string, bool, error) {
	key := c.OrganisationID() + "/" + target.Kind + "/" + id
	v.mu.Lock()
	site, known := v.sites[key]
	v.mu.Unlock()
	if known {
		return site, true, nil
	}
	site, found, err := target.Lookup(ctx, c, id)
	if err != nil || !found {
		return "", found, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.sites == nil {
		v.sites = map[string]string{}
	}
	v.sites[key] = site
	return site, true, nil
}

// checkReferences verifies, after the references resolved and before any write, what
// the cache cannot tell: that every target given by literal id exists in HoxtonAi,
// and that every target of a SameSiteAs reference belongs to the owner's site (by
// name, the site the target's status reports; by id, the site HoxtonAi answers).
// Both problems are Terminal: only a change of the spec, or of HoxtonAi, fixes them.
// Targets still pending (LinksOnly, not Ready) are checked once they resolve, which
// is still before their link is written.
func checkReferences[O Object](ctx context.Context, c *hoxton.Client, verified *verifiedIDs, kind string, o O, refs []Reference[O], resolved Refs) error {
	var problems []string
	for _, ref := range refs {
		if ref.Target.Lookup == nil && ref.SameSiteAs.isZero() {
			continue // nothing to check beyond what resolving did
		}
		ownerSite, ownerLabel := ownerSiteOf(o, refs, ref.SameSiteAs, resolved)
		ids, sites := resolved.ids[ref.Field], resolved.sites[ref.Field]
		for i, e := range ref.Entries(o) {
			if i >= len(ids) || ids[i] == "" {
				continue // not set, or pending
			}
			site := ""
			if i < len(sites) {
				site = sites[i]
			}
			if e.Name == "" && ref.Target.Lookup != nil {
				var found bool
				var err error
				if site, found, err = verified.lookup(ctx, c, ref.Target, e.ID); err != nil {
					return err
				} else if !found {
					problems = append(problems, fmt.Sprintf("%s: HoxtonAi has no %s %s (it does not exist, was deleted, or is outside this Connection's organisation)",
						ref.Field, ref.Target.idName(), e.ID))
					continue
				}
			}
			if ownerSite != "" && site != "" && site != ownerSite {
				problems = append(problems, fmt.Sprintf("%s: %s is in site %s, not in site %s of this %s (%s); HoxtonAi ties an object only to objects of its own site",
					ref.Field, ref.Target.describe(e), site, ownerSite, kind, ownerLabel))
			}
		}
	}
	if len(problems) > 0 {
		return Terminal("%s", strings.Join(problems, "; "))
	}
	return nil
}

// ownerSiteOf returns the site the owner's field resolved to and how the spec names
// it, or "" when field is empty or not set.
func ownerSiteOf[O Object](o O, refs []Reference[O], field RefField, resolved Refs) (site, label string) {
	if field.isZero() {
		return "", ""
	}
	for _, ref := range refs {
		if ref.Field != field {
			continue
		}
		if entries := ref.Entries(o); len(entries) > 0 {
			return resolved.ID(field), ref.Field.String() + " " + ref.Target.describe(entries[0])
		}
	}
	return "", ""
}

// describe names one entry of a reference to the target kind, for messages.
func (t Target) describe(e Entry) string {
	if e.Name != "" {
		return fmt.Sprintf("%s %q", t.Kind, e.Name)
	}
	return t.idName() + " " + e.ID
}

// idName is what a literal id of the target names ("camera position" for a camera).
func (t Target) idName() string {
	if t.IDName != "" {
		return t.IDName
	}
	return t.Kind
}
