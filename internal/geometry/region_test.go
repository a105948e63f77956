package geometry

import (
	"strings"
	"testing"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// ring closes the positions given as x, y pairs.
func ring(xy ...float64) v1alpha1.LinearRing {
	var r v1alpha1.LinearRing
	for i := 0; i+1 < len(xy); i += 2 {
		r = append(r, v1alpha1.Position{xy[i], xy[i+1]})
	}
	return append(r, r[0])
}

// square is the square of half-side h around (x, y).
func square(x, y, h float64) v1alpha1.LinearRing {
	return ring(x-h, y-h, x+h, y-h, x+h, y+h, x-h, y+h)
}

func TestCheckRegion(t *testing.T) {
	poly := func(rings ...v1alpha1.LinearRing) v1alpha1.RegionOfInterest {
		return v1alpha1.RegionOfInterest{Polygon: rings}
	}
	tests := []struct {
		name string
		roi  v1alpha1.RegionOfInterest
		want string // a substring of the error; "" = accepted
	}{
		{"triangle", poly(ring(0, 0, 1, 0, 0.5, 1)), ""},
		{"square", poly(square(0.5, 0.5, 0.2)), ""},
		{"concave", poly(ring(0, 0, 1, 0, 1, 1, 0.5, 0.2, 0, 1)), ""},
		{"repeated position", poly(v1alpha1.LinearRing{{0, 0}, {1, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}), ""},
		{"hole inside", poly(square(0.5, 0.5, 0.4), square(0.5, 0.5, 0.1)), ""},
		{"two holes apart", poly(square(0.5, 0.5, 0.4), square(0.3, 0.3, 0.05), square(0.7, 0.7, 0.05)), ""},
		{"bow tie", poly(ring(0, 0, 1, 1, 1, 0, 0, 1)), "spec.roi.polygon ring 0 (the outline) crosses itself: edge [0,0]-[1,1] meets edge [1,0]-[0,1]"},
		{"touching itself", poly(ring(0, 0, 1, 0, 0.5, 0.5, 1, 1, 0, 1, 0.5, 0.5)), "crosses itself"},
		{"folding back", poly(ring(0, 0, 1, 0, 0.5, 0, 0.5, 1)), "crosses itself"},
		{"self-crossing hole", poly(square(0.5, 0.5, 0.4), ring(0.3, 0.3, 0.6, 0.6, 0.6, 0.3, 0.3, 0.6)), "ring 1 (a hole) crosses itself"},
		{"hole outside", poly(square(0.3, 0.3, 0.2), square(0.8, 0.8, 0.1)), "ring 1 (a hole) is not inside the outline"},
		{"hole crossing the outline", poly(square(0.4, 0.4, 0.2), square(0.6, 0.6, 0.1)), "ring 1 (a hole) is not inside the outline"},
		{"hole around the outline", poly(square(0.5, 0.5, 0.1), square(0.5, 0.5, 0.3)), "ring 1 (a hole) is not inside the outline"},
		{"overlapping holes", poly(square(0.5, 0.5, 0.4), square(0.45, 0.5, 0.1), square(0.55, 0.5, 0.1)), "rings 1 and 2 (holes) overlap"},
		{"nested holes", poly(square(0.5, 0.5, 0.4), square(0.5, 0.5, 0.2), square(0.5, 0.5, 0.1)), "rings 1 and 2 (holes) overlap"},
		{"multipolygon part", v1alpha1.RegionOfInterest{MultiPolygon: []v1alpha1.Polygon{{square(0.2, 0.2, 0.1)}, {ring(0, 0, 1, 1, 1, 0, 0, 1)}}},
			"spec.roi.multiPolygon[1] ring 0 (the outline) crosses itself"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckRegion(tc.roi)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
}
