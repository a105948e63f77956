package managed

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// LinkSet declares one set of links an object owns: one link object per entry of a
// LinksOnly reference field (a monitor's camera positions, an alert's groups). The
// listing of the owner's links in HoxtonAi is the source of truth, so a link created
// before a crash is found, not duplicated.
type LinkSet[O Object] struct {
	// Field is the reference field the links are made from; it labels the set in
	// diffs, conditions and status.
	Field RefField
	// API is the link collection.
	API hoxton.LinkCollection
	// Attrs returns the link's own attributes for entry i of the field (a monitor
	// link's direction mapping), compared for drift; nil for plain mappings.
	Attrs func(o O, i int) map[string]string
}

// wantedLinks are the links the spec asks for. partial is set while some entries of
// the field wait for their targets: which existing links those will name is not
// known yet, so no link is removed until every target resolves (an adopted object
// whose camera is not Ready yet keeps its camera's link).
type wantedLinks struct {
	links   []hoxton.Link
	partial bool
}

// desired returns the links the spec asks for, for the targets that resolved.
func (s LinkSet[O]) desired(o O, refs Refs) wantedLinks {
	var out wantedLinks
	for i, target := range refs.IDs(s.Field) {
		if target == "" {
			out.partial = true
			continue
		}
		if slices.ContainsFunc(out.links, func(l hoxton.Link) bool { return l.Target == target }) {
			continue
		}
		var attrs map[string]string
		if s.Attrs != nil {
			attrs = s.Attrs(o, i)
		}
		out.links = append(out.links, hoxton.Link{Target: target, Attrs: attrs})
	}
	return out
}

// diff describes how the owner's links (have) differ from want, as differences of
// the set's field.
func (s LinkSet[O]) diff(want wantedLinks, have []hoxton.Link) Diff {
	var d Diff
	seen := map[string]bool{}
	for _, h := range have {
		w, wanted := findLink(want.links, h.Target)
		switch {
		case seen[h.Target]:
			d = append(d, Difference{Field: s.Field.String(), Change: "remove duplicate", Target: h.Target})
		case !wanted && !want.partial:
			d = append(d, Difference{Field: s.Field.String(), Change: "remove", Target: h.Target})
		case wanted && !maps.Equal(w.Attrs, h.Attrs):
			d = append(d, Difference{Field: s.Field.String(), Target: h.Target, Want: w.Attrs, Have: h.Attrs})
		}
		seen[h.Target] = true
	}
	for _, w := range want.links {
		if !seen[w.Target] {
			d = append(d, Difference{Field: s.Field.String(), Change: "add", Target: w.Target})
		}
	}
	return d
}

// sync makes the owner's links (have, as just listed) match want: it changes links
// whose attributes differ, creates missing ones and deletes extra and duplicate ones
// (extra ones only once want is complete). It returns the links the owner has once
// every write succeeded.
func (s LinkSet[O]) sync(ctx context.Context, c *hoxton.Client, owner string, want wantedLinks, have []hoxton.Link) ([]hoxton.Link, error) {
	kept := map[string]bool{}
	var now []hoxton.Link
	for _, h := range have {
		w, wanted := findLink(want.links, h.Target)
		switch {
		case kept[h.Target] || (!wanted && !want.partial):
			if err := hoxton.IgnoreGone(s.API.Delete(ctx, c, h.ID)); err != nil {
				return nil, err
			}
			continue
		case wanted && !maps.Equal(w.Attrs, h.Attrs):
			w.ID, w.Owner = h.ID, owner
			if _, err := s.API.Put(ctx, c, w); err != nil {
				return nil, err
			}
			h = w
		}
		kept[h.Target] = true
		now = append(now, h)
	}
	for _, w := range want.links {
		if !kept[w.Target] {
			made, err := s.create(ctx, c, owner, w)
			if err != nil {
				return nil, err
			}
			now = append(now, made)
		}
	}
	return now, nil
}

// maxNewLinkAttempts bounds the fresh ids tried for one new link.
const maxNewLinkAttempts = 3

// create puts a new link under a fresh random id. Ids are never derived from owner
// and target: HoxtonAi never reuses the id of a deleted link (410), so derived ids
// would run out after a few remove/re-add cycles, while a crash after the PUT is
// covered by the listing, which finds the link before another is made.
func (s LinkSet[O]) create(ctx context.Context, c *hoxton.Client, owner string, w hoxton.Link) (hoxton.Link, error) {
	var err error
	for range maxNewLinkAttempts {
		w.ID, w.Owner = uuid.NewString(), owner
		if _, err = s.API.Put(ctx, c, w); !hoxton.IsGone(err) {
			return w, err
		}
	}
	return w, err
}

// deleteAll deletes every link of the owner. Assumption A11: HoxtonAi does not
// cascade an owner's deletion to its links, which would otherwise stay active.
func (s LinkSet[O]) deleteAll(ctx context.Context, c *hoxton.Client, owner string) error {
	have, err := s.API.List(ctx, c, owner)
	if err != nil {
		return hoxton.IgnoreGone(err)
	}
	for _, h := range have {
		if err := hoxton.IgnoreGone(s.API.Delete(ctx, c, h.ID)); err != nil {
			return err
		}
	}
	return nil
}

func findLink(links []hoxton.Link, target string) (hoxton.Link, bool) {
	i := slices.IndexFunc(links, func(l hoxton.Link) bool { return l.Target == target })
	if i < 0 {
		return hoxton.Link{}, false
	}
	return links[i], true
}

// ObservedLinks reports links in the status, in a stable order.
func ObservedLinks(links []hoxton.Link) []v1alpha1.ObservedLink {
	out := make([]v1alpha1.ObservedLink, 0, len(links))
	for _, l := range links {
		out = append(out, v1alpha1.ObservedLink{ID: l.ID, TargetID: l.Target})
	}
	slices.SortFunc(out, func(a, b v1alpha1.ObservedLink) int { return strings.Compare(a.TargetID, b.TargetID) })
	return out
}
