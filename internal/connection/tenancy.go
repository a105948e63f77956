package connection

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/reference"
	"github.com/hoxton-operator/hoxton-operator/internal/safeurl"
)

// Reading namespace labels decides whether a ClusterConnection admits a namespace.
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch

// Tenancy says whom the resolver serves.
type Tenancy struct {
	// ClusterResourceNamespace is the operator's namespace: the Secrets of
	// ClusterConnections live there, and only there.
	ClusterResourceNamespace string
	// NamespaceScoped is set when the manager watches only some namespaces (Roles,
	// no ClusterRole): ClusterConnections are then not served at all.
	NamespaceScoped bool
	// SecretWrites are the namespaces where the operator may write Secrets (labels,
	// token state, the credentials copy, a rotated refresh token).
	SecretWrites managed.SecretWrites
	// Shard is the manager's shard key (managed.LabelShard): its cache holds only
	// the Secrets labelled with it, so the Secrets it labels get it too.
	Shard string
}

// SetTenancy configures the resolver before the manager starts.
func (r *Resolver) SetTenancy(t Tenancy) { r.tenancy = t }

// clusterConnectionFor returns the ClusterConnection ref names, once it has checked
// that objects of namespace may use it. A refusal is a *managed.TerminalError naming
// the ClusterConnection and the namespace, and nothing else about it: the tenant
// learns neither its organisation, its URLs nor its Secret.
func (r *Resolver) clusterConnectionFor(ctx context.Context, namespace string, ref v1alpha1.ConnectionReference) (*v1alpha1.ClusterConnection, error) {
	if r.tenancy.NamespaceScoped {
		return nil, managed.Terminal("ClusterConnection %q cannot be used: this operator is installed for some namespaces only "+
			"(--watch-namespaces) and serves no ClusterConnection; use a Connection of namespace %s", ref.Name, namespace)
	}
	cc := &v1alpha1.ClusterConnection{}
	if err := r.cache.Get(ctx, client.ObjectKey{Name: ref.Name}, cc); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, &reference.NotReadyError{Missing: []string{fmt.Sprintf("%s %q not found", ref.Kind, ref.Name)}}
		}
		return nil, err
	}
	var nsLabels map[string]string
	if cc.NeedsNamespaceLabels() {
		ns := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}}
		if err := r.cache.Get(ctx, client.ObjectKey{Name: namespace}, ns); err != nil {
			return nil, err
		}
		nsLabels = ns.GetLabels()
	}
	if ok, _ := cc.AdmitsNamespace(namespace, nsLabels); !ok {
		// The selector error, if any, is the administrator's to see on the
		// ClusterConnection, not the tenant's.
		return nil, managed.Terminal("ClusterConnection %q does not admit namespace %s (its spec.conditions); "+
			"ask the cluster administrator, or use a Connection of the namespace. Nothing was sent to HoxtonAi; "+
			"to delete this object without HoxtonAi, set spec.deletionPolicy: Orphan", ref.Name, namespace)
	}
	return cc, nil
}

// tenantMessage is what the objects of a tenant say about a Connection that cannot
// serve them. For a ClusterConnection only its name and the condition's reason: its
// message names the organisation, the Secret and the URLs, which belong to the
// cluster administrator.
func tenantMessage(ref v1alpha1.ConnectionReference, state, reason, detail string) string {
	if ref.Kind == v1alpha1.ConnectionKindCluster {
		return fmt.Sprintf("%s %q %s (%s; its status has the details)", ref.Kind, ref.Name, state, reason)
	}
	if detail != "" {
		reason += ": " + detail
	}
	return fmt.Sprintf("%s %q %s (%s)", ref.Kind, ref.Name, state, reason)
}

// secretKeyOf returns the Secret conn reads. A ClusterConnection's Secret is in the
// operator's namespace: a reference without a namespace means it, and one naming
// another namespace is refused, so that whoever may create ClusterConnections cannot
// make the operator read a tenant's Secret.
func (r *Resolver) secretKeyOf(conn Object) (types.NamespacedName, error) {
	key := conn.SecretKey()
	if conn.Reference().Kind != v1alpha1.ConnectionKindCluster {
		return key, nil
	}
	home := r.tenancy.ClusterResourceNamespace
	switch {
	case home == "":
		return key, &ConfigError{Reason: conditions.ReasonInvalidConfiguration,
			Message: "the manager has no --cluster-resource-namespace, so it reads no ClusterConnection Secret"}
	case key.Namespace == "":
		key.Namespace = home
	case key.Namespace != home:
		return key, &ConfigError{Reason: conditions.ReasonInvalidConfiguration, Message: fmt.Sprintf(
			"spec.credentialsSecretRef.namespace is %s: a ClusterConnection's Secret must be in the operator's namespace %s; "+
				"move the Secret there and leave the namespace out", key.Namespace, home)}
	}
	return key, nil
}

// checkEndpoints applies safeurl.Endpoint to every URL the Connection sends
// credentials or tokens to: https unless allowInsecureHTTP, loopback only with it, and
// never a link-local or cloud metadata host. The CRD refuses them too; this catches
// objects stored before those rules existed.
func checkEndpoints(p *v1alpha1.ConnectionParameters) error {
	for _, e := range []struct{ field, url string }{
		{"apiURL", p.APIURL}, {"tokenURL", p.TokenURL}, {"refreshURL", p.RefreshURL}, {"revocationURL", p.RevocationURL},
	} {
		if e.url == "" {
			continue
		}
		if err := safeurl.Endpoint(e.url, p.AllowInsecureHTTP); err != nil {
			msg := fmt.Sprintf("spec.%s %v", e.field, err)
			if errors.Is(err, safeurl.ErrNotHTTPS) || errors.Is(err, safeurl.ErrLoopback) {
				msg += " (set allowInsecureHTTP: true only for a local test API)"
			}
			return &ConfigError{Reason: conditions.ReasonInvalidConfiguration, Message: msg}
		}
	}
	return nil
}
