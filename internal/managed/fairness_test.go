package managed

import (
	"testing"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// TestConnectionSlots: a Connection gets at most limit slots, another Connection
// (or the same name in another namespace) has its own, and a release frees one once.
func TestConnectionSlots(t *testing.T) {
	var s connectionSlots
	a := connectionKey{kind: v1alpha1.ConnectionKindNamespaced, namespace: "a", name: "default"}
	b := connectionKey{kind: v1alpha1.ConnectionKindNamespaced, namespace: "b", name: "default"}
	first, second := s.take(a, 2), s.take(a, 2)
	if first == nil || second == nil {
		t.Fatal("the first two slots of a were refused")
	}
	if s.take(a, 2) != nil {
		t.Fatal("a third slot of a was given, over the limit of 2")
	}
	if s.take(b, 2) == nil {
		t.Fatal("b was refused a slot because a is full")
	}
	first()
	first() // a second release of the same slot frees nothing more
	if s.take(a, 2) == nil {
		t.Fatal("a released slot was not given again")
	}
	if s.take(a, 2) != nil {
		t.Fatal("a slot released twice was given twice")
	}
	if s.take(a, 0) == nil {
		t.Fatal("a limit of zero refused a slot; it means no cap")
	}
}

// TestPollsLeaveAConnectionSlotToUsers: with all but one of its Connection's slots
// taken, a poll is put off (behind users' work, its status untouched) and a change
// takes the last slot.
func TestPollsLeaveAConnectionSlotToUsers(t *testing.T) {
	polled := newSite("polled", inSync("id-1"))
	changed := newSite("changed", inSync("id-2"), func(s *v1alpha1.Site) { s.Generation++ })
	e := newEnv(t, polled, changed)
	e.r.opts.MaxReconcilesPerConnection = 2
	held := e.r.slots.take(connectionKey{kind: v1alpha1.ConnectionKindNamespaced, namespace: testNS, name: v1alpha1.DefaultConnectionName}, 2)
	defer held()

	res, err := e.reconcile("polled")
	if err != nil || res.RequeueAfter == 0 || res.Priority == nil || *res.Priority != pollPriority {
		t.Errorf("a poll with one slot left = %+v, %v; want put off at the polls' priority", res, err)
	}
	if ops := e.ad.ops(); len(ops) != 0 {
		t.Errorf("the poll put off called the adapter: %v", ops)
	}
	if _, err := e.reconcile("changed"); err != nil {
		t.Fatal(err)
	}
	if ops := e.ad.ops(); len(ops) == 0 {
		t.Error("a change found no slot: it waits behind the polls")
	}
}
