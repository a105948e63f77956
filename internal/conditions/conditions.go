// Package conditions holds the condition types and reasons every hoxton-operator kind
// reports, and helpers that set them with the object's generation stamped on each, so
// that kstatus and Argo CD can tell a current condition from a stale one.
package conditions

import (
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Condition types.
const (
	// TypeReady says whether the HoxtonAi object exists and is usable (for a Connection:
	// whether its credentials work).
	TypeReady = "Ready"
	// TypeSynced says whether the last reconcile succeeded.
	TypeSynced = "Synced"
)

// Reasons of the Ready condition of managed kinds.
const (
	ReasonAvailable   = "Available"
	ReasonCreating    = "Creating"
	ReasonDeleting    = "Deleting"
	ReasonUnavailable = "Unavailable"
)

// Reasons of the Synced condition of managed kinds.
const (
	ReasonReconcileSuccess   = "ReconcileSuccess"
	ReasonReconcileError     = "ReconcileError"
	ReasonReferencesNotReady = "ReferencesNotReady"
	ReasonPaused             = "Paused"
	ReasonTerminal           = "Terminal"
	// ReasonForbidden is reported when HoxtonAi answers 403 for this object: it is
	// outside the organisation or role of the Connection's credentials.
	ReasonForbidden = "Forbidden"
	// ReasonDrifted is reported by ObserveOnly objects whose HoxtonAi object differs
	// from the spec; the operator does not correct it.
	ReasonDrifted = "Drifted"
)

// Reasons of the Ready condition of Connections and ClusterConnections.
const (
	ReasonSecretNotFound           = "SecretNotFound"
	ReasonSecretKeyMissing         = "SecretKeyMissing"
	ReasonInvalidConfiguration     = "InvalidConfiguration"
	ReasonCredentialsRejected      = "CredentialsRejected"
	ReasonTokenEndpointUnavailable = "TokenEndpointUnavailable"
	ReasonOrganisationNotFound     = "OrganisationNotFound"
	ReasonAPIUnavailable           = "APIUnavailable"
)

// Set sets the condition of the given type, stamped with generation. The transition
// time only moves when the status changes. It reports whether anything changed.
func Set(conds *[]metav1.Condition, generation int64, condType string, status bool, reason, message string) bool {
	return meta.SetStatusCondition(conds, metav1.Condition{
		Type:               condType,
		Status:             toStatus(status),
		ObservedGeneration: generation,
		Reason:             reason,
		Message:            truncate(message),
	})
}

// IsTrue reports whether the condition of the given type is present and True.
func IsTrue(conds []metav1.Condition, condType string) bool {
	return meta.IsStatusConditionTrue(conds, condType)
}

// Get returns the condition of the given type, or nil.
func Get(conds []metav1.Condition, condType string) *metav1.Condition {
	return meta.FindStatusCondition(conds, condType)
}

func toStatus(b bool) metav1.ConditionStatus {
	if b {
		return metav1.ConditionTrue
	}
	return metav1.ConditionFalse
}

// maxMessage keeps messages well under the API's 32768-byte limit for a condition
// message; a service error body could otherwise be arbitrarily long.
const maxMessage = 1024

// truncate cuts s to maxMessage bytes on a character boundary: a split character
// would be stored as U+FFFD, so the message would never compare equal to the next
// reconcile's and every retry would patch the status and emit an event again.
func truncate(s string) string { return Truncate(s, maxMessage) }

// Truncate cuts s to at most n bytes on a character boundary, marking the cut with
// "...".
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - 3
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
