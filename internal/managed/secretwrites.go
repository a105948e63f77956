package managed

import (
	"slices"
	"strings"
)

// ReasonSecretWritesNotAllowed says that an object needs the operator to write a
// Secret in a namespace where the administrator does not let it write Secrets.
const ReasonSecretWritesNotAllowed = "SecretWritesNotAllowed"

// SecretWrites says in which namespaces the operator may write Secrets: labels on
// Connection Secrets, token state, delivered credentials. The administrator limits
// them with RBAC (the secret writer role bound per namespace) and tells the manager
// the same list (--secret-write-namespaces), so that an object that would need a
// write elsewhere is told why before any request, instead of failing on a 403 at
// the write, after HoxtonAi was already changed.
type SecretWrites struct {
	// Namespaces are the namespaces allowed; empty allows every namespace.
	Namespaces []string
}

// Allowed reports whether the operator may write Secrets in namespace.
func (w SecretWrites) Allowed(namespace string) bool {
	return len(w.Namespaces) == 0 || slices.Contains(w.Namespaces, namespace)
}

// Check returns a Terminal error when the operator may not write Secrets in
// namespace, saying what needs the write and how to allow it.
func (w SecretWrites) Check(namespace, what string) error {
	if w.Allowed(namespace) {
		return nil
	}
	return Terminal("%s: %s needs the operator to write a Secret in namespace %s, and it may write Secrets only in %s "+
		"(--secret-write-namespaces; Helm secretWrites.namespaces): ask the administrator to add this namespace",
		ReasonSecretWritesNotAllowed, what, namespace, strings.Join(w.Namespaces, ", "))
}
