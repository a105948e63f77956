package connection

import (
	"fmt"
	"strings"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// needsSecretWrites refuses, before any token request, a Connection that cannot work
// without writing a Secret where the administrator does not let the operator write:
// a RefreshToken Connection must save each rotated refresh token in its token state
// Secret, or a restart would lock it out. Other grants only lose the copy of their
// credentials there (deleting objects after their Secret went needs the Secret back)
// and the watch on their Secret (see secretMetadataOf).
func (r *Resolver) needsSecretWrites(conn Object, namespace string) error {
	w := r.tenancy.SecretWrites
	if conn.GetParameters().Grant != v1alpha1.GrantRefreshToken || w.Allowed(namespace) {
		return nil
	}
	return &ConfigError{Reason: managed.ReasonSecretWritesNotAllowed, Message: fmt.Sprintf(
		"a RefreshToken Connection keeps its rotated refresh token in a Secret of namespace %s, and the operator may write Secrets only in %s "+
			"(--secret-write-namespaces; Helm secretWrites.namespaces): ask the administrator to add this namespace, or use another grant",
		namespace, strings.Join(w.Namespaces, ", "))}
}
