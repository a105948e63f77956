package chaos

import (
	"slices"
	"testing"
	"time"

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

// TestShardScheduleIsReproducible: the same seed gives the same sharded schedule,
// with the move after a middle wave and the first kill during the move.
func TestShardScheduleIsReproducible(t *testing.T) {
	sp := shardProfiles[fullProfile.name]
	a, b := newShardSchedule(42, sp), newShardSchedule(42, sp)
	if !slices.Equal(a.events, b.events) {
		t.Fatalf("two sharded schedules from seed 42 differ")
	}
	var move time.Duration
	var kills []time.Duration
	for _, e := range a.events {
		switch e.what {
		case "move":
			move = e.at
		case "kill":
			kills = append(kills, e.at)
		}
	}
	if move <= a.waves[0] || move >= a.waves[fleetWaves-1] {
		t.Errorf("the move at %s is not between the first and the last wave %v", move, a.waves)
	}
	if len(kills) != sp.kills || !slices.ContainsFunc(kills, func(k time.Duration) bool { return k > move && k < move+2*time.Second }) {
		t.Errorf("kills at %v, want %d of them, one within 2s after the move at %s", kills, sp.kills, move)
	}
}
