package kinds_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// driftDeadline is how soon drift must be put back: a few poll intervals.
const driftDeadline = 3*pollInterval + 2*time.Second

// lifecycleRun drives one object of a kind through its lifecycle.
type lifecycleRun struct {
	kc kindCase
	f  fixture
	// poke, when set, wakes the object's reconciler at once instead of waiting for the
	// poll (for runs with a long poll interval).
	poke func(t testing.TB, o managed.Object)
	// phases, when set, receives the API requests of each phase, counted from its
	// start until the API has been quiet for a moment after it completed.
	phases func(phase string, reqs []hoxtontest.Request)
}

// run creates the object, changes its spec, changes it behind the operator's back
// and deletes it, checking the fake at every step.
func (r lifecycleRun) run(t *testing.T) {
	kc := r.kc
	o := kc.build(r.f, "lifecycle")

	// 1. Create: Ready and Synced at the generation, and the right object in the fake.
	phase := r.startPhase()
	create(t, o)
	waitReady(t, o)
	id := o.GetManagedStatus().ExternalID
	if id == "" {
		t.Fatalf("%s is Ready without status.externalID: %s", kc.kind, describeStatus(o))
	}
	fake := fakeObject(t, kc.collection, id)
	if d := kc.mismatch(o, fake); d != "" {
		t.Fatalf("after create, the fake's %s %s differs from the spec: %s", kc.kind, id, d)
	}
	if got := fakeField(fake, "state"); got != kc.liveState {
		t.Fatalf("after create, the fake's %s is in state %q, want %q", kc.kind, got, kc.liveState)
	}
	r.endPhase(t, "create", phase)

	// 2. Spec change: updated in the fake, same object.
	phase = r.startPhase()
	update(t, o, func(o managed.Object) { kc.mutate(o) })
	waitReady(t, o)
	if got := o.GetManagedStatus().ExternalID; got != id {
		t.Fatalf("the spec change moved status.externalID from %s to %s", id, got)
	}
	if d := kc.mismatch(o, fakeObject(t, kc.collection, id)); d != "" {
		t.Fatalf("after the spec change (generation %d), the fake's %s differs from the spec: %s", o.GetGeneration(), kc.kind, d)
	}
	r.endPhase(t, "update", phase)

	// 3. Drift: a change behind the operator's back is put back by the poll.
	phase = r.startPhase()
	if !env.API.PatchObject(kc.collection, id, kc.drift) {
		t.Fatalf("the fake has no %s %s to drift", kc.collection, id)
	}
	if r.poke != nil {
		r.poke(t, o)
	}
	eventuallyWithin(t, driftDeadline, fmt.Sprintf("the drift %v of %s %s to be put back", kc.drift, kc.kind, id), func() (bool, string) {
		d := kc.mismatch(o, fakeObject(t, kc.collection, id))
		return d == "", d
	})
	waitReady(t, o)
	r.endPhase(t, "drift", phase)

	// 4. Delete: soft-deleted (cameras: paused) in the fake, and gone from Kubernetes.
	phase = r.startPhase()
	deleteObject(t, o)
	waitGone(t, o)
	if kc.hardDeleted {
		if _, exists := env.API.Object(kc.collection, id); exists {
			t.Fatalf("after deletion the fake still holds %s %s", kc.kind, id)
		}
	} else if got := fakeField(fakeObject(t, kc.collection, id), "state"); got != kc.deletedState {
		t.Fatalf("after deletion the fake's %s %s is in state %q, want %q", kc.kind, id, got, kc.deletedState)
	}
	ev := waitEvent(t, r.f.ns, o.GetName(), managed.ReasonDeleted)
	if !strings.Contains(ev.Note, id) || !strings.Contains(ev.Note, kc.deletionNote) {
		t.Fatalf("the Deleted event says %q; want it to name %s and say %q", ev.Note, id, kc.deletionNote)
	}
	r.endPhase(t, "delete", phase)
}

func (r lifecycleRun) startPhase() apiCalls { return countCalls() }

func (r lifecycleRun) endPhase(t testing.TB, name string, c apiCalls) {
	if r.phases == nil {
		return
	}
	waitQuiet(t)
	r.phases(name, c.requests(objectCalls))
}

// objectCalls matches the API requests a managed object makes, leaving out the
// Connection's own checks of its organisation.
func objectCalls(r hoxtontest.Request) bool { return !strings.HasPrefix(r.Path, "/organisations") }

// waitQuiet waits until the fake has had no object request for half a second, so
// that the requests of a reconcile still in flight are counted where they belong.
// Connection checks (of every namespace the suite made) are not object requests.
func waitQuiet(t testing.TB) {
	t.Helper()
	const quiet = 500 * time.Millisecond
	eventually(t, "the API to be quiet for "+quiet.String(), func() (bool, string) {
		var reqs []hoxtontest.Request
		for _, r := range env.API.Requests() {
			if objectCalls(r) {
				reqs = append(reqs, r)
			}
		}
		if len(reqs) == 0 {
			return true, ""
		}
		last := reqs[len(reqs)-1]
		return time.Since(last.Time) > quiet, fmt.Sprintf("last request %s %s at %s", last.Method, last.Path, last.Time.Format(time.StampMilli))
	})
}

// pokeByAnnotation wakes an object's reconciler by changing an annotation, which the
// controller watches (like the pause annotation), in place of a poll.
func pokeByAnnotation(t testing.TB, o managed.Object) {
	t.Helper()
	update(t, o, func(o managed.Object) {
		a := o.GetAnnotations()
		if a == nil {
			a = map[string]string{}
		}
		a["test.hoxtonai.dev/poke"] = time.Now().Format(time.RFC3339Nano)
		o.SetAnnotations(a)
	})
}

// forEachKind runs test once per managed kind, each in a namespace of its own with a
// working Connection and a seeded fixture.
func forEachKind(t *testing.T, test func(t *testing.T, kc kindCase, f fixture)) {
	for _, kc := range kindCases {
		t.Run(kc.kind, func(t *testing.T) {
			ns := newConnectedNamespace(t)
			test(t, kc, newFixture(t, ns))
		})
	}
}

// TestLifecycle: create -> Ready/Synced and the right object in the fake; spec change
// -> updated; a change behind the operator's back -> put back by the poll; delete ->
// soft-deleted (cameras: paused, with the event saying why) and gone from Kubernetes.
// In between, steady state writes nothing.
func TestLifecycle(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	forEachKind(t, func(t *testing.T, kc kindCase, f fixture) {
		lifecycleRun{kc: kc, f: f}.run(t)
	})
}

// TestSteadyStateWritesNothing: an object that matches its spec is only read, once per
// poll interval, and its status is not rewritten.
func TestSteadyStateWritesNothing(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	f := newFixture(t, ns)
	var objs []managed.Object
	for _, kc := range kindCases {
		o := kc.build(f, "steady-"+strings.ToLower(kc.kind))
		create(t, o)
		objs = append(objs, o)
	}
	for _, o := range objs {
		waitFor(t, o, "Ready and Synced", isReadyAndSynced)
	}
	// Polls go on (every object every interval), so wait for the writes to stop.
	eventually(t, "no write for a second", func() (bool, string) {
		var last time.Time
		for _, r := range env.API.Requests() {
			if isWrite(r.Method) {
				last = r.Time
			}
		}
		return time.Since(last) > time.Second, "last write at " + last.Format(time.StampMilli)
	})
	versions := map[string]string{}
	for _, o := range objs {
		versions[o.GetName()] = o.GetResourceVersion()
	}
	calls, writes := countCalls(), env.API.CountWrites()
	window := 3 * pollInterval
	consistently(t, window, "no API writes", func() (bool, string) {
		return env.API.CountWrites() == writes, describeRequests(calls.requests(func(r hoxtontest.Request) bool { return isWrite(r.Method) }))
	})
	// The poll did run: every object was read at least once per interval, and at
	// most about twice (jitter), which also bounds the reads.
	reads := calls.requests(func(r hoxtontest.Request) bool { return r.Method == "GET" && objectCalls(r) })
	if least, most := len(objs)*2, len(objs)*4*2; len(reads) < least || len(reads) > most {
		t.Fatalf("%d object reads in %s with a %s poll; want %d..%d:\n  %s", len(reads), window, pollInterval, least, most, describeRequests(reads))
	}
	for _, o := range objs {
		get(t, o)
		if o.GetResourceVersion() != versions[o.GetName()] {
			t.Errorf("%s %s was rewritten in steady state: %s", o.GetObjectKind().GroupVersionKind().Kind, o.GetName(), describeStatus(o))
		}
	}
}

// TestAPICallsPerLifecycle counts the API requests of each kind's lifecycle (create,
// update, drift, delete) with the poll replaced by explicit wake-ups, so that the
// figures do not depend on timing, and checks that a poll of an object in sync reads
// and never writes.
func TestAPICallsPerLifecycle(t *testing.T) {
	startManager(t, operator.Options{PollInterval: longPollInterval})
	forEachKind(t, func(t *testing.T, kc kindCase, f fixture) {
		waitDefaultConnectionReady(t, f.ns)
		waitQuiet(t)
		var all []hoxtontest.Request
		var perPhase []string
		lifecycleRun{kc: kc, f: f, poke: pokeByAnnotation, phases: func(phase string, reqs []hoxtontest.Request) {
			all = append(all, reqs...)
			perPhase = append(perPhase, fmt.Sprintf("%s: %s", phase, summary(reqs)))
		}}.run(t)
		t.Logf("API calls for %s lifecycle: %s", kc.kind, summary(all))
		t.Logf("API calls for %s lifecycle by phase: %s", kc.kind, strings.Join(perPhase, "; "))
		if len(all) > kc.lifecycleBudget {
			t.Errorf("the %s lifecycle made %d API requests, over its budget of %d: %s", kc.kind, len(all), kc.lifecycleBudget, strings.Join(perPhase, "; "))
		}

		// A poll of an object in sync: reads only.
		o := kc.build(f, "polled")
		create(t, o)
		waitReady(t, o)
		waitQuiet(t)
		calls := countCalls()
		pokeByAnnotation(t, o)
		eventually(t, "the poll to read the object", func() (bool, string) {
			return calls.count("GET", "") > 0, "no read yet"
		})
		waitQuiet(t)
		reqs := calls.requests(objectCalls)
		if w := calls.writes(); w != 0 {
			t.Fatalf("a poll of a %s in sync wrote:\n  %s", kc.kind, describeRequests(reqs))
		}
		t.Logf("API calls for %s poll in steady state: %s", kc.kind, summary(reqs))
		// A poll reads its object, or lists its collection (hoxton/sweep.go) when the
		// collection was polled often enough: the first list is checked by one GET.
		if budget := kc.pollBudget + 1; len(reqs) > budget {
			t.Errorf("a poll of a %s in sync made %d API requests, over its budget of %d:\n  %s", kc.kind, len(reqs), budget, describeRequests(reqs))
		}
	})
}
