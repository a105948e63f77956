package checkapi

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
)

// listOf reads a list answer; ok is false unless it is 200 with a plain JSON
// array of objects.
func listOf(rep *reply) ([]object, bool) {
	var items []object
	if rep.status != http.StatusOK || !rep.json(&items) {
		return nil, false
	}
	return items, true
}

// containsID tells whether a list answer holds an object with id.
func containsID(rep *reply, id string) bool {
	items, _ := listOf(rep)
	return slices.ContainsFunc(items, func(o object) bool { return str(o, "id") == id })
}

// checkLists lists the organisation's sites: A2 (a plain array of active
// objects), A2.org (all of the organisation) and A2.pages.
func (c *checker) checkLists(ctx context.Context) error {
	rep, err := c.probe.do(ctx, http.MethodGet, "/sites", url.Values{"organisationId": {c.org}}, nil)
	if err != nil {
		return err
	}
	sites, ok := listOf(rep)
	if !ok {
		c.res.add("A2", rep, false, "status %d; want 200 with a plain JSON array of objects", rep.status)
		return nil
	}
	c.sites = map[string]bool{}
	active := true
	for _, s := range sites {
		if str(s, "state") == "deleted" {
			c.res.add("A2", rep, false, "site %s has state deleted: the list is not limited to active objects", str(s, "id"))
			active = false
		}
		if org := str(s, "organisationId"); org == c.org {
			c.sites[str(s, "id")] = true
		} else {
			c.res.add("A2.org", rep, false, "site %s has organisationId %q: the list is not limited to the organisation", str(s, "id"), org)
		}
	}
	if active {
		c.res.add("A2", rep, true, "a JSON array of %d sites, none deleted", len(sites))
	}
	if len(c.sites) == len(sites) {
		c.res.add("A2.org", rep, true, "all %d sites are of organisation %s", len(sites), c.org)
	}
	if err := c.checkPaging(ctx, rep, len(sites)); err != nil {
		return err
	}
	for _, s := range sites {
		if c.sites[str(s, "id")] {
			// Another organisation's site would answer 403, which says nothing about A1.
			_, _, err := c.checkGet(ctx, "sites", "id", str(s, "id"))
			return err
		}
	}
	c.res.skip("A1", "GET /sites/{id}: the organisation has no site yet")
	return nil
}

// checkSweep covers A2.sweep on a list answer of collection: its first object is
// the same when read alone (but for its id, which A16 covers). Where it is not (a
// list of summaries), the operator reads each object of the collection when it polls
// instead of answering the polls from one list (hoxton/sweep.go).
func (c *checker) checkSweep(ctx context.Context, collection string, list *reply) error {
	items, ok := listOf(list)
	if !ok || len(items) == 0 {
		c.res.skip("A2.sweep", collection+" listed and read: the organisation has none")
		return nil
	}
	listed := items[0]
	rep, err := c.probe.do(ctx, http.MethodGet, itemPath(collection, str(listed, "id")), nil, nil)
	if err != nil {
		return err
	}
	var read object
	if rep.status != http.StatusOK || !rep.json(&read) || read == nil {
		c.res.add("A2.sweep", rep, false, "status %d; want 200 with the object", rep.status)
		return nil
	}
	var differ []string
	for k := range mergeKeys(listed, read) {
		if k != "id" && !reflect.DeepEqual(listed[k], read[k]) {
			differ = append(differ, k)
		}
	}
	if len(differ) == 0 {
		c.res.add("A2.sweep", rep, true, "%s %s is the same in the list and read alone: one list can answer their polls", collection, str(listed, "id"))
		return nil
	}
	slices.Sort(differ)
	c.res.add("A2.sweep", rep, false, "%s %s differs in %s between the list and GET: the operator reads each object when it polls", collection, str(listed, "id"), strings.Join(differ, ", "))
	return nil
}

// mergeKeys is the set of the keys of a and b.
func mergeKeys(a, b object) map[string]bool {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	return keys
}

// checkGet covers A1 (GET of an item answers 200 with a JSON object) and A16
// (the object carries the id asked for, in idField). It returns the object,
// nil when A1 failed.
func (c *checker) checkGet(ctx context.Context, collection, idField, id string) (object, *reply, error) {
	rep, err := c.probe.do(ctx, http.MethodGet, itemPath(collection, id), nil, nil)
	if err != nil {
		return nil, nil, err
	}
	var o object
	if rep.status != http.StatusOK || !rep.json(&o) || o == nil {
		c.res.add("A1", rep, false, "status %d; want 200 with the object", rep.status)
		return nil, rep, nil
	}
	c.res.add("A1", rep, true, "200 with a JSON object")
	if got := str(o, idField); got != id {
		c.res.add("A16", rep, false, "the answer's %s is %q, want %s", idField, got, id)
	} else {
		c.res.add("A16", rep, true, "the answer carries %s %s", idField, id)
	}
	return o, rep, nil
}

// checkCameras covers A2 for cameras, A3 and A1 for a camera, and remembers
// a camera position for A5 (that of --camera when given).
func (c *checker) checkCameras(ctx context.Context) error {
	rep, err := c.probe.do(ctx, http.MethodGet, "/cameras", url.Values{"organisationId": {c.org}}, nil)
	if err != nil {
		return err
	}
	cams, ok := listOf(rep)
	if !ok {
		c.res.add("A2", rep, false, "status %d; want 200 with a JSON array of cameras", rep.status)
		return nil
	}
	c.res.add("A2", rep, true, "a JSON array of %d cameras", len(cams))

	// A serial nobody has: the lookup must answer an empty array, not 404.
	none := ScratchPrefix + "serial-" + c.suffix
	rep, err = c.probe.do(ctx, http.MethodGet, "/cameras", url.Values{"serialNumber": {none}}, nil)
	if err != nil {
		return err
	}
	if found, ok := listOf(rep); ok && len(found) == 0 {
		c.res.add("A3", rep, true, "200 with an empty array for a serial no camera has")
	} else {
		c.res.add("A3", rep, false, "status %d with %d cameras; want 200 and an empty array for an unknown serial", rep.status, len(found))
	}
	if len(cams) == 0 {
		c.res.skip("A1", "GET /cameras/{cameraId}: the organisation has no camera")
		c.res.skip("A3", "lookup of a known serial: the organisation has no camera")
		return nil
	}
	cam := cams[0]
	for _, k := range cams {
		if c.cfg.Camera != "" && str(k, "id") == c.cfg.Camera {
			cam = k
		}
	}
	c.cameraPosition, c.cameraSite = str(cam, "cameraPositionId"), str(cam, "siteId")
	if _, _, err := c.checkGet(ctx, "cameras", "id", str(cam, "id")); err != nil {
		return err
	}
	serial := str(cam, "serialNumber")
	if serial == "" {
		c.res.skip("A3", "lookup of a known serial: the listed camera has no serialNumber")
		return nil
	}
	rep, err = c.probe.do(ctx, http.MethodGet, "/cameras", url.Values{"serialNumber": {serial}}, nil)
	if err != nil {
		return err
	}
	found, _ := listOf(rep)
	ok = len(found) == 1 && str(found[0], "id") == str(cam, "id")
	c.res.add("A3", rep, ok, "%d cameras for the serial of camera %s (want exactly that one)", len(found), str(cam, "id"))
	return nil
}
