package conditions

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestSetStampsGeneration(t *testing.T) {
	var conds []metav1.Condition
	if !Set(&conds, 3, TypeReady, true, ReasonAvailable, "ok") {
		t.Fatal("Set of a new condition reported no change")
	}
	c := Get(conds, TypeReady)
	if c == nil || c.Status != metav1.ConditionTrue || c.Reason != ReasonAvailable || c.Message != "ok" || c.ObservedGeneration != 3 {
		t.Fatalf("condition = %+v", c)
	}
	if c.LastTransitionTime.IsZero() {
		t.Error("LastTransitionTime not set")
	}
	if Set(&conds, 3, TypeReady, true, ReasonAvailable, "ok") {
		t.Error("Set of an identical condition reported a change")
	}
	if !Set(&conds, 4, TypeReady, true, ReasonAvailable, "ok") {
		t.Error("a new generation is a change")
	}
	if got := Get(conds, TypeReady).ObservedGeneration; got != 4 {
		t.Errorf("observedGeneration = %d, want 4", got)
	}
	if !Set(&conds, 4, TypeSynced, false, ReasonReconcileError, "boom") || len(conds) != 2 {
		t.Errorf("a second type must be added alongside: %+v", conds)
	}
}

func TestTransitionTimeMovesOnlyOnStatusChange(t *testing.T) {
	old := metav1.NewTime(time.Now().Add(-time.Hour).Truncate(time.Second))
	conds := []metav1.Condition{{Type: TypeSynced, Status: metav1.ConditionFalse, Reason: ReasonReconcileError, Message: "a", ObservedGeneration: 1, LastTransitionTime: old}}

	tests := []struct {
		name     string
		status   bool
		reason   string
		msg      string
		changed  bool
		timeMove bool
	}{
		{"same", false, ReasonReconcileError, "a", false, false},
		{"other reason and message", false, ReasonTerminal, "b", true, false},
		{"status flips", true, ReasonReconcileSuccess, "", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := Get(conds, TypeSynced).LastTransitionTime
			if got := Set(&conds, 1, TypeSynced, tc.status, tc.reason, tc.msg); got != tc.changed {
				t.Errorf("Set reported change %v, want %v", got, tc.changed)
			}
			c := Get(conds, TypeSynced)
			if c.Reason != tc.reason || c.Message != tc.msg {
				t.Errorf("condition = %+v", c)
			}
			if moved := !c.LastTransitionTime.Equal(&before); moved != tc.timeMove {
				t.Errorf("LastTransitionTime moved %v (%v -> %v), want %v", moved, before, c.LastTransitionTime, tc.timeMove)
			}
		})
	}
}

func TestLongMessagesTruncated(t *testing.T) {
	tests := []struct {
		in      string
		wantLen int
	}{
		{strings.Repeat("x", maxMessage), maxMessage},
		{strings.Repeat("x", maxMessage+1), maxMessage},
		{strings.Repeat("y", 100000), maxMessage},
		{"short", 5},
	}
	for _, tc := range tests {
		var conds []metav1.Condition
		Set(&conds, 1, TypeSynced, false, ReasonTerminal, tc.in)
		got := Get(conds, TypeSynced).Message
		if len(got) != tc.wantLen {
			t.Errorf("message of %d bytes stored as %d bytes, want %d", len(tc.in), len(got), tc.wantLen)
		}
		if len(tc.in) > maxMessage && !strings.HasSuffix(got, "...") {
			t.Errorf("truncated message does not end with ...: %q", got[len(got)-10:])
		}
		if len(tc.in) <= maxMessage && got != tc.in {
			t.Errorf("message of %d bytes changed", len(tc.in))
		}
	}
}

func TestIsTrueAndGet(t *testing.T) {
	var conds []metav1.Condition
	if IsTrue(conds, TypeReady) || Get(conds, TypeReady) != nil {
		t.Error("absent condition reported")
	}
	Set(&conds, 1, TypeReady, false, ReasonUnavailable, "")
	if IsTrue(conds, TypeReady) {
		t.Error("False condition reported true")
	}
	Set(&conds, 1, TypeReady, true, ReasonAvailable, "")
	if !IsTrue(conds, TypeReady) || IsTrue(conds, TypeSynced) {
		t.Error("IsTrue wrong after Set true")
	}
}

func TestTruncateKeepsUTF8(t *testing.T) {
	// "é" is two bytes; maxMessage-3 is odd, so a byte cut splits a rune.
	msg := strings.Repeat("é", maxMessage)
	var conds []metav1.Condition
	Set(&conds, 1, TypeSynced, false, ReasonTerminal, msg)
	if got := Get(conds, TypeSynced).Message; !utf8.ValidString(got) {
		t.Errorf("truncated message is not valid UTF-8: ends %q", got[len(got)-6:])
	}
}
