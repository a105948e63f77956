package hoxton

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"
)

// A sweep answers the polls of a collection's objects from one list of the
// organisation's objects instead of one GET each: a drift check of 10,000 objects is
// then a handful of lists per poll interval. It is what external-dns does against DNS
// providers, and what the contract allows (assumption A2: every collection is listed
// by organisation, with the bodies GET answers).
//
// Only polls use it (WithPoll): a reconcile of a user's change, a new object or a
// deletion reads the object itself. A poll is answered from a list younger than half
// its poll interval, so drift made outside the operator is seen within one and a half
// intervals at worst. An object this client wrote since the list was asked for, or
// one the list does not hold (created since, or deleted: a GET says which), is read
// directly. A collection is listed only when it is polled often enough for the list
// to save requests (minSweepPolls in half an interval); a small one is read object by
// object, as before.
//
// The first list of a collection is checked against a GET of the object that asked
// for it. If the two differ (the service lists summaries, or lists something else than
// it serves), the collection is polled object by object for this client's life, and
// Sweeps says so: comparing a summary with the wanted body would find drift that is
// not there, and write it.

// sweepTTL is the share of an object's poll interval a list may be old and still
// answer its poll.
const sweepTTL = 2

// minSweepPolls is how many polls of a collection half a poll interval must see for a
// list to answer them: a list costs one request (two the first time, with its check)
// and saves one per poll it answers.
const minSweepPolls = 3

// failedSweepRetry is how long after a failed list the collection is listed again.
const failedSweepRetry = 5 * time.Second

// sweeps holds one client's lists, by collection path.
type sweeps struct {
	mu     sync.Mutex
	byPath map[string]*collectionSweep
	// writtenAt is when this client last wrote an object, by item path: a list asked
	// for before that does not answer its polls.
	writtenAt map[string]time.Time
}

// collectionSweep is what a client knows of sweeping one collection.
type collectionSweep struct {
	// last is the last list, or nil.
	last *sweep
	// polls counts the polls since window began; before, those of the window before.
	window       time.Time
	polls, prior int
	// polled is set once a list was found not to hold what GET answers; checked once
	// a list was compared with a GET.
	polled, checked bool
}

// sweep is one list of a collection.
type sweep struct {
	// done is closed once items are known; polls that need them meanwhile wait.
	done chan struct{}
	// taken is when the list was asked for: it holds no write made after.
	taken time.Time
	// items are the listed objects by id; nil when the list failed.
	items map[string]json.RawMessage
	// owners are the listed links by owner, for a link collection.
	owners map[string][]json.RawMessage
}

// CollectionSweep says how the polls of one collection are answered.
type CollectionSweep struct {
	Resource string
	// Swept is false when the collection fell back to one GET per object.
	Swept bool
}

// Sweeps reports, per collection this client listed, whether it is swept.
func (c *Client) Sweeps() []CollectionSweep {
	c.sweeps.mu.Lock()
	defer c.sweeps.mu.Unlock()
	var out []CollectionSweep
	for path, cs := range c.sweeps.byPath {
		if cs.checked {
			out = append(out, CollectionSweep{Resource: strings.TrimPrefix(path, "/"), Swept: !cs.polled})
		}
	}
	return out
}

// swept returns object id of the collection at path (its id in idField) as the last
// list holds it, listing the collection when that list is too old. ok is false when
// the object must be read directly.
func swept(ctx context.Context, c *Client, resource, path, idField, id string) (raw json.RawMessage, ok bool) {
	s := c.sweepFor(ctx, path, itemPath(path, id), func(s *sweep) { listInto(ctx, c, resource, path, idField, id, s) })
	if s == nil {
		return nil, false
	}
	raw, ok = s.items[id]
	return raw, ok
}

// sweepFor returns the list of the collection at path that answers the poll ctx
// carries, listing it with list when that falls to this poll, or nil when the poll
// reads directly: ctx is no poll, the collection is read object by object, or
// writtenKey was written since the list was asked for.
func (c *Client) sweepFor(ctx context.Context, path, writtenKey string, list func(*sweep)) *sweep {
	interval, poll := pollInterval(ctx)
	if !poll || interval <= 0 {
		return nil
	}
	s, mine := c.sweeps.forPoll(path, interval/sweepTTL)
	if s == nil {
		return nil
	}
	if mine {
		list(s)
	}
	select {
	case <-s.done:
	case <-ctx.Done():
		return nil
	}
	c.sweeps.mu.Lock()
	defer c.sweeps.mu.Unlock()
	if !c.sweeps.answers(path, s) || !c.sweeps.writtenAt[writtenKey].Before(s.taken) {
		return nil
	}
	return s // its items and owners no longer change
}

// answers reports whether list s may answer the polls of path: it holds a list, and
// the collection's lists were checked and hold what a read answers. Called with mu
// held.
func (sw *sweeps) answers(path string, s *sweep) bool {
	cs := sw.byPath[path]
	return s.items != nil && cs.checked && !cs.polled
}

// forPoll counts a poll of path and returns the list that answers it: a fresh one,
// one being listed, or a new one that the caller must list (mine). It returns nil
// when the poll reads its object directly.
func (sw *sweeps) forPoll(path string, maxAge time.Duration) (s *sweep, mine bool) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if sw.byPath == nil {
		sw.byPath = map[string]*collectionSweep{}
	}
	cs := sw.byPath[path]
	if cs == nil {
		cs = &collectionSweep{window: time.Now()}
		sw.byPath[path] = cs
	}
	if age := time.Since(cs.window); age >= maxAge {
		cs.prior = cs.polls
		if age >= 2*maxAge {
			cs.prior = 0
		}
		cs.polls, cs.window = 0, time.Now()
	}
	cs.polls++
	if cs.polled {
		return nil, false
	}
	if last := cs.last; last != nil {
		select {
		case <-last.done:
			if last.items == nil {
				// The list failed (an outage, the budget): try again soon rather than
				// read every object for half an interval.
				maxAge = min(maxAge, failedSweepRetry)
			}
			if time.Since(last.taken) < maxAge && !last.taken.Before(sw.writtenAt[path]) {
				return last, false
			}
		default:
			return last, false // being listed
		}
	}
	if cs.polls+cs.prior < minSweepPolls {
		return nil, false
	}
	cs.last = &sweep{done: make(chan struct{}), taken: time.Now()}
	// Writes before this list are in it, and older lists answer no more polls.
	for item, at := range sw.writtenAt {
		if at.Before(cs.last.taken) && (item == path || strings.HasPrefix(item, path+"/")) {
			delete(sw.writtenAt, item)
		}
	}
	return cs.last, true
}

// listInto lists the collection at path into s for the polls waiting on it, checking
// the first list against a GET of object id.
func listInto(ctx context.Context, c *Client, resource, path, idField, id string, s *sweep) {
	defer close(s.done)
	var refused bool
	s.items, refused = listRaw(ctx, c, resource, path, idField)
	checkID := id
	if _, held := s.items[id]; !held {
		for other := range s.items { // any listed object can check the list
			checkID = other
			break
		}
	}
	listed, held := s.items[checkID]
	c.sweeps.settle(path, refused, held, func() (bool, bool) { return sameAsGet(ctx, c, resource, path, checkID, listed) })
}

// settle records what a list says of its collection: a list refused (the service
// does not list the collection by organisation) has it polled object by object, and
// the first list that can be checked is checked by check (same, compared).
func (sw *sweeps) settle(path string, refused, checkable bool, check func() (same, compared bool)) {
	sw.mu.Lock()
	cs := sw.byPath[path]
	if refused {
		cs.checked, cs.polled = true, true
	}
	checkable = checkable && !cs.checked
	sw.mu.Unlock()
	if !checkable {
		return
	}
	same, compared := check()
	sw.mu.Lock()
	defer sw.mu.Unlock()
	cs.checked = cs.checked || compared
	cs.polled = cs.polled || (compared && !same)
}

// wroteAt records a write of this client (done or failed) to requestPath. A write
// to an item (/cameras/{id}, /cameras/{id}/state/paused) makes that object's polls
// read it directly until a list asked for after; a write to a collection's own path
// (an upsert or a claim, naming its object in the body) makes the next poll of the
// collection list it again.
func (sw *sweeps) wroteAt(requestPath string) {
	segs := strings.SplitN(strings.TrimPrefix(requestPath, "/"), "/", 3)
	key := "/" + segs[0]
	if len(segs) > 1 && segs[1] != "" {
		key += "/" + segs[1]
	}
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if sw.writtenAt == nil {
		sw.writtenAt = map[string]time.Time{}
	}
	sw.writtenAt[key] = time.Now()
}

// listRaw lists the organisation's active objects of the collection at path by id
// (their idField). It returns nil when the list fails, and refused when the service
// answered that it does not list the collection so (a 4xx other than 429): the polls
// then read their objects directly.
func listRaw(ctx context.Context, c *Client, resource, path, idField string) (items map[string]json.RawMessage, refused bool) {
	var raw []json.RawMessage
	if _, err := c.do(ctx, http.MethodGet, resource, path, filters("organisationId", c.org), nil, &raw); err != nil {
		class := Classify(err)
		return nil, class == ClassTerminal || class == ClassNotFound || class == ClassForbidden
	}
	items = make(map[string]json.RawMessage, len(raw))
	for _, item := range raw {
		var fields map[string]json.RawMessage
		var id string
		if isDeletedObject(item) || json.Unmarshal(item, &fields) != nil || json.Unmarshal(fields[idField], &id) != nil || id == "" {
			continue
		}
		items[id] = item
	}
	return items, false
}

// sameAsGet reads object id directly and reports whether listed (its list item) is the
// same JSON, and whether the two could be compared at all (a failed GET says nothing:
// the next list is checked).
func sameAsGet(ctx context.Context, c *Client, resource, path, id string, listed json.RawMessage) (same, compared bool) {
	var direct json.RawMessage
	if _, err := c.do(ctx, http.MethodGet, resource, itemPath(path, id), nil, nil, &direct); err != nil {
		return false, false
	}
	var a, b any
	if json.Unmarshal(listed, &a) != nil || json.Unmarshal(direct, &b) != nil {
		return false, true
	}
	return reflect.DeepEqual(a, b), true
}
