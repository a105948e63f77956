package kinds_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	eventsv1 "k8s.io/api/events/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// seedSite puts an active site straight into the fake, for kinds that need a site
// (by siteID) without depending on the Site controller.
func seedSite(t testing.TB) string {
	t.Helper()
	id := uuid.NewString()
	env.API.SetObject("sites", map[string]any{
		"id": id, "name": "Seeded site " + id[:8], "organisationId": env.API.OrganisationID(), "state": "active",
	})
	return id
}

// seedCamera puts a running, claimed camera straight into the fake and returns it.
func seedCamera(t testing.TB, siteID, serial string) map[string]any {
	t.Helper()
	cam := map[string]any{
		"id": uuid.NewString(), "serialNumber": serial, "name": "Seeded " + serial,
		"organisationId": env.API.OrganisationID(), "siteId": siteID, "cameraPositionId": uuid.NewString(),
		"state": "running", "isOnline": true,
	}
	env.API.SetObject("cameras", cam)
	return cam
}

// fakeObject returns the fake's object, failing the test when it does not exist.
func fakeObject(t testing.TB, collection, id string) map[string]any {
	t.Helper()
	o, ok := env.API.Object(collection, id)
	if !ok {
		t.Fatalf("no %s %q in the fake", collection, id)
	}
	return o
}

// fakeField returns a field of a fake object as a string ("" when absent).
func fakeField(o map[string]any, field string) string {
	switch v := o[field].(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

// activeObjects returns the fake's objects of a collection that are not soft-deleted
// and match every given field.
func activeObjects(collection string, fields map[string]string) []map[string]any {
	var out []map[string]any
	for _, o := range env.API.Objects(collection) {
		if o["state"] == "deleted" {
			continue
		}
		match := true
		for k, v := range fields {
			match = match && fakeField(o, k) == v
		}
		if match {
			out = append(out, o)
		}
	}
	return out
}

// apiCalls counts the fake's API requests from a moment on.
type apiCalls struct{ since time.Time }

// countCalls starts counting.
func countCalls() apiCalls { return apiCalls{since: time.Now()} }

// requests returns the requests since the start that match (all when match is nil).
func (c apiCalls) requests(match func(hoxtontest.Request) bool) []hoxtontest.Request {
	var out []hoxtontest.Request
	for _, r := range env.API.Requests() {
		if !r.Time.Before(c.since) && (match == nil || match(r)) {
			out = append(out, r)
		}
	}
	return out
}

// count counts the requests since the start with that method and a path starting with
// pathPrefix ("" matches any).
func (c apiCalls) count(method, pathPrefix string) int {
	return len(c.requests(func(r hoxtontest.Request) bool {
		return (method == "" || r.Method == method) && strings.HasPrefix(r.Path, pathPrefix)
	}))
}

// writes counts the write requests since the start.
func (c apiCalls) writes() int {
	return len(c.requests(func(r hoxtontest.Request) bool { return isWrite(r.Method) }))
}

// acceptedWrites counts the write requests since the start that the service took
// (2xx): a claim answered 409 changes nothing.
func (c apiCalls) acceptedWrites() []hoxtontest.Request {
	return c.requests(func(r hoxtontest.Request) bool { return isWrite(r.Method) && r.Status < 300 })
}

func isWrite(method string) bool {
	switch method {
	case http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodPatch:
		return true
	}
	return false
}

// summary formats requests as "GET=5 PUT=2 DELETE=1 total=8", methods in a fixed order.
func summary(reqs []hoxtontest.Request) string {
	counts := map[string]int{}
	for _, r := range reqs {
		counts[r.Method]++
	}
	var parts []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if counts[m] > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", m, counts[m]))
		}
	}
	return strings.Join(append(parts, fmt.Sprintf("total=%d", len(reqs))), " ")
}

// describeRequests lists requests for failure messages.
func describeRequests(reqs []hoxtontest.Request) string {
	lines := make([]string, 0, len(reqs))
	for _, r := range reqs {
		line := fmt.Sprintf("%s %s -> %d", r.Method, r.Path, r.Status)
		if r.Query != "" {
			line = fmt.Sprintf("%s %s?%s -> %d", r.Method, r.Path, r.Query, r.Status)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n  ")
}

// ---- events ----

// events returns the events of the namespace about the object named name.
func events(t testing.TB, ns, name string) []eventsv1.Event {
	t.Helper()
	list := &eventsv1.EventList{}
	if err := env.Client.List(ctx, list, client.InNamespace(ns)); err != nil {
		t.Fatalf("listing events in %s: %v", ns, err)
	}
	return slices.DeleteFunc(list.Items, func(e eventsv1.Event) bool { return e.Regarding.Name != name })
}

// waitEvent waits for an event with the reason about the object named name, and
// returns it.
func waitEvent(t testing.TB, ns, name, reason string) eventsv1.Event {
	t.Helper()
	var found eventsv1.Event
	eventually(t, fmt.Sprintf("a %s event about %s/%s", reason, ns, name), func() (bool, string) {
		var seen []string
		for _, e := range events(t, ns, name) {
			if e.Reason == reason {
				found = e
				return true, ""
			}
			seen = append(seen, e.Reason)
		}
		return false, fmt.Sprintf("events: %v", seen)
	})
	return found
}
