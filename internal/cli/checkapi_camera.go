package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/google/uuid"
)

// checkCameraUpdate covers A4. With --camera it renames that camera to a
// scratch name, reads it back, and restores its name and labels. Without,
// it only sends the write to an id no camera has: 405 would show there is no
// such write, anything else is inconclusive.
func (c *checker) checkCameraUpdate(ctx context.Context) error {
	if c.camera == "" {
		body := object{"name": c.scratchName(), "direction1Alias": "in", "direction2Alias": "out"}
		rep, err := c.probe.do(ctx, http.MethodPut, "/cameras/"+uuid.NewString(), nil, body)
		if err != nil {
			return err
		}
		if rep.status == http.StatusMethodNotAllowed {
			c.res.add("A4", rep, false, "405: the API has no PUT on a camera")
			return nil
		}
		c.res.skip("A4", fmt.Sprintf("PUT /cameras/{unknown id} answered %d, which does not tell whether the write exists; give --camera ID to let check-api rename one camera and restore it", rep.status))
		return nil
	}
	path := "/cameras/" + url.PathEscape(c.camera)
	rep, err := c.probe.do(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return err
	}
	var orig object
	if rep.status != http.StatusOK || !rep.json(&orig) {
		c.res.skip("A4", fmt.Sprintf("GET of --camera %s answered %d; nothing was written", c.camera, rep.status))
		return nil
	}
	scratchLabels := object{"name": c.scratchName(), "direction1Alias": c.scratchName() + "-1", "direction2Alias": c.scratchName() + "-2"}
	rep, err = c.probe.do(ctx, http.MethodPut, path, nil, scratchLabels)
	if err != nil {
		return err
	}
	if rep.status != http.StatusNoContent {
		c.res.add("A4", rep, false, "status %d, want 204", rep.status)
		if rep.status >= 300 {
			return nil
		}
	} else {
		c.res.add("A4", rep, true, "204")
	}
	// Whatever happened next, the camera gets its own name back.
	defer func() {
		restore := object{"name": str(orig, "name"), "direction1Alias": str(orig, "direction1Alias"), "direction2Alias": str(orig, "direction2Alias")}
		back, err := c.probe.do(context.WithoutCancel(ctx), http.MethodPut, path, nil, restore)
		switch {
		case err != nil:
			c.res.add("A4", nil, false, "restoring camera %s failed: %v: set its name to %q by hand", c.camera, err, str(orig, "name"))
		case back.status >= 300:
			c.res.add("A4", back, false, "restoring camera %s answered %d: set its name to %q by hand", c.camera, back.status, str(orig, "name"))
		default:
			c.res.add("A4", back, true, "%d: the camera's name and labels are restored", back.status)
		}
	}()
	rep, err = c.probe.do(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return err
	}
	var got object
	ok := rep.status == http.StatusOK && rep.json(&got) && str(got, "name") == c.scratchName() &&
		str(got, "direction1Alias") == c.scratchName()+"-1" && str(got, "direction2Alias") == c.scratchName()+"-2"
	c.res.add("A4", rep, ok, "name=%q direction1Alias=%q direction2Alias=%q after the rename", str(got, "name"), str(got, "direction1Alias"), str(got, "direction2Alias"))
	return nil
}
