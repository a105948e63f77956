package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
)

// checker runs the checks of one check-api invocation.
type checker struct {
	probe    *prober
	org      string
	readOnly bool
	// camera is the id of a camera the user lets A4 rename and restore.
	camera string
	// suffix makes this run's scratch names unique.
	suffix string
	res    *results
	// cameraPosition is a camera position of the organisation, for A5's link.
	cameraPosition string
}

// scratchPrefix starts the name of every object check-api creates.
const scratchPrefix = "hoxtonctl-check-"

func newSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (c *checker) scratchName() string { return scratchPrefix + c.suffix }

// object is a JSON object as the API answers it.
type object = map[string]any

func str(o object, k string) string {
	s, _ := o[k].(string)
	return s
}

// checkLists covers the read side of A2 on sites, and returns the sites it saw.
func (c *checker) checkLists(ctx context.Context) ([]object, error) {
	rep, err := c.probe.do(ctx, http.MethodGet, "/sites", url.Values{"organisationId": {c.org}}, nil)
	if err != nil {
		return nil, err
	}
	var sites []object
	switch {
	case rep.status != http.StatusOK:
		c.res.add("A2", rep, false, "status %d, want 200", rep.status)
		return nil, nil
	case !rep.json(&sites):
		c.res.add("A2", rep, false, "body is not a plain JSON array of objects")
		return nil, nil
	}
	for _, s := range sites {
		if org := str(s, "organisationId"); org != c.org {
			c.res.add("A2", rep, false, "site %s has organisationId %q: the list is not limited to the organisation", str(s, "id"), org)
			return sites, nil
		}
		if str(s, "state") == "deleted" {
			c.res.add("A2", rep, false, "site %s has state deleted: the list is not limited to active objects", str(s, "id"))
			return sites, nil
		}
	}
	c.res.add("A2", rep, true, "a JSON array of %d sites, all of organisation %s, none deleted", len(sites), c.org)
	return sites, nil
}

// checkGet covers the read side of A1: GET of an item of collection answers
// 200 with that object.
func (c *checker) checkGet(ctx context.Context, collection, id string) error {
	rep, err := c.probe.do(ctx, http.MethodGet, "/"+collection+"/"+url.PathEscape(id), nil, nil)
	if err != nil {
		return err
	}
	var o object
	switch {
	case rep.status != http.StatusOK:
		c.res.add("A1", rep, false, "status %d, want 200 with the object", rep.status)
	case !rep.json(&o) || str(o, "id") != id:
		c.res.add("A1", rep, false, "body is not the object with id %s", id)
	default:
		c.res.add("A1", rep, true, "200 with the %s object", collection)
	}
	return nil
}

// checkCameras covers A1 for cameras and A3, and remembers a camera position
// for A5.
func (c *checker) checkCameras(ctx context.Context) error {
	rep, err := c.probe.do(ctx, http.MethodGet, "/cameras", url.Values{"organisationId": {c.org}}, nil)
	if err != nil {
		return err
	}
	var cams []object
	if rep.status != http.StatusOK || !rep.json(&cams) {
		c.res.add("A2", rep, false, "status %d; want 200 with a JSON array of cameras", rep.status)
		return nil
	}
	c.res.add("A2", rep, true, "a JSON array of %d cameras", len(cams))

	// A serial nobody has: the lookup must answer an empty array, not 404.
	none := scratchPrefix + "serial-" + c.suffix
	rep, err = c.probe.do(ctx, http.MethodGet, "/cameras", url.Values{"serialNumber": {none}}, nil)
	if err != nil {
		return err
	}
	var found []object
	if rep.status == http.StatusOK && rep.json(&found) && len(found) == 0 {
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
	if c.camera != "" {
		for _, k := range cams {
			if str(k, "id") == c.camera {
				cam = k
			}
		}
	}
	c.cameraPosition = str(cam, "cameraPositionId")
	if err := c.checkGet(ctx, "cameras", str(cam, "id")); err != nil {
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
	found = nil
	ok := rep.status == http.StatusOK && rep.json(&found) && len(found) == 1 && str(found[0], "id") == str(cam, "id")
	c.res.add("A3", rep, ok, "%d cameras for the serial of camera %s (want exactly that one)", len(found), str(cam, "id"))
	return nil
}

// runReadChecks runs every check that writes nothing.
func (c *checker) runReadChecks(ctx context.Context) error {
	sites, err := c.checkLists(ctx)
	if err != nil {
		return err
	}
	// Only a site of the organisation: another's would answer 403, which says
	// nothing about A1 (and A2 has already failed for it).
	var own string
	for _, s := range sites {
		if str(s, "organisationId") == c.org && own == "" {
			own = str(s, "id")
		}
	}
	if own != "" {
		if err := c.checkGet(ctx, "sites", own); err != nil {
			return err
		}
	} else if c.readOnly {
		c.res.skip("A1", "GET /sites/{id}: the organisation has no site (and --read-only creates none)")
	}
	return c.checkCameras(ctx)
}
