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
