package checkapi

import (
	"context"
	"net/http"
	"net/url"

	"github.com/google/uuid"
)

// checkGone covers the second half of A1 (under id, for links A5): after
// DELETE, GET answers 404 or 200 with state deleted.
func (c *checker) checkGone(ctx context.Context, id, collection, objID string) error {
	rep, err := c.probe.do(ctx, http.MethodGet, itemPath(collection, objID), nil, nil)
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

// checkSiteLifecycle creates a scratch site and a people-count monitor on
// it, and follows them through A1, A2 (A2.org, A2.site, A2.pages), A5, A9,
// deletion and A8.
func (c *checker) checkSiteLifecycle(ctx context.Context) error {
	site := uuid.NewString()
	body := object{"id": site, "name": c.scratchName(), "organisationId": c.org}
	rep, siteEntry, err := c.create(ctx, "sites", body)
	if err != nil {
		return err
	}
	if rep.status != http.StatusCreated {
		c.res.add("A1", rep, false, "creating the scratch site answered %d, want 201; the site checks stopped", rep.status)
		return nil
	}
	if _, _, err := c.checkGet(ctx, "sites", "id", site); err != nil {
		return err
	}
	rep, err = c.probe.do(ctx, http.MethodGet, "/sites", url.Values{"organisationId": {c.org}}, nil)
	if err != nil {
		return err
	}
	c.res.add("A2", rep, containsID(rep, site), "the list holds the new scratch site: %t", containsID(rep, site))
	if items, _ := listOf(rep); !c.pagingChecked {
		if err := c.checkPaging(ctx, rep, len(items)); err != nil {
			return err
		}
	}
	if err := c.checkMonitor(ctx, site); err != nil {
		return err
	}
	rep, err = c.deleteScratch(ctx, siteEntry)
	if err != nil {
		return err
	}
	if rep.status != http.StatusNoContent && rep.status != http.StatusOK {
		c.res.add("A1", rep, false, "DELETE of the scratch site answered %d; the deleted-object checks did not run", rep.status)
		return nil
	}
	if err := c.checkGone(ctx, "A1", "sites", site); err != nil {
		return err
	}
	rep, err = c.probe.do(ctx, http.MethodGet, "/sites", url.Values{"organisationId": {c.org}}, nil)
	if err != nil {
		return err
	}
	_, isList := listOf(rep)
	c.res.add("A2", rep, isList && !containsID(rep, site), "the list leaves out the deleted scratch site: %t", !containsID(rep, site))

	rep, _, err = c.create(ctx, "sites", body)
	if err != nil {
		return err
	}
	c.res.add("A8", rep, rep.status == http.StatusGone, "PUT of the deleted scratch site's id answered %d, want 410", rep.status)
	return nil
}

// checkMonitor creates a scratch people-count monitor on site, lists it by
// siteId (A2.site), links it to a camera position (A5), names it in a
// people_count alert (A9), then deletes them, links before owners.
func (c *checker) checkMonitor(ctx context.Context, site string) error {
	monitor := uuid.NewString()
	rep, entry, err := c.create(ctx, "people-count-monitors", object{"id": monitor, "siteId": site, "name": c.scratchName()})
	if err != nil {
		return err
	}
	if rep.status != http.StatusCreated {
		c.res.add("A1", rep, false, "creating the scratch monitor answered %d, want 201", rep.status)
		c.res.skip("A5", "the scratch monitor could not be created")
		c.res.skip("A9", "the scratch monitor could not be created")
		return nil
	}
	rep, err = c.probe.do(ctx, http.MethodGet, "/people-count-monitors", url.Values{"organisationId": {c.org}, "siteId": {site}}, nil)
	if err != nil {
		return err
	}
	c.res.add("A2.site", rep, containsID(rep, monitor), "listing by siteId holds the scratch monitor: %t", containsID(rep, monitor))
	c.checkAllOf(rep, "A2.site", "siteId", func(s string) bool { return s == site }, "the scratch site")
	if err := c.checkMonitorLink(ctx, monitor); err != nil {
		return err
	}
	if err := c.checkAlert(ctx, site, monitor); err != nil {
		return err
	}
	_, err = c.deleteScratch(ctx, entry)
	return err
}

// checkAlert covers A9: a people_count alert of the scratch monitor keeps
// the monitor in configurationDetails.peopleCountMonitorId.
func (c *checker) checkAlert(ctx context.Context, site, monitor string) error {
	alert := uuid.NewString()
	rep, entry, err := c.create(ctx, "alerts", object{"id": alert, "name": c.scratchName(), "alertType": "people_count",
		"organisationId": c.org, "siteId": site, "configurationDetails": object{"peopleCountMonitorId": monitor}})
	if err != nil {
		return err
	}
	if rep.status != http.StatusCreated {
		c.res.add("A9", rep, false, "a people_count alert naming its monitor in configurationDetails answered %d, want 201", rep.status)
		return nil
	}
	got, rep, err := c.checkGet(ctx, "alerts", "id", alert)
	if err != nil {
		return err
	}
	if got != nil {
		details, _ := got["configurationDetails"].(map[string]any)
		c.res.add("A9", rep, str(details, "peopleCountMonitorId") == monitor,
			"configurationDetails.peopleCountMonitorId=%q (want the scratch monitor %s)", str(details, "peopleCountMonitorId"), monitor)
	}
	_, err = c.deleteScratch(ctx, entry)
	return err
}
