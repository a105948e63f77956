package checkapi

import (
	"context"
	"fmt"
	"math"
	"net/http"

	"github.com/google/uuid"
)

// scratchRing is the closed ring of the scratch annotation, in fractions of
// the camera frame (A13), small and in a corner.
var scratchRing = [][]float64{{0.01, 0.01}, {0.05, 0.01}, {0.05, 0.04}, {0.01, 0.04}, {0.01, 0.01}}

// checkAnnotation covers A12 (roi is a GeoJSON Polygon with closed rings) and
// A13 (positions are 0..1 fractions, kept as sent) with a scratch annotation
// on the position of --camera: an annotation may change what a camera
// counts, so only a camera the user named is annotated.
func (c *checker) checkAnnotation(ctx context.Context) error {
	if c.cfg.Camera == "" || c.cameraPosition == "" {
		why := "an annotation may change what a camera counts: give --camera ID to let check-api annotate that camera for a moment"
		if c.cfg.Camera != "" {
			why = "camera " + c.cfg.Camera + " was not listed with a camera position"
		}
		c.res.skip("A12", why)
		c.res.skip("A13", why)
		return nil
	}
	id := uuid.NewString()
	roi := object{"type": "Polygon", "coordinates": [][][]float64{scratchRing}}
	rep, entry, err := c.create(ctx, "annotations", object{"id": id, "cameraPositionId": c.cameraPosition, "kind": "polygon", "roi": roi})
	if err != nil {
		return err
	}
	if rep.status != http.StatusCreated {
		c.res.add("A12", rep, false, "an annotation with a GeoJSON Polygon roi answered %d, want 201", rep.status)
		c.res.skip("A13", "the scratch annotation could not be created")
		return nil
	}
	got, rep, err := c.checkGet(ctx, "annotations", "id", id)
	if err != nil {
		return err
	}
	if got != nil {
		c.judgeROI(rep, got["roi"])
	}
	_, err = c.deleteScratch(ctx, entry)
	return err
}

// judgeROI records A12 (the shape) and A13 (the positions) of a read-back roi.
func (c *checker) judgeROI(rep *reply, roi any) {
	geo, _ := roi.(map[string]any)
	rings, _ := geo["coordinates"].([]any)
	shapeOK := str(geo, "type") == "Polygon" && len(rings) == 1 && closedRing(rings[0])
	c.res.add("A12", rep, shapeOK, "roi read back as type %q with %d rings, closed: %t (want a Polygon of one closed ring)",
		str(geo, "type"), len(rings), len(rings) == 1 && closedRing(rings[0]))

	var got [][]float64
	positions(roi, &got)
	same := len(got) == len(scratchRing)
	for i := 0; same && i < len(got); i++ {
		same = math.Abs(got[i][0]-scratchRing[i][0]) < 1e-9 && math.Abs(got[i][1]-scratchRing[i][1]) < 1e-9
	}
	first := "none"
	if len(got) > 0 {
		first = fmt.Sprint(got[0])
	}
	c.res.add("A13", rep, same, "%d positions read back, the first %s (want the %d fractions sent, the first %v)", len(got), first, len(scratchRing), scratchRing[0])
}

// closedRing tells whether v is a ring of positions whose last repeats its first.
func closedRing(v any) bool {
	ring, _ := v.([]any)
	if len(ring) < 4 {
		return false
	}
	return fmt.Sprint(ring[0]) == fmt.Sprint(ring[len(ring)-1])
}

// positions collects every [x, y] pair nested anywhere in v, in order, so
// that A13 judges the numbers whatever shape A12 finds.
func positions(v any, out *[][]float64) {
	arr, ok := v.([]any)
	if !ok {
		if m, isMap := v.(map[string]any); isMap {
			positions(m["coordinates"], out)
		}
		return
	}
	if len(arr) == 2 {
		x, xok := arr[0].(float64)
		y, yok := arr[1].(float64)
		if xok && yok {
			*out = append(*out, []float64{x, y})
			return
		}
	}
	for _, item := range arr {
		positions(item, out)
	}
}
