package checkapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// createdScratch counts the scratch objects the fake holds, deleted or not:
// a cleanup test means something only if the run did create some.
func createdScratch(f *fixture) int {
	n := 0
	for _, col := range scratchCollections {
		for _, o := range f.fake.Objects(col) {
			if name, _ := o["name"].(string); strings.HasPrefix(name, ScratchPrefix) {
				n++
			}
		}
	}
	return n
}

// cancelAfterFirstWrite cancels the run (as Ctrl-C does) once the first PUT
// after armed is set has been answered.
func cancelAfterFirstWrite(cancel context.CancelFunc, armed *atomic.Bool) hoxtontest.Variant {
	var once sync.Once
	return func(_ *hoxtontest.Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			if armed.Load() && r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/api/v0/") {
				once.Do(cancel)
			}
		})
	}
}

// TestCancelledRunRemovesScratchObjects: Ctrl-C after the first scratch
// write stops the run, and the scratch objects are removed all the same.
func TestCancelledRunRemovesScratchObjects(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var armed atomic.Bool
	f := newFixture(t, cancelAfterFirstWrite(cancel, &armed))
	armed.Store(true)
	rep, err := Run(ctx, f.config())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want the cancellation", err)
	}
	if createdScratch(f) == 0 {
		t.Fatal("nothing was written before the cancellation: the test proves nothing")
	}
	if left := activeScratch(f); len(left) > 0 || len(rep.Left) > 0 {
		t.Errorf("scratch objects left after Ctrl-C: %v (reported %v)\n%s", left, rep.Left, f.log.String())
	}
}

// failOn closes the connection of every request for path (after /api/v0)
// without an answer: a transport failure in the middle of a check.
func failOn(path string) hoxtontest.Variant {
	return func(_ *hoxtontest.Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/v0"+path && r.URL.Query().Has("siteId") {
				if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
					_ = conn.Close()
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// TestFailedCheckRemovesScratchObjects: a check that cannot go on (the
// connection breaks once the scratch site and monitor exist) ends the run
// with its error, and the scratch objects are removed.
func TestFailedCheckRemovesScratchObjects(t *testing.T) {
	f := newFixture(t, failOn("/people-count-monitors"))
	rep, err := f.run(t, f.config())
	if err == nil || !strings.Contains(err.Error(), "scratch site") {
		t.Fatalf("error %v, want the failed check", err)
	}
	if n := createdScratch(f); n < 2 {
		t.Fatalf("%d scratch objects written before the failure, want the site and the monitor", n)
	}
	if left := activeScratch(f); len(left) > 0 || len(rep.Left) > 0 {
		t.Errorf("scratch objects left after a failed check: %v (reported %v)", left, rep.Left)
	}
}

// TestPanicInACheckRemovesScratchObjects: a check that panics after a
// scratch write is reported as an error, and the write is undone.
func TestPanicInACheckRemovesScratchObjects(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c, err := prepare(ctx, f.config())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := c.finish(ctx, []phase{{"panicking", func(ctx context.Context) error {
		if _, _, err := c.create(ctx, "sites", object{"id": uuid.NewString(), "name": c.scratchName(), "organisationId": c.org}); err != nil {
			return err
		}
		panic("a bug")
	}}})
	if err == nil || !strings.Contains(err.Error(), "a bug") {
		t.Fatalf("error %v, want the panic", err)
	}
	if createdScratch(f) != 1 {
		t.Fatal("the scratch site was not written: the test proves nothing")
	}
	if left := activeScratch(f); len(left) > 0 || len(rep.Left) > 0 {
		t.Errorf("scratch objects left after a panic: %v (reported %v)", left, rep.Left)
	}
}

// TestCleanupFailureSaysWhatIsLeft: a scratch object whose DELETE keeps
// failing is reported by kind and id, in the error and the log.
func TestCleanupFailureSaysWhatIsLeft(t *testing.T) {
	f := newFixture(t)
	f.fake.AddFault(hoxtontest.Fault{Method: http.MethodDelete, PathPrefix: "/sites", Status: http.StatusInternalServerError})
	rep, err := f.run(t, f.config())
	left := activeScratch(f)
	if len(left) != 1 || !strings.HasPrefix(left[0], "sites/") {
		t.Fatalf("active scratch objects %v, want the site whose DELETE fails", left)
	}
	id := strings.Fields(strings.TrimPrefix(left[0], "sites/"))[0]
	if len(rep.Left) != 1 || rep.Left[0] != (Scratch{Kind: "sites", ID: id}) {
		t.Errorf("reported left %+v, want sites %s", rep.Left, id)
	}
	want := "sites " + id + " (delete it)"
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(f.log.String(), "Left behind: "+want) {
		t.Errorf("error %v and log do not name %q:\n%s", err, want, f.log.String())
	}
}
