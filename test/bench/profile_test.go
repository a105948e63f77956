package bench

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// shortProfile is the manager binary's run in `make test`: a few dozen objects, a
// restart window of seconds (the requests are still given per minute). shardShort
// (shards_test.go) is the shards' comparison's.
var shortProfile = binaryProfile{objects: 20, poll: 10 * time.Minute, budgetRPS: 200,
	restartWindow: 3 * time.Second, sample: time.Second, gcWait: time.Second, inSyncTimeout: 2 * time.Minute, applyTimeout: time.Minute}

// The figures each run must report: those of the goals in README.md's benchmark table.
var (
	fleetFigures      = []string{"objects", "required-writes", "floor-s", "s-to-in-sync", "x-floor", "api-req/object", "req/write", "token-req", "status-writes/object"}
	saturationFigures = []string{"objects", "budget-req/s", "saturated-req/s", "s-to-apply-change"}
	memoryFigures     = []string{"objects", "rss-MiB", "anon-rss-MiB", "heap-inuse-MiB", "live-heap-MiB"}
	restartFigures    = append(slices.Clone(memoryFigures), "s-to-in-sync", "s-to-apply-change", "restart-req/min", "restart-goal-req/min", "req/object/poll", "heap-KiB/extra-object")
	// mayBeZero are figures a healthy short run can leave at zero: the Connection's
	// check takes the token before the fleet is made, and a few dozen objects may
	// not make the manager collect garbage between the slope's two readings.
	mayBeZero = []string{"token-req", "heap-KiB/extra-object"}
)

// TestBenchShortProfile runs the benchmarks' code on small fleets (the spec change
// under saturating polls; the manager binary, its metrics scraped over HTTPS with a
// ServiceAccount token, with every way of making a fleet, the restart and the slope)
// and checks that each run reports every figure, so that `make bench` cannot break
// without `make test` failing. The figures themselves mean little at this size; they
// are logged as the benchmark prints them.
func TestBenchShortProfile(t *testing.T) {
	t.Run("fleet", func(t *testing.T) {
		rec := recorder{}
		convergeFleet(t, rec, "short-fleet", 20)
		rec.check(t, fleetFigures)
	})
	t.Run("spec-change-under-polls", func(t *testing.T) {
		rec := recorder{}
		changeUnderPolls(t, rec, saturationShort, "short-saturated")
		rec.check(t, saturationFigures)
	})
	h := newBinaryHarness(t)
	t.Run("shards", func(t *testing.T) {
		rec := recorder{}
		compareShards(t, rec, h, shardShort, "short-shards")
		rec.check(t, shardFigures)
	})
	for _, how := range madeByAll {
		t.Run("manager-binary/made-by="+how.name, func(t *testing.T) {
			rec := recorder{}
			runManagerBinary(t, rec, h, shortProfile, how, "short-"+how.name)
			want := memoryFigures
			if how.restart {
				want = restartFigures
			}
			rec.check(t, want)
		})
	}
}

// recorder keeps a run's figures by unit.
type recorder map[string]float64

func (r recorder) ReportMetric(n float64, unit string) { r[unit] = n }

// check logs the figures as a benchmark line and fails for a missing figure, an
// unexpected one, or one that is zero or not a number.
func (r recorder) check(t *testing.T, want []string) {
	t.Helper()
	units := make([]string, 0, len(r))
	for u := range r {
		units = append(units, u)
	}
	slices.Sort(units)
	var line []string
	for _, u := range units {
		line = append(line, fmt.Sprintf("%.4g %s", r[u], u))
		if !slices.Contains(want, u) {
			t.Errorf("figure %s is reported but not checked here: add it to the lists above", u)
		}
	}
	t.Logf("%s: %s", t.Name(), strings.Join(line, "\t"))
	for _, u := range want {
		n, ok := r[u]
		switch {
		case !ok:
			t.Errorf("figure %s is not reported", u)
		case math.IsNaN(n) || math.IsInf(n, 0):
			t.Errorf("figure %s is %v", u, n)
		case n == 0 && !slices.Contains(mayBeZero, u):
			t.Errorf("figure %s is 0", u)
		}
	}
}
