package checkapi

import (
	"context"
	"net/http"
	"net/url"

	"github.com/google/uuid"
)

// monitorLinks is the link collection of A5 that check-api writes.
const monitorLinks = "people-count-monitor-camera-positions"

// checkMonitorLink covers A5 with a link of the scratch monitor to a camera
// position of the organisation: upsert with the direction mapping, read
// back, list by owner (also A2.owner), delete, gone.
func (c *checker) checkMonitorLink(ctx context.Context, monitor string) error {
	if c.cameraPosition == "" {
		c.res.skip("A5", "a camera-position link needs a camera in the organisation, and none was listed")
		return nil
	}
	link := uuid.NewString()
	rep, entry, err := c.create(ctx, monitorLinks, object{"id": link, "peopleCountMonitorId": monitor,
		"cameraPositionId": c.cameraPosition, "direction1Maps": "direction2", "direction2Maps": "direction1"})
	if err != nil {
		return err
	}
	if rep.status != http.StatusCreated {
		c.res.add("A5", rep, false, "upsert of a link answered %d, want 201", rep.status)
		return nil
	}
	c.res.add("A5", rep, true, "201: the link was created")
	got, rep, err := c.checkGet(ctx, monitorLinks, "id", link)
	if err != nil {
		return err
	}
	if got != nil {
		ok := str(got, "direction1Maps") == "direction2" && str(got, "direction2Maps") == "direction1"
		c.res.add("A5", rep, ok, "direction1Maps=%q direction2Maps=%q (want direction2, direction1)", str(got, "direction1Maps"), str(got, "direction2Maps"))
	}
	rep, err = c.probe.do(ctx, http.MethodGet, "/"+monitorLinks, url.Values{"peopleCountMonitorId": {monitor}}, nil)
	if err != nil {
		return err
	}
	c.res.add("A5", rep, containsID(rep, link), "listing by peopleCountMonitorId holds the link: %t", containsID(rep, link))
	c.checkAllOf(rep, "A2.owner", "peopleCountMonitorId", func(m string) bool { return m == monitor }, "the scratch monitor")
	rep, err = c.deleteScratch(ctx, entry)
	if err != nil {
		return err
	}
	if rep.status != http.StatusNoContent && rep.status != http.StatusOK {
		c.res.add("A5", rep, false, "DELETE of the link answered %d, want 204", rep.status)
		return nil
	}
	c.res.add("A5", rep, true, "%d: the link was deleted", rep.status)
	return c.checkGone(ctx, "A5", monitorLinks, link)
}
