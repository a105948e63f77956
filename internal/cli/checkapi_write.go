package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/google/uuid"
)

// scratch is an object check-api created, to delete at the end.
type scratch struct{ collection, id string }

// containsID tells whether a list reply holds an object with id.
func containsID(rep *reply, id string) bool {
	var items []object
	if rep.status != http.StatusOK || !rep.json(&items) {
		return false
	}
	return slices.ContainsFunc(items, func(o object) bool { return str(o, "id") == id })
}

// put upserts body on collection and records the scratch object when it was created.
func (c *checker) put(ctx context.Context, created *[]scratch, collection string, body object) (*reply, error) {
	rep, err := c.probe.do(ctx, http.MethodPut, "/"+collection, nil, body)
	if err == nil && (rep.status == http.StatusCreated || rep.status == http.StatusNoContent || rep.status == http.StatusOK) {
		id := str(body, "id")
		if !slices.Contains(*created, scratch{collection, id}) {
			*created = append(*created, scratch{collection, id})
		}
	}
	return rep, err
}

// forget drops a scratch object that has been deleted.
func forget(created *[]scratch, collection, id string) {
	*created = slices.DeleteFunc(*created, func(s scratch) bool { return s == scratch{collection, id} })
}

// checkGone covers the second half of A1: after DELETE, GET answers 404 or
// 200 with state deleted.
func (c *checker) checkGone(ctx context.Context, id, collection, objID string) error {
	rep, err := c.probe.do(ctx, http.MethodGet, "/"+collection+"/"+url.PathEscape(objID), nil, nil)
	if err != nil {
		return err
	}
	var o object
	switch {
	case rep.status == http.StatusNotFound:
		c.res.add(id, rep, true, "404 after DELETE")
	case rep.status == http.StatusOK && rep.json(&o) && str(o, "state") == "deleted":
		c.res.add(id, rep, true, "200 with state deleted after DELETE")
	default:
		c.res.add(id, rep, false, "status %d, state %q after DELETE; want 404 or 200 with state deleted", rep.status, str(o, "state"))
	}
	return nil
}

// runWriteChecks creates a scratch site, a people-count monitor on it and
// (when the organisation has a camera) a camera-position link, checks A1,
// A2, A5 and A8 along their lifecycle, and returns what it created so that
// cleanup can delete whatever is left.
func (c *checker) runWriteChecks(ctx context.Context, created *[]scratch) error {
	site := uuid.NewString()
	rep, err := c.put(ctx, created, "sites", object{"id": site, "name": c.scratchName(), "organisationId": c.org})
	if err != nil {
		return err
	}
	if rep.status != http.StatusCreated {
		// Nothing else can be checked without the site.
		c.res.add("A1", rep, false, "creating the scratch site answered %d, want 201; write checks stopped", rep.status)
		return nil
	}
	if err := c.checkGet(ctx, "sites", site); err != nil {
		return err
	}
	rep, err = c.probe.do(ctx, http.MethodGet, "/sites", url.Values{"organisationId": {c.org}}, nil)
	if err != nil {
		return err
	}
	c.res.add("A2", rep, containsID(rep, site), "the list holds the new scratch site: %t", containsID(rep, site))

	if err := c.checkMonitorLink(ctx, created, site); err != nil {
		return err
	}
	// The monitor goes before its site, as the operator deletes them.
	for _, s := range slices.Clone(*created) {
		if s.collection == "people-count-monitors" {
			if rep, err := c.probe.do(ctx, http.MethodDelete, "/people-count-monitors/"+s.id, nil, nil); err == nil && rep.status < 300 {
				forget(created, s.collection, s.id)
			}
		}
	}

	rep, err = c.probe.do(ctx, http.MethodDelete, "/sites/"+site, nil, nil)
	if err != nil {
		return err
	}
	if rep.status != http.StatusNoContent && rep.status != http.StatusOK {
		c.res.add("A1", rep, false, "DELETE of the scratch site answered %d; the deleted-object checks did not run", rep.status)
		return nil
	}
	forget(created, "sites", site)
	if err := c.checkGone(ctx, "A1", "sites", site); err != nil {
		return err
	}
	rep, err = c.probe.do(ctx, http.MethodGet, "/sites", url.Values{"organisationId": {c.org}}, nil)
	if err != nil {
		return err
	}
	c.res.add("A2", rep, rep.status == http.StatusOK && !containsID(rep, site), "the list leaves out the deleted scratch site: %t", !containsID(rep, site))

	rep, err = c.put(ctx, created, "sites", object{"id": site, "name": c.scratchName(), "organisationId": c.org})
	if err != nil {
		return err
	}
	c.res.add("A8", rep, rep.status == http.StatusGone, "PUT of the deleted scratch site's id answered %d, want 410", rep.status)
	return nil
}

// checkMonitorLink creates a scratch people-count monitor on site, checks
// that it lists by siteId (A2), then links it to a camera position (A5).
func (c *checker) checkMonitorLink(ctx context.Context, created *[]scratch, site string) error {
	monitor := uuid.NewString()
	rep, err := c.put(ctx, created, "people-count-monitors", object{"id": monitor, "siteId": site, "name": c.scratchName()})
	if err != nil {
		return err
	}
	if rep.status != http.StatusCreated {
		c.res.add("A2", rep, false, "creating the scratch monitor answered %d, want 201", rep.status)
		c.res.skip("A5", "the scratch monitor could not be created")
		return nil
	}
	rep, err = c.probe.do(ctx, http.MethodGet, "/people-count-monitors", url.Values{"siteId": {site}}, nil)
	if err != nil {
		return err
	}
	c.res.add("A2", rep, containsID(rep, monitor), "listing by siteId holds the scratch monitor: %t", containsID(rep, monitor))

	if c.cameraPosition == "" {
		c.res.skip("A5", "a camera-position link needs a camera in the organisation, and none was listed")
		return nil
	}
	const links = "people-count-monitor-camera-positions"
	link := uuid.NewString()
	rep, err = c.put(ctx, created, links, object{"id": link, "peopleCountMonitorId": monitor,
		"cameraPositionId": c.cameraPosition, "direction1Maps": "direction2", "direction2Maps": "direction1"})
	if err != nil {
		return err
	}
	if rep.status != http.StatusCreated {
		c.res.add("A5", rep, false, "upsert of a link answered %d, want 201", rep.status)
		return nil
	}
	c.res.add("A5", rep, true, "201: the link was created")
	rep, err = c.probe.do(ctx, http.MethodGet, "/"+links+"/"+link, nil, nil)
	if err != nil {
		return err
	}
	var got object
	ok := rep.status == http.StatusOK && rep.json(&got) && str(got, "direction1Maps") == "direction2" && str(got, "direction2Maps") == "direction1"
	c.res.add("A5", rep, ok, "direction1Maps=%q direction2Maps=%q (want direction2, direction1)", str(got, "direction1Maps"), str(got, "direction2Maps"))
	rep, err = c.probe.do(ctx, http.MethodGet, "/"+links, url.Values{"peopleCountMonitorId": {monitor}}, nil)
	if err != nil {
		return err
	}
	c.res.add("A5", rep, containsID(rep, link), "listing by peopleCountMonitorId holds the link: %t", containsID(rep, link))
	rep, err = c.probe.do(ctx, http.MethodDelete, "/"+links+"/"+link, nil, nil)
	if err != nil {
		return err
	}
	if rep.status != http.StatusNoContent && rep.status != http.StatusOK {
		c.res.add("A5", rep, false, "DELETE of the link answered %d, want 204", rep.status)
		return nil
	}
	c.res.add("A5", rep, true, "%d: the link was deleted", rep.status)
	forget(created, links, link)
	return c.checkGone(ctx, "A5", links, link)
}

// cleanup deletes, newest first, every scratch object still there. A 404 or
// 410 means it is gone already. It reports what it could not delete, by id,
// so the user can remove it by hand.
func (c *checker) cleanup(ctx context.Context, created []scratch) []string {
	var left []string
	for i := len(created) - 1; i >= 0; i-- {
		s := created[i]
		rep, err := c.probe.do(ctx, http.MethodDelete, "/"+s.collection+"/"+url.PathEscape(s.id), nil, nil)
		switch {
		case err != nil:
			left = append(left, fmt.Sprintf("%s/%s (%v)", s.collection, s.id, err))
		case rep.status < 300, rep.status == http.StatusNotFound, rep.status == http.StatusGone:
		default:
			left = append(left, fmt.Sprintf("%s/%s (DELETE answered %d)", s.collection, s.id, rep.status))
		}
	}
	return left
}
