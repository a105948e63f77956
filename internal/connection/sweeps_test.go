package connection

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// TestConnectionReportsHowCollectionsArePolled: once its objects' polls listed a
// collection, the Connection's next check says so in status.collections, sorted, a
// collection that fell back to one read per object as Polled.
func TestConnectionReportsHowCollectionsArePolled(t *testing.T) {
	e := newConnEnv(t, hoxtontest.Options{})
	e.create(credentials(shop, hoxtontest.DefaultClientID, hoxtontest.DefaultClientSecret), e.connection("default"))
	if _, err := e.check(shop, "default"); err != nil {
		t.Fatal(err)
	}
	conn := e.connection("default")
	c, err := e.res.ClientFor(t.Context(), shop, conn.Reference())
	if err != nil {
		t.Fatal(err)
	}
	poll := hoxton.WithPoll(t.Context(), time.Hour)
	for i := range 3 {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		if _, err := hoxton.Sites.Put(t.Context(), c, hoxton.Site{ID: id, Name: "Site"}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		if _, err := hoxton.Sites.Get(poll, c, fmt.Sprintf("00000000-0000-4000-8000-%012d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.check(shop, "default"); err != nil {
		t.Fatal(err)
	}
	e.get(conn)
	if want := []v1alpha1.CollectionPolling{{Name: "sites", Mode: v1alpha1.CollectionSwept}}; !slices.Equal(conn.Status.Collections, want) {
		t.Errorf("status.collections = %+v, want %+v", conn.Status.Collections, want)
	}

	got := collectionPolling([]hoxton.CollectionSweep{{Resource: "users", Swept: false}, {Resource: "alerts", Swept: true}})
	if want := []v1alpha1.CollectionPolling{{Name: "alerts", Mode: v1alpha1.CollectionSwept}, {Name: "users", Mode: v1alpha1.CollectionPolled}}; !slices.Equal(got, want) {
		t.Errorf("collectionPolling = %+v, want %+v", got, want)
	}
}
