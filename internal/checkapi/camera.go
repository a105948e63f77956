package checkapi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/uuid"
)

// checkCameraUpdate covers A4. With --camera it renames that camera to a
// scratch name, reads it back, and restores its name and labels (an undo of
// the scratch log, so Ctrl-C restores it too). Without, it only sends the
// write to an id no camera has: 405 shows there is no such write, anything
// else is inconclusive.
func (c *checker) checkCameraUpdate(ctx context.Context) error {
	if c.cfg.Camera == "" {
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
	path := itemPath("cameras", c.cfg.Camera)
	rep, err := c.probe.do(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return err
	}
	var orig object
	if rep.status != http.StatusOK || !rep.json(&orig) {
		c.res.skip("A4", fmt.Sprintf("GET of --camera %s answered %d; nothing was written", c.cfg.Camera, rep.status))
		return nil
	}
	restore := object{"name": str(orig, "name"), "direction1Alias": str(orig, "direction1Alias"), "direction2Alias": str(orig, "direction2Alias")}
	entry := c.scratch.add(Scratch{Kind: "cameras", ID: c.cfg.Camera,
		ByHand: fmt.Sprintf("set its name to %q and its direction labels to %q and %q", restore["name"], restore["direction1Alias"], restore["direction2Alias"])},
		func(ctx context.Context) error { return c.restoreCamera(ctx, path, restore) })
	scratchLabels := object{"name": c.scratchName(), "direction1Alias": c.scratchName() + "-1", "direction2Alias": c.scratchName() + "-2"}
	rep, err = c.probe.do(ctx, http.MethodPut, path, nil, scratchLabels)
	if err != nil {
		return err
	}
	if rep.status != http.StatusNoContent {
		c.res.add("A4", rep, false, "status %d, want 204", rep.status)
		if rep.status >= 300 {
			c.scratch.done(entry)
			return nil
		}
	} else {
		c.res.add("A4", rep, true, "204")
	}
	rep, err = c.probe.do(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return err
	}
	var got object
	ok := rep.status == http.StatusOK && rep.json(&got) && str(got, "name") == c.scratchName() &&
		str(got, "direction1Alias") == c.scratchName()+"-1" && str(got, "direction2Alias") == c.scratchName()+"-2"
	c.res.add("A4", rep, ok, "name=%q direction1Alias=%q direction2Alias=%q after the rename", str(got, "name"), str(got, "direction1Alias"), str(got, "direction2Alias"))
	rep, err = c.probe.do(ctx, http.MethodPut, path, nil, restore)
	if err != nil || rep.status >= 300 {
		return err // the scratch log restores it, or says how
	}
	c.scratch.done(entry)
	c.res.add("A4", rep, true, "%d: the camera's name and labels are restored", rep.status)
	return nil
}

// restoreCamera puts back a camera's name and direction labels.
func (c *checker) restoreCamera(ctx context.Context, path string, restore object) error {
	rep, err := c.probe.do(ctx, http.MethodPut, path, nil, restore)
	if err != nil {
		return err
	}
	if rep.status >= 300 {
		return fmt.Errorf("restoring the camera answered %d", rep.status)
	}
	return nil
}
