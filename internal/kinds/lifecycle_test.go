package kinds_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
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

// TestDeletionPolicyOrphan: deleting an object with deletionPolicy Orphan leaves the
// HoxtonAi object as it is.
func TestDeletionPolicyOrphan(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	forEachKind(t, func(t *testing.T, kc kindCase, f fixture) {
		o := kc.build(f, "orphan")
		o.GetManagedSpec().DeletionPolicy = v1alpha1.DeletionPolicyOrphan
		create(t, o)
		waitReady(t, o)
		id := o.GetManagedStatus().ExternalID
		calls := countCalls()
		deleteObject(t, o)
		waitGone(t, o)
		fake := fakeObject(t, kc.collection, id)
		if got := fakeField(fake, "state"); got != kc.liveState {
			t.Fatalf("the orphaned %s %s is in state %q, want %q", kc.kind, id, got, kc.liveState)
		}
		if d := kc.mismatch(o, fake); d != "" {
			t.Fatalf("the orphaned %s %s was changed: %s", kc.kind, id, d)
		}
		if w := calls.requests(func(r hoxtontest.Request) bool { return isWrite(r.Method) }); len(w) > 0 {
			t.Fatalf("orphaning wrote to the API:\n  %s", describeRequests(w))
		}
		waitEvent(t, f.ns, o.GetName(), managed.ReasonOrphaned)
	})
}

// TestObserveOnly: an object adopted with managementPolicy ObserveOnly reports drift
// (Synced=False/Drifted) and never writes, not even when it is deleted. The kinds run
// in parallel: none of them may write, so the fake's write count must not move at all.
func TestObserveOnly(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	forEachKind(t, func(t *testing.T, kc kindCase, f fixture) {
		t.Parallel()
		o := kc.build(f, "observed")
		id := kc.seed(t, f, o)
		before := fakeObject(t, kc.collection, id)
		o.GetManagedSpec().ExternalID = id
		o.GetManagedSpec().ManagementPolicy = v1alpha1.ManagementPolicyObserveOnly
		writes, calls := env.API.CountWrites(), countCalls()

		create(t, o)
		waitFor(t, o, "Ready=True and Synced=False/Drifted", func(o managed.Object) bool {
			return hasCondition(o, conditions.TypeReady, metav1.ConditionTrue, conditions.ReasonAvailable) &&
				hasCondition(o, conditions.TypeSynced, metav1.ConditionFalse, conditions.ReasonDrifted) &&
				cond(o, conditions.TypeSynced).ObservedGeneration == o.GetGeneration()
		})
		if got := o.GetManagedStatus().ExternalID; got != id {
			t.Fatalf("status.externalID is %q, want the observed %s", got, id)
		}
		differs := kc.seedDiffers
		if differs == "" {
			differs = "name"
		}
		if msg := cond(o, conditions.TypeSynced).Message; !strings.Contains(msg, differs) {
			t.Fatalf("the Drifted message %q does not say what differs (%s)", msg, differs)
		}
		consistently(t, 3*pollInterval, "zero API writes while observing", func() (bool, string) {
			return env.API.CountWrites() == writes, describeRequests(calls.requests(func(r hoxtontest.Request) bool { return isWrite(r.Method) }))
		})
		if reads := calls.count("GET", "/"+kc.collection+"/"+id); reads < 2 {
			t.Fatalf("%d reads of the observed %s in %s; want the poll to keep reading it", reads, kc.kind, 3*pollInterval)
		}
		waitEvent(t, f.ns, o.GetName(), managed.ReasonDrifted)

		deleteObject(t, o)
		waitGone(t, o)
		if w := env.API.CountWrites() - writes; w != 0 {
			t.Fatalf("observing and deleting an ObserveOnly %s wrote %d times:\n  %s", kc.kind, w,
				describeRequests(calls.requests(func(r hoxtontest.Request) bool { return isWrite(r.Method) })))
		}
		if after := fakeObject(t, kc.collection, id); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("the observed %s changed in the fake:\nbefore %v\nafter  %v", kc.kind, before, after)
		}
	})
}

// TestAdoption: an object created directly in HoxtonAi and named by spec.externalID is
// adopted and updated to match the spec; no second object is created.
func TestAdoption(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	forEachKind(t, func(t *testing.T, kc kindCase, f fixture) {
		o := kc.build(f, "adopted")
		id := kc.seed(t, f, o)
		if d := kc.mismatch(o, fakeObject(t, kc.collection, id)); d == "" {
			t.Fatalf("the seeded %s already matches the spec; the test would prove nothing", kc.kind)
		}
		o.GetManagedSpec().ExternalID = id
		confirmAdoption(o)
		objects, calls := len(env.API.Objects(kc.collection)), countCalls()

		create(t, o)
		waitReady(t, o)
		if got := o.GetManagedStatus().ExternalID; got != id {
			t.Fatalf("status.externalID is %q, want the adopted %s", got, id)
		}
		if d := kc.mismatch(o, fakeObject(t, kc.collection, id)); d != "" {
			t.Fatalf("the adopted %s %s was not updated to match the spec: %s", kc.kind, id, d)
		}
		if n := len(env.API.Objects(kc.collection)); n != objects {
			t.Fatalf("the fake holds %d %s after adoption, want %d (no second object)", n, kc.collection, objects)
		}
		if n := calls.count("POST", "/cameras"); n != 0 {
			t.Fatalf("adoption claimed %d cameras, want none", n)
		}
		waitEvent(t, f.ns, o.GetName(), managed.ReasonAdopted)
	})
}

// TestAdoptionOfMissingObject: a spec.externalID that names no HoxtonAi object is a
// Terminal error, and nothing is created in its place.
func TestAdoptionOfMissingObject(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	forEachKind(t, func(t *testing.T, kc kindCase, f fixture) {
		o := kc.build(f, "nothing")
		o.GetManagedSpec().ExternalID = uuid.NewString()
		confirmAdoption(o)
		calls := countCalls()
		create(t, o)
		waitSyncedFalse(t, o, conditions.ReasonTerminal)
		if msg := cond(o, conditions.TypeSynced).Message; !strings.Contains(msg, "no such HoxtonAi object to adopt") {
			t.Fatalf("the Terminal message %q does not say there is nothing to adopt", msg)
		}
		if w := calls.writes(); w != 0 {
			t.Fatalf("adopting nothing wrote to the API:\n  %s", describeRequests(calls.requests(nil)))
		}
	})
}

// TestTerminalError: a 422 from the service stops retries until the next poll:
// Synced=False/Terminal with the service's message and a bounded number of calls;
// once the service accepts the request, the object converges.
func TestTerminalError(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	forEachKind(t, func(t *testing.T, kc kindCase, f fixture) {
		env.API.AddFault(kc.createFault)
		t.Cleanup(env.API.ClearFaults)
		o := kc.build(f, "rejected")
		create(t, o)
		waitSyncedFalse(t, o, conditions.ReasonTerminal)
		msg := cond(o, conditions.TypeSynced).Message
		if !strings.Contains(msg, "422") || !strings.Contains(msg, "injected fault: Unprocessable Entity") {
			t.Fatalf("the Terminal message %q does not carry the service's answer", msg)
		}
		if hasCondition(o, conditions.TypeReady, metav1.ConditionTrue, "") {
			t.Fatalf("a %s the service refused to create is Ready: %s", kc.kind, describeStatus(o))
		}
		waitEvent(t, f.ns, o.GetName(), managed.ReasonTerminalError)

		calls := countCalls()
		const window, most = 5 * time.Second, 3
		consistently(t, window, fmt.Sprintf("at most %d %s %s in %s", most, kc.createFault.Method, kc.createFault.PathPrefix, window), func() (bool, string) {
			n := calls.count(kc.createFault.Method, kc.createFault.PathPrefix)
			return n <= most, fmt.Sprintf("%d requests:\n  %s", n, describeRequests(calls.requests(nil)))
		})
		if n := calls.count(kc.createFault.Method, kc.createFault.PathPrefix); n == 0 {
			t.Fatalf("no retry within %s (poll %s): a Terminal error must be retried at the next poll", window, pollInterval)
		}

		env.API.ClearFaults()
		waitReady(t, o)
		if d := kc.mismatch(o, fakeObject(t, kc.collection, o.GetManagedStatus().ExternalID)); d != "" {
			t.Fatalf("after the service accepted it, the fake's %s differs: %s", kc.kind, d)
		}
	})
}

// TestTerminalErrorFromValidation: the service's own validation message reaches the
// Synced condition. The operator checks a literal site id once, before the first
// write; a site deleted in the Control Room after that is the service's to refuse.
func TestTerminalErrorFromValidation(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	f := newFixture(t, ns)
	o := peopleCountMonitorCase.build(f, "dangling")
	create(t, o)
	waitReady(t, o)
	if !env.API.PatchObject("sites", f.siteID, map[string]any{"state": "deleted"}) {
		t.Fatalf("no site %s in the fake", f.siteID)
	}
	update(t, o, func(o managed.Object) { peopleCountMonitorCase.mutate(o) })
	waitSyncedFalse(t, o, conditions.ReasonTerminal)
	msg := cond(o, conditions.TypeSynced).Message
	if want := "siteId: site " + f.siteID + " is deleted"; !strings.Contains(msg, want) {
		t.Fatalf("the Terminal message %q does not carry the service's %q", msg, want)
	}
}

// TestConnectionSecretMissing: a Connection whose Secret does not exist yet reports
// SecretNotFound, objects using it report ReferencesNotReady, and everything converges
// once the Secret is created.
func TestConnectionSecretMissing(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	for _, kc := range kindCases {
		t.Run(kc.kind, func(t *testing.T) {
			ns := newNamespace(t)
			f := newFixture(t, ns)
			conn := env.Connection(ns, v1alpha1.DefaultConnectionName, "late-credentials")
			create(t, conn)
			o := kc.build(f, "waiting")
			create(t, o)

			waitConnection(t, conn, metav1.ConditionFalse, conditions.ReasonSecretNotFound)
			waitSyncedFalse(t, o, conditions.ReasonReferencesNotReady)
			if msg := cond(o, conditions.TypeSynced).Message; !strings.Contains(msg, `Connection "default"`) {
				t.Fatalf("the ReferencesNotReady message %q does not name the Connection", msg)
			}
			if o.GetManagedStatus().ExternalID != "" && kc.kind == "Camera" {
				t.Fatalf("a camera was claimed without a Connection: %s", describeStatus(o))
			}

			create(t, testenv.ConnectionSecret(ns, "late-credentials"))
			waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
			waitReady(t, o)
			if d := kc.mismatch(o, fakeObject(t, kc.collection, o.GetManagedStatus().ExternalID)); d != "" {
				t.Fatalf("the fake's %s differs from the spec: %s", kc.kind, d)
			}
		})
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
		if len(reqs) > kc.pollBudget {
			t.Errorf("a poll of a %s in sync made %d API requests, over its budget of %d:\n  %s", kc.kind, len(reqs), kc.pollBudget, describeRequests(reqs))
		}
	})
}
