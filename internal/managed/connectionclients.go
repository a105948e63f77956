package managed

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/types"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// ConnectionName names a Connection (with its namespace) or a ClusterConnection.
type ConnectionName struct {
	Kind      v1alpha1.ConnectionKind
	Namespace string
	Name      string
}

// refuseConnectionClient refuses to manage HoxtonAi object id of a kind whose ids are
// OAuth client ids (Kind.ConnectionClientIDs) when a Connection or ClusterConnection
// authenticates with that client: managing it rotates its secret, which locks every
// such Connection out once its token expires, and hands the secret to whoever reads
// the object's credentials Secret; deleting it deletes the Connection's credentials.
// A Connection that uses the object's own credentials Secret is the object's client
// used as documented, and is no reason to refuse.
func (r *Reconciler[O, S]) refuseConnectionClient(ctx context.Context, o O, id string) error {
	if !r.kind.ConnectionClientIDs || id == "" || o.GetManagedSpec().ManagementPolicy == v1alpha1.ManagementPolicyObserveOnly {
		return nil // observing writes nothing
	}
	own := types.NamespacedName{Namespace: o.GetNamespace()}
	if r.kind.CredentialsSecret != nil {
		own.Name = r.kind.CredentialsSecret(o)
	}
	users, err := r.conns.ConnectionsUsingClient(ctx, id, own)
	if err != nil || len(users) == 0 {
		return err
	}
	var names []string
	for _, u := range users {
		names = append(names, describeConnection(u, o.GetNamespace()))
	}
	slices.Sort(names)
	names = slices.Compact(names)
	return Terminal("HoxtonAi %s %s is the OAuth client %s authenticates with: this object may not manage, rotate or delete it; "+
		"give it its own client (remove spec.externalID and recreate the object), or delete it with deletionPolicy Orphan",
		r.kind.Name, id, strings.Join(names, ", "))
}

// describeConnection names a Connection as a tenant of namespace may learn it: those of
// other namespaces are not named.
func describeConnection(c ConnectionName, namespace string) string {
	switch {
	case c.Kind == v1alpha1.ConnectionKindCluster:
		return fmt.Sprintf("ClusterConnection %q", c.Name)
	case c.Namespace == namespace:
		return fmt.Sprintf("Connection %q", c.Name)
	}
	return "a Connection in another namespace"
}
