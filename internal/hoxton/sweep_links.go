package hoxton

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
)

// The links of a monitor, an alert or a group are polled with their owner, one list
// per owner and link set: most of a large organisation's poll requests. A sweep of a
// link collection lists the organisation's links at once (assumption A2: link
// collections are listed by organisation too) and answers each owner's list from it,
// as sweep.go does for objects. Any write of a link by this client makes the next
// poll list the collection again (a DELETE names the link only, not its owner), and
// the first list is checked against one owner's own list.

// sweptLinks returns the links of owner in lc as the last list holds them; ok is
// false when they must be listed directly.
func sweptLinks(ctx context.Context, c *Client, lc LinkCollection, owner string) (raw []json.RawMessage, ok bool) {
	s := c.sweepFor(ctx, lc.Path, lc.Path, func(s *sweep) { listLinksInto(ctx, c, lc, owner, s) })
	if s == nil {
		return nil, false
	}
	return s.owners[owner], true
}

// listLinksInto lists lc into s by owner, checking the first list against owner's own.
func listLinksInto(ctx context.Context, c *Client, lc LinkCollection, owner string, s *sweep) {
	defer close(s.done)
	var refused bool
	s.items, refused = listRaw(ctx, c, lc.Resource, lc.Path, wireID)
	s.owners = map[string][]json.RawMessage{}
	for _, item := range s.items {
		var ends map[string]any
		if json.Unmarshal(item, &ends) == nil {
			if o, _ := ends[lc.OwnerField].(string); o != "" {
				s.owners[o] = append(s.owners[o], item)
			}
		}
	}
	c.sweeps.settle(lc.Path, refused, s.items != nil, func() (bool, bool) {
		return sameAsOwnersList(ctx, c, lc, owner, s.owners[owner])
	})
}

// sameAsOwnersList lists owner's links directly and reports whether they are listed
// (by id, the same JSON), and whether the two could be compared.
func sameAsOwnersList(ctx context.Context, c *Client, lc LinkCollection, owner string, listed []json.RawMessage) (same, compared bool) {
	var direct []json.RawMessage
	if _, err := c.do(ctx, http.MethodGet, lc.Resource, lc.Path, filters(lc.OwnerField, owner), nil, &direct); err != nil {
		return false, false
	}
	return reflect.DeepEqual(byID(listed), byID(direct)), true
}

// byID decodes the active link objects of raw by id.
func byID(raw []json.RawMessage) map[string]any {
	out := map[string]any{}
	for _, item := range raw {
		var v map[string]any
		if isDeletedObject(item) || json.Unmarshal(item, &v) != nil {
			continue
		}
		id, _ := v[wireID].(string)
		out[id] = v
	}
	return out
}
