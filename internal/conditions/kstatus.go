package conditions

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Condition types of the kstatus conventions (sigs.k8s.io/cli-utils/pkg/kstatus),
// which Flux, kpt, Config Sync and `kubectl wait` read to tell progress from failure.
const (
	// TypeReconciling is True while the operator is still working towards the spec:
	// creating, retrying a transient error, or waiting for a reference.
	TypeReconciling = "Reconciling"
	// TypeStalled is True when the operator has stopped making progress and only a
	// person can fix the object (kstatus then reports Failed instead of waiting).
	TypeStalled = "Stalled"
)

// stalledReasons are the Synced reasons no retry will fix: HoxtonAi refused the spec
// (Terminal), the credentials may not act on this object (Forbidden), or an ObserveOnly
// object differs and will never be corrected (Drifted).
var stalledReasons = map[string]bool{
	ReasonTerminal:  true,
	ReasonForbidden: true,
	ReasonDrifted:   true,
}

// DeriveProgress sets Stalled and Reconciling from Ready and Synced, stamped with
// generation, and reports whether anything changed. Only the condition that holds is
// kept (the other is removed, as kstatus expects), so an object in sync carries
// neither:
//
//   - Synced=False with a reason in stalledReasons: Stalled=True (kstatus Failed);
//   - Synced=False/Paused: neither, the object is held on purpose (kstatus Current);
//   - otherwise not both Ready and Synced True: Reconciling=True with the reason and
//     message of the condition that is not True yet (kstatus InProgress);
//   - Ready and Synced True: neither (kstatus Current).
//
// It is derived, not set by each step, so that every path through the reconciler,
// present and future, reports the same conventions.
func DeriveProgress(conds *[]metav1.Condition, generation int64) bool {
	ready, synced := Get(*conds, TypeReady), Get(*conds, TypeSynced)
	notTrue := func(c *metav1.Condition) bool { return c != nil && c.Status != metav1.ConditionTrue }
	var stalled, reconciling *metav1.Condition
	switch {
	case notTrue(synced) && stalledReasons[synced.Reason]:
		stalled = synced
	case notTrue(synced) && synced.Reason == ReasonPaused:
	case notTrue(synced):
		reconciling = synced
	case notTrue(ready):
		reconciling = ready
	case ready == nil || synced == nil:
		reconciling = &metav1.Condition{Reason: ReasonCreating, Message: "the operator has not reported on this object yet"}
	}
	changed := setOrRemove(conds, generation, TypeStalled, stalled)
	return setOrRemove(conds, generation, TypeReconciling, reconciling) || changed
}

// setOrRemove sets condType True with from's reason and message, or removes condType
// when from is nil.
func setOrRemove(conds *[]metav1.Condition, generation int64, condType string, from *metav1.Condition) bool {
	if from == nil {
		return meta.RemoveStatusCondition(conds, condType)
	}
	return Set(conds, generation, condType, true, from.Reason, from.Message)
}
