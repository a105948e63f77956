package kinds_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// TestTwoCamerasOneSerial: a second Camera with a serial another Camera manages is
// refused with a condition naming the first, changes nothing, and deleting it leaves
// the first's camera running.
func TestTwoCamerasOneSerial(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	f := newFixture(t, ns)
	first := cameraCase.build(f, "first").(*v1alpha1.Camera)
	create(t, first)
	waitReady(t, first)
	second := cameraCase.build(f, "second").(*v1alpha1.Camera)
	second.Spec.SerialNumber = first.Spec.SerialNumber
	second.Spec.Name = "A rival name"
	create(t, second)
	waitSyncedFalse(t, second, conditions.ReasonTerminal)
	if msg := cond(second, conditions.TypeSynced).Message; !strings.Contains(msg, `Camera "first"`) {
		t.Fatalf("the refusal %q does not name the Camera that manages the serial", msg)
	}
	calls := countCalls()
	consistently(t, 2*pollInterval, "no accepted write for the refused camera", func() (bool, string) {
		w := calls.acceptedWrites()
		return len(w) == 0, describeRequests(w)
	})
	if second.Status.ExternalID != "" {
		t.Fatalf("the refused camera recorded an id: %s", describeStatus(second))
	}
	deleteObject(t, second)
	waitGone(t, second)
	cam := fakeObject(t, "cameras", first.Status.ExternalID)
	if got := fakeField(cam, "state"); got != "running" {
		t.Fatalf("deleting the refused camera left the first's camera %q, want running", got)
	}
	if d := cameraCase.mismatch(first, cam); d != "" {
		t.Fatalf("the first camera was changed: %s", d)
	}
}

// TestTwoObjectsOneExternalID: a second Site adopting the HoxtonAi site another Site
// manages is refused with a condition naming the first.
func TestTwoObjectsOneExternalID(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	f := newFixture(t, ns)
	first := siteCase.build(f, "first")
	create(t, first)
	waitReady(t, first)
	second := siteCase.build(f, "second")
	second.GetManagedSpec().ExternalID = first.GetManagedStatus().ExternalID
	calls := countCalls()
	create(t, second)
	waitSyncedFalse(t, second, conditions.ReasonTerminal)
	if msg := cond(second, conditions.TypeSynced).Message; !strings.Contains(msg, `Site "first"`) {
		t.Fatalf("the refusal %q does not name the Site that manages the id", msg)
	}
	if w := calls.writes(); w != 0 {
		t.Fatalf("the refused adoption wrote:\n  %s", describeRequests(calls.requests(nil)))
	}
}

// TestExternalIDAddedLater: adding spec.externalID to an object that manages its own
// HoxtonAi object is refused before any write; removing it once set is refused by the
// API server.
func TestExternalIDAddedLater(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	f := newFixture(t, ns)
	o := siteCase.build(f, "own")
	create(t, o)
	waitReady(t, o)
	own := o.GetManagedStatus().ExternalID
	other := siteCase.seed(t, f, o)
	calls := countCalls()
	update(t, o, func(o managed.Object) { o.GetManagedSpec().ExternalID = other })
	waitSyncedFalse(t, o, conditions.ReasonTerminal)
	if msg := cond(o, conditions.TypeSynced).Message; !strings.Contains(msg, own) || !strings.Contains(msg, "already manages") {
		t.Fatalf("the refusal %q does not say which object this one manages", msg)
	}
	if got := o.GetManagedStatus().ExternalID; got != own {
		t.Fatalf("status.externalID moved from %s to %s", own, got)
	}
	if w := calls.writes(); w != 0 {
		t.Fatalf("adding spec.externalID wrote:\n  %s", describeRequests(calls.requests(nil)))
	}
	o.GetManagedSpec().ExternalID = ""
	err := env.Client.Update(ctx, o)
	if err == nil || !strings.Contains(err.Error(), "externalID cannot be removed") {
		t.Fatalf("removing spec.externalID: %v, want refused by the CRD", err)
	}
}

// TestUnknownTimeZone: a well-formed time zone name that the IANA database does not
// know is Terminal before any write.
func TestUnknownTimeZone(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	f := newFixture(t, ns)
	o := siteCase.build(f, "mars").(*v1alpha1.Site)
	o.Spec.TimeZone = "Mars/Olympus_Mons"
	calls := countCalls()
	create(t, o)
	waitSyncedFalse(t, o, conditions.ReasonTerminal)
	if msg := cond(o, conditions.TypeSynced).Message; !strings.Contains(msg, "Mars/Olympus_Mons") {
		t.Fatalf("the Terminal message %q does not name the time zone", msg)
	}
	if w := calls.writes(); w != 0 {
		t.Fatalf("a site with an unknown time zone was written:\n  %s", describeRequests(calls.requests(nil)))
	}
}

// TestLongMessagesFitEvents: a service message far over the API server's event limit
// still produces its Warning event, cut to fit.
func TestLongMessagesFitEvents(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	f := newFixture(t, ns)
	env.API.AddFault(hoxtontest.Fault{Method: "PUT", PathPrefix: "/sites", Status: 422, Message: strings.Repeat("name is not acceptable. ", 300)})
	t.Cleanup(env.API.ClearFaults)
	o := siteCase.build(f, "verbose")
	create(t, o)
	ev := waitEvent(t, ns, o.GetName(), managed.ReasonTerminalError)
	if n := len(ev.Note); n > 1024 || !strings.Contains(ev.Note, "name is not acceptable") {
		t.Fatalf("the event note has %d bytes (limit 1024): %.80q…", n, ev.Note)
	}
}

// TestCanonicalIDs: ids are compared byte for byte, so the CRDs accept only the
// canonical lower-case UUID form.
func TestCanonicalIDs(t *testing.T) {
	ns := newNamespace(t)
	for name, id := range map[string]string{"upper": strings.ToUpper(uuid.NewString()), "no-dashes": strings.ReplaceAll(uuid.NewString(), "-", "")} {
		o := &v1alpha1.Site{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: v1alpha1.SiteSpec{Name: "x"}}
		o.Spec.ExternalID = id
		if err := env.Client.Create(ctx, o); err == nil || !strings.Contains(err.Error(), "externalID") {
			t.Errorf("spec.externalID %q: %v, want refused", id, err)
		}
	}
}
