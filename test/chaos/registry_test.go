package chaos

import (
	"slices"
	"testing"

	"github.com/hoxton-operator/hoxton-operator/internal/kinds"
)

// TestEveryKindHasAnExpectation keeps the comparison complete: a registered kind
// without an entry in expectations would go unchecked.
func TestEveryKindHasAnExpectation(t *testing.T) {
	for _, k := range kinds.Registry() {
		if !slices.ContainsFunc(expectations, func(e expectation) bool { return e.kind == k.Name }) {
			t.Errorf("kind %s is registered but has no entry in expectations", k.Name)
		}
	}
}

// TestScheduleIsReproducible: the same seed gives the same fault schedule.
func TestScheduleIsReproducible(t *testing.T) {
	a, b := newSchedule(42, fullProfile), newSchedule(42, fullProfile)
	if !slices.Equal(a.events, b.events) {
		t.Fatalf("two schedules from seed 42 differ")
	}
	kills := 0
	for _, e := range a.events {
		if e.what == "kill" || e.what == "kill-after-write" {
			kills++
		}
	}
	if kills != fullProfile.kills {
		t.Errorf("the full schedule kills %d times, want %d", kills, fullProfile.kills)
	}
}
