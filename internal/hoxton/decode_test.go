package hoxton

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// answerOf returns a JSON body just under MaxResponseBytes: prefix, then elem
// repeated with commas, then suffix.
func answerOf(prefix, elem, suffix string) []byte {
	var b bytes.Buffer
	b.WriteString(prefix)
	b.WriteString(elem)
	for b.Len()+1+len(elem)+len(suffix) <= MaxResponseBytes {
		b.WriteString(",")
		b.WriteString(elem)
	}
	b.WriteString(suffix)
	return b.Bytes()
}

// rawReply answers 200 with body as it is.
func rawReply(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}
}

// allocatedDuring returns the bytes the process allocated while f ran: the cost of
// an answer shows there even when the garbage collector frees it before f returns.
func allocatedDuring(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// The answer that crashed the manager: a 4 MiB list of empty objects from a server a
// tenant's own Connection points at. Each empty object became a whole struct (or a
// map), and one list call grew the heap by hundreds of MiB. Lists of every shape and
// single objects holding such lists are refused before they are decoded, as a
// Terminal error that says how large the answer was without repeating it.
func TestHugeAnswersAreRefusedBeforeDecoding(t *testing.T) {
	const maxAllocated = 64 << 20
	const list = "HoxtonAi answered a list of"
	const values = "JSON values"
	const id = "5a0c3b8e-8f1e-4c59-9d4b-6a1c2e3f4a5b"
	monitorLinks := LinkCollection{Path: "/people-count-monitor-camera-positions", Resource: "people-count-monitor-camera-positions",
		OwnerField: "peopleCountMonitorId", TargetField: "cameraPositionId"}
	for _, tc := range []struct {
		name string
		body []byte
		call func(context.Context, *Client) error
		want string
	}{
		{"cameras", answerOf("[", "{}", "]"), func(ctx context.Context, c *Client) error {
			_, err := c.ListCameras(ctx, "")
			return err
		}, list},
		{"sites", answerOf("[", "{}", "]"), func(ctx context.Context, c *Client) error {
			_, err := Sites.List(ctx, c)
			return err
		}, list},
		{"links", answerOf("[", "{}", "]"), func(ctx context.Context, c *Client) error {
			_, err := monitorLinks.List(ctx, c, id)
			return err
		}, list},
		{"numbers", answerOf("[", "1", "]"), func(ctx context.Context, c *Client) error {
			_, err := c.ListUsers(ctx, "")
			return err
		}, list},
		{"object holding a list", answerOf(`{"id":"`+id+`","roi":{"coordinates":[`, "{}", "]}}"), func(ctx context.Context, c *Client) error {
			_, err := Annotations.Get(ctx, c, id)
			return err
		}, values},
		{"object holding numbers", answerOf(`{"id":"`+id+`","openingHour":{"monday":[`, "1", "]}}"), func(ctx context.Context, c *Client) error {
			_, err := Sites.Get(ctx, c, id)
			return err
		}, values},
		{"link holding a list", answerOf(`{"id":"`+id+`","x":[`, "[]", "]}"), func(ctx context.Context, c *Client) error {
			_, err := monitorLinks.Get(ctx, c, id)
			return err
		}, values},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, rawReply(tc.body))
			c := newTestClient(t, ts, nil, nil)
			var err error
			allocated := allocatedDuring(func() { err = tc.call(testContext(t, 30*time.Second), c) })
			if allocated > maxAllocated {
				t.Errorf("the call allocated %d MiB, want under %d MiB", allocated>>20, maxAllocated>>20)
			}
			if !errors.Is(err, ErrAnswerRefused) || !IsTerminal(err) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v (class %s), want a Terminal refusal saying %q", err, Classify(err), tc.want)
			}
			if len(err.Error()) > 300 {
				t.Errorf("the error repeats the answer (%d bytes)", len(err.Error()))
			}
			t.Logf("%s; %d MiB allocated", err, allocated>>20)
		})
	}
}

// The bound is far from what an organisation holds: a list of MaxListItems objects
// with their fields is decoded.
func TestListsUpToTheBoundAreDecoded(t *testing.T) {
	items := make([]string, MaxListItems)
	for i := range items {
		items[i] = fmt.Sprintf(`{"id":"%08d-0000-4000-8000-000000000000","name":"Site %d","address":"%d High Street","timeZone":"Europe/London","state":"active"}`, i, i, i)
	}
	ts := newTestServer(t, rawReply([]byte("["+strings.Join(items, ",")+"]")))
	sites, err := Sites.List(testContext(t, 30*time.Second), newTestClient(t, ts, nil, nil))
	if err != nil || len(sites) != MaxListItems {
		t.Fatalf("List = %d sites, %v; want %d", len(sites), err, MaxListItems)
	}
	ts = newTestServer(t, rawReply([]byte("["+strings.Join(append(items, items[0]), ",")+"]")))
	if _, err := Sites.List(testContext(t, 30*time.Second), newTestClient(t, ts, nil, nil)); !errors.Is(err, ErrAnswerRefused) ||
		!strings.Contains(err.Error(), fmt.Sprintf("a list of %d items, more than the %d allowed", MaxListItems+1, MaxListItems)) {
		t.Fatalf("a list of %d items: err = %v", MaxListItems+1, err)
	}
}

func TestShapeOf(t *testing.T) {
	for _, tc := range []struct {
		json          string
		values, items int
	}{
		{`[]`, 1, 0},
		{` [ ] `, 1, 0},
		{`[{}, {}, {}]`, 4, 3},
		{`[[1,2],[3]]`, 6, 2},
		{`{}`, 1, -1},
		{`{"a":1,"b":[1,2,3]}`, 6, -1},
		{`"x"`, 1, -1},
		{`["a,b", "[{\"", "\\", "}]"]`, 5, 4},
		{`{"a":{"b":{}}}`, 3, -1},
	} {
		if got := shapeOf([]byte(tc.json)); got.values != tc.values || got.items != tc.items {
			t.Errorf("shapeOf(%s) = %+v, want %d values, %d items", tc.json, got, tc.values, tc.items)
		}
	}
}

// A GET is answered by the object asked for, or it is an error: an empty answer is
// not a zero object, and another object (another OAuth client) is not taken for it.
func TestGetAnswersAreTheObjectAskedFor(t *testing.T) {
	const id = "5a0c3b8e-8f1e-4c59-9d4b-6a1c2e3f4a5b"
	const other = "0d6f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
	for _, tc := range []struct {
		name, body string
		call       func(context.Context, *Client) error
		want       string // "" for success
	}{
		{"empty", "", func(ctx context.Context, c *Client) error { _, err := Sites.Get(ctx, c, id); return err }, MsgEmptyAnswer},
		{"blank", " \n", func(ctx context.Context, c *Client) error { _, err := c.GetCamera(ctx, id); return err }, MsgEmptyAnswer},
		{"other site", `{"id":"` + other + `","name":"x"}`, func(ctx context.Context, c *Client) error { _, err := Sites.Get(ctx, c, id); return err }, MsgOtherObject},
		{"no id", `{"name":"x"}`, func(ctx context.Context, c *Client) error { _, err := c.GetOrganisation(ctx, id); return err }, MsgOtherObject},
		{"other OAuth client", `{"clientId":"other","name":"ci"}`, func(ctx context.Context, c *Client) error { _, err := c.GetOAuthClient(ctx, "mine"); return err }, MsgOtherObject},
		{"OAuth client", `{"clientId":"mine","name":"ci"}`, func(ctx context.Context, c *Client) error { _, err := c.GetOAuthClient(ctx, "mine"); return err }, ""},
		{"report", `{"dwellTimeReportId":"` + id + `"}`, func(ctx context.Context, c *Client) error { _, err := c.GetDwellTimeReport(ctx, id); return err }, ""},
		{"site", `{"id":"` + id + `","name":"x"}`, func(ctx context.Context, c *Client) error { _, err := Sites.Get(ctx, c, id); return err }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, rawReply([]byte(tc.body)))
			err := tc.call(testContext(t, 5*time.Second), newTestClient(t, ts, nil, nil))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrAnswerRefused) || !IsTerminal(err) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v (class %s), want a Terminal %q", err, Classify(err), tc.want)
			}
		})
	}
}
