package checkapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// ownerFilters are the link collections and the owner each is listed by (A2).
var ownerFilters = []struct{ collection, owner string }{
	{"people-count-monitor-camera-positions", "peopleCountMonitorId"},
	{"occupancy-monitor-camera-positions", "occupancyMonitorId"},
	{"peel-off-monitor-camera-positions", "peelOffMonitorId"},
	{"alert-notification-group-mappings", "alertId"},
	{"alert-camera-position-mappings", "alertId"},
	{"alert-occupancy-monitor-mappings", "alertId"},
	{"notification-group-notification-groups", "parentId"},
}

// checkFilters covers the list filters the operator relies on without
// writing: A2.org and A2.sweep on monitors (whose objects name a site, not the
// organisation), A2.site on cameras, and A2.owner on every link collection.
func (c *checker) checkFilters(ctx context.Context) error {
	rep, err := c.probe.do(ctx, http.MethodGet, "/people-count-monitors", url.Values{"organisationId": {c.org}}, nil)
	if err != nil {
		return err
	}
	if c.sites != nil {
		c.checkAllOf(rep, "A2.org", "siteId", func(site string) bool { return c.sites[site] }, "a site of the organisation")
	}
	if err := c.checkSweep(ctx, "people-count-monitors", rep); err != nil {
		return err
	}
	if c.cameraSite != "" {
		rep, err := c.probe.do(ctx, http.MethodGet, "/cameras", url.Values{"organisationId": {c.org}, "siteId": {c.cameraSite}}, nil)
		if err != nil {
			return err
		}
		c.checkAllOf(rep, "A2.site", "siteId", func(s string) bool { return s == c.cameraSite }, "site "+c.cameraSite)
	} else {
		c.res.skip("A2.site", "cameras by siteId: the organisation has no camera")
	}
	// An owner that does not exist: the answer must be empty. A service that
	// ignored the filter would answer the organisation's links, if it has any.
	for _, f := range ownerFilters {
		rep, err := c.probe.do(ctx, http.MethodGet, "/"+f.collection, url.Values{f.owner: {uuid.NewString()}}, nil)
		if err != nil {
			return err
		}
		items, ok := listOf(rep)
		switch {
		case !ok:
			c.res.add("A2.owner", rep, false, "status %d; want 200 with a JSON array", rep.status)
		case len(items) > 0:
			c.res.add("A2.owner", rep, false, "%d links for an owner (%s) that does not exist: the filter is ignored", len(items), f.owner)
		default:
			c.res.add("A2.owner", rep, true, "an empty array for an owner (%s) that does not exist", f.owner)
		}
	}
	return nil
}

// checkAllOf records, under id, whether every object of a list answer has a
// field value that belongs (per in, described by want).
func (c *checker) checkAllOf(rep *reply, id, field string, in func(string) bool, want string) {
	items, ok := listOf(rep)
	if !ok {
		c.res.add(id, rep, false, "status %d; want 200 with a JSON array", rep.status)
		return
	}
	for _, o := range items {
		if !in(str(o, field)) {
			c.res.add(id, rep, false, "%s has %s %q, not %s: the filter is not applied", str(o, "id"), field, str(o, field), want)
			return
		}
	}
	c.res.add(id, rep, true, "all %d objects have %s of %s", len(items), field, want)
}

// checkPaging covers A2.pages on a list answer of n sites: it carries no
// paging header, and ?limit=1 is refused as unknown or ignored. A service
// that honours limit pages, and then likely has a default page size: the
// operator reads one answer and would miss what is on later pages.
func (c *checker) checkPaging(ctx context.Context, first *reply, n int) error {
	if h := pagingHeader(first.header, n); h != "" {
		c.res.add("A2.pages", first, false, "the answer has the paging header %s", h)
	} else {
		c.res.add("A2.pages", first, true, "no paging header (Link rel=next, X-Total-Count above the count, X-Next-*, X-Page*, X-Pagination-*)")
	}
	if n < 2 {
		if c.cfg.ReadOnly {
			c.res.skip("A2.pages", fmt.Sprintf("?limit=1: %d sites cannot tell whether a limit is honoured", n))
		}
		return nil
	}
	c.pagingChecked = true
	q := url.Values{"organisationId": {c.org}, "limit": {"1"}}
	rep, err := c.probe.do(ctx, http.MethodGet, "/sites", q, nil)
	if err != nil {
		return err
	}
	items, ok := listOf(rep)
	switch {
	case rep.status == http.StatusBadRequest || rep.status == http.StatusUnprocessableEntity:
		c.res.add("A2.pages", rep, true, "%d: limit is not a list parameter", rep.status)
	case ok && len(items) >= n:
		c.res.add("A2.pages", rep, true, "limit is ignored: all %d sites answered", len(items))
	case ok:
		c.res.add("A2.pages", rep, false, "limit=1 answered %d of %d sites: lists page (%s)", len(items), n, c.nextPage(ctx, items))
	default:
		c.res.add("A2.pages", rep, false, "status %d for ?limit=1; want 400 (unknown) or the whole list", rep.status)
	}
	return nil
}

// nextPage finds out how a paging list selects its next page.
func (c *checker) nextPage(ctx context.Context, firstPage []object) string {
	for _, p := range []struct{ param, value string }{{"page", "2"}, {"offset", "1"}, {"skip", "1"}} {
		q := url.Values{"organisationId": {c.org}, "limit": {"1"}, p.param: {p.value}}
		rep, err := c.probe.do(ctx, http.MethodGet, "/sites", q, nil)
		if err != nil {
			return "next page unknown"
		}
		if items, ok := listOf(rep); ok && len(items) > 0 && len(firstPage) > 0 && str(items[0], "id") != str(firstPage[0], "id") {
			return fmt.Sprintf("the next page by %s=%s", p.param, p.value)
		}
	}
	return "next page by neither page=, offset= nor skip="
}

// pagingHeader names a response header of a list of n objects that
// announces more pages, or "".
func pagingHeader(h http.Header, n int) string {
	for k, v := range h {
		lk := strings.ToLower(k)
		switch {
		case lk == "link" && strings.Contains(strings.ToLower(strings.Join(v, ",")), `rel="next"`),
			lk == "x-total-count" && strings.TrimSpace(strings.Join(v, "")) != strconv.Itoa(n),
			strings.HasPrefix(lk, "x-next"),
			strings.HasPrefix(lk, "x-page"), strings.HasPrefix(lk, "x-pagination"):
			return k
		}
	}
	return ""
}
