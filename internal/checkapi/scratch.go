package checkapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
)

// Scratch is one write of check-api that is undone at the end.
type Scratch struct {
	// Kind is the collection, e.g. "sites" ("cameras" for a renamed camera).
	Kind string `json:"kind"`
	ID   string `json:"id"`
	// ByHand says what to do when the undo failed; empty means delete it.
	ByHand string `json:"byHand,omitempty"`
}

func (s Scratch) String() string {
	what := "delete it"
	if s.ByHand != "" {
		what = s.ByHand
	}
	return fmt.Sprintf("%s %s (%s)", s.Kind, s.ID, what)
}

// scratchEntry is a recorded write and how to undo it.
type scratchEntry struct {
	Scratch
	undo func(ctx context.Context) error
}

// scratchLog records the writes in order; left is filled by undoAll.
type scratchLog struct {
	entries []*scratchEntry
	left    []Scratch
}

func (l *scratchLog) add(s Scratch, undo func(ctx context.Context) error) *scratchEntry {
	e := &scratchEntry{Scratch: s, undo: undo}
	l.entries = append(l.entries, e)
	return e
}

// done forgets an entry a check has undone itself.
func (l *scratchLog) done(e *scratchEntry) {
	l.entries = slices.DeleteFunc(l.entries, func(x *scratchEntry) bool { return x == e })
}

// undoAll undoes the recorded writes, newest first, with a fresh context:
// the run's may be cancelled (Ctrl-C). It prints and returns what is left.
func (c *checker) undoAll() []Scratch {
	if len(c.scratch.entries) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	var left []Scratch
	for i := len(c.scratch.entries) - 1; i >= 0; i-- {
		e := c.scratch.entries[i]
		if err := e.undo(ctx); err != nil {
			left = append(left, e.Scratch)
			fmt.Fprintf(c.cfg.Log, "Left behind: %s: %v\n", e.Scratch, err)
		}
	}
	c.scratch.entries, c.scratch.left = nil, left
	if len(left) == 0 {
		fmt.Fprintf(c.cfg.Log, "Removed every scratch object (%s*).\n", ScratchPrefix)
	}
	return left
}

// create upserts a new scratch object of kind whose body names its id. It
// is recorded before the request: an interrupted request may still have
// created it.
func (c *checker) create(ctx context.Context, kind string, body object) (*reply, *scratchEntry, error) {
	id := str(body, "id")
	e := c.scratch.add(Scratch{Kind: kind, ID: id}, func(ctx context.Context) error { return c.remove(ctx, kind, id) })
	rep, err := c.probe.do(ctx, http.MethodPut, "/"+kind, nil, body)
	return rep, e, err
}

// deleteScratch deletes a scratch object as a step of a check, and forgets it
// when the answer says it is gone.
func (c *checker) deleteScratch(ctx context.Context, e *scratchEntry) (*reply, error) {
	rep, err := c.probe.do(ctx, http.MethodDelete, itemPath(e.Kind, e.ID), nil, nil)
	if err == nil && gone(rep.status) {
		c.scratch.done(e)
	}
	return rep, err
}

// remove deletes a scratch object for good. Any answer is accepted when a GET
// then shows the object gone (a service may answer a cascaded object's
// DELETE with an error).
func (c *checker) remove(ctx context.Context, kind, id string) error {
	rep, err := c.probe.do(ctx, http.MethodDelete, itemPath(kind, id), nil, nil)
	if err != nil {
		return err
	}
	if gone(rep.status) {
		return nil
	}
	check, err := c.probe.do(ctx, http.MethodGet, itemPath(kind, id), nil, nil)
	if err != nil {
		return err
	}
	var o object
	if check.status == http.StatusNotFound || (check.status == http.StatusOK && check.json(&o) && str(o, "state") == "deleted") {
		return nil
	}
	return fmt.Errorf("DELETE answered %d", rep.status)
}

// gone tells whether a DELETE answer means the object no longer exists.
func gone(status int) bool {
	return status < 300 || status == http.StatusNotFound || status == http.StatusGone
}

func itemPath(kind, id string) string { return "/" + kind + "/" + url.PathEscape(id) }

// object is a JSON object as the API answers it.
type object = map[string]any

func str(o object, k string) string {
	s, _ := o[k].(string)
	return s
}
