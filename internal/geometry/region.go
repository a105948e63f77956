// Package geometry checks the regions of interest of annotations. The CRD refuses
// what CEL can check cheaply (closed rings, three distinct positions, coordinates in
// the frame); whether a ring crosses itself, or a hole lies in its outline, needs
// every pair of edges, beyond CEL's cost budget for rings of 64 positions, so the
// Annotation kind checks it with CheckRegion before anything is written.
package geometry

import (
	"fmt"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// CheckRegion returns why roi is not a region HoxtonAi can draw, or nil: every ring
// must be simple (no edge crossing or touching another), and every hole must lie
// inside its outline without touching it or another hole.
func CheckRegion(roi v1alpha1.RegionOfInterest) error {
	if roi.MultiPolygon == nil {
		return checkPolygon("spec.roi.polygon", roi.Polygon)
	}
	for i, p := range roi.MultiPolygon {
		if err := checkPolygon(fmt.Sprintf("spec.roi.multiPolygon[%d]", i), p); err != nil {
			return err
		}
	}
	return nil
}

func checkPolygon(path string, p v1alpha1.Polygon) error {
	rings := make([][]point, len(p))
	for i, r := range p {
		rings[i] = ringOf(r)
		if a, b, ok := selfCrossing(rings[i]); ok {
			return fmt.Errorf("%s ring %d (%s) crosses itself: edge %s meets edge %s", path, i, ringRole(i),
				edgeString(rings[i], a), edgeString(rings[i], b))
		}
	}
	for i := 1; i < len(rings); i++ {
		if ringsTouch(rings[0], rings[i]) || !inside(rings[i][0], rings[0]) {
			return fmt.Errorf("%s ring %d (a hole) is not inside the outline (ring 0): a hole must lie within its outline without touching it", path, i)
		}
		for j := 1; j < i; j++ {
			if ringsTouch(rings[i], rings[j]) || inside(rings[i][0], rings[j]) || inside(rings[j][0], rings[i]) {
				return fmt.Errorf("%s rings %d and %d (holes) overlap: holes must not touch each other", path, j, i)
			}
		}
	}
	return nil
}

func ringRole(i int) string {
	if i == 0 {
		return "the outline"
	}
	return "a hole"
}

type point struct{ x, y float64 }

// ringOf returns the ring's positions without the closing repetition and without
// positions that repeat the one before (edges of length zero).
func ringOf(r v1alpha1.LinearRing) []point {
	var out []point
	for _, pos := range r {
		if len(pos) < 2 {
			continue
		}
		p := point{pos[0], pos[1]}
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	if len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	return out
}

// edge i of a ring runs from position i to position i+1 (the last back to the first).
func edge(r []point, i int) (point, point) { return r[i], r[(i+1)%len(r)] }

func edgeString(r []point, i int) string {
	a, b := edge(r, i)
	return fmt.Sprintf("[%g,%g]-[%g,%g]", a.x, a.y, b.x, b.y)
}

// selfCrossing finds two edges of a ring that meet anywhere but at the position two
// neighbouring edges share.
func selfCrossing(r []point) (int, int, bool) {
	n := len(r)
	if n < 3 {
		return 0, 0, false // refused by the CRD: fewer than 3 distinct positions
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			a, b := edge(r, i)
			c, d := edge(r, j)
			neighbours := j == i+1 || (i == 0 && j == n-1)
			if !neighbours && segmentsMeet(a, b, c, d) {
				return i, j, true
			}
			// Neighbours share one position; they must not run back along each other.
			if neighbours && collinearOverlap(a, b, c, d) {
				return i, j, true
			}
		}
	}
	return 0, 0, false
}

// ringsTouch reports whether any edge of r meets any edge of s.
func ringsTouch(r, s []point) bool {
	for i := range r {
		for j := range s {
			a, b := edge(r, i)
			c, d := edge(s, j)
			if segmentsMeet(a, b, c, d) {
				return true
			}
		}
	}
	return false
}

// inside reports whether p lies strictly inside ring r (even-odd rule); callers have
// ruled out p lying on an edge of r by ringsTouch.
func inside(p point, r []point) bool {
	in := false
	for i := range r {
		a, b := edge(r, i)
		if (a.y > p.y) != (b.y > p.y) && p.x < (b.x-a.x)*(p.y-a.y)/(b.y-a.y)+a.x {
			in = !in
		}
	}
	return in
}

// orientation is the sign of the turn a -> b -> c: 1 left, -1 right, 0 straight.
func orientation(a, b, c point) int {
	v := (b.x-a.x)*(c.y-a.y) - (b.y-a.y)*(c.x-a.x)
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// onSegment reports whether p, collinear with a and b, lies between them.
func onSegment(a, b, p point) bool {
	return min(a.x, b.x) <= p.x && p.x <= max(a.x, b.x) && min(a.y, b.y) <= p.y && p.y <= max(a.y, b.y)
}

// segmentsMeet reports whether segments ab and cd share at least one point.
func segmentsMeet(a, b, c, d point) bool {
	o1, o2, o3, o4 := orientation(a, b, c), orientation(a, b, d), orientation(c, d, a), orientation(c, d, b)
	if o1 != o2 && o3 != o4 {
		return true
	}
	return (o1 == 0 && onSegment(a, b, c)) || (o2 == 0 && onSegment(a, b, d)) ||
		(o3 == 0 && onSegment(c, d, a)) || (o4 == 0 && onSegment(c, d, b))
}

// collinearOverlap reports whether neighbouring edges ab and cd, which share one
// end, lie on one line and overlap beyond that end (the ring turns back on itself).
func collinearOverlap(a, b, c, d point) bool {
	if orientation(a, b, c) != 0 || orientation(a, b, d) != 0 {
		return false
	}
	// Of the four ends, the two that are not shared must lie on opposite sides of the
	// shared one for the edges to continue rather than fold back.
	shared, p, q := b, a, d
	switch {
	case b == c:
	case a == d:
		shared, p, q = a, b, c
	case a == c:
		shared, p, q = a, b, d
	case b == d:
		shared, p, q = b, a, c
	}
	return (p.x-shared.x)*(q.x-shared.x)+(p.y-shared.y)*(q.y-shared.y) > 0
}
