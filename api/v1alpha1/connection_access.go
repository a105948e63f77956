package v1alpha1

import (
	"errors"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
)

// GetParameters returns the settings Connection and ClusterConnection share.
func (c *Connection) GetParameters() *ConnectionParameters { return &c.Spec.ConnectionParameters }

// GetConnectionStatus returns the status.
func (c *Connection) GetConnectionStatus() *ConnectionStatus { return &c.Status }

// SecretKey returns the Secret holding the credentials: always in the Connection's
// own namespace.
func (c *Connection) SecretKey() types.NamespacedName {
	return types.NamespacedName{Namespace: c.Namespace, Name: c.Spec.CredentialsSecretRef.Name}
}

// Reference returns how managed objects refer to this Connection.
func (c *Connection) Reference() ConnectionReference {
	return ConnectionReference{Kind: ConnectionKindNamespaced, Name: c.Name}
}

// GetParameters returns the settings Connection and ClusterConnection share.
func (c *ClusterConnection) GetParameters() *ConnectionParameters {
	return &c.Spec.ConnectionParameters
}

// GetConnectionStatus returns the status.
func (c *ClusterConnection) GetConnectionStatus() *ConnectionStatus { return &c.Status }

// LabelConnectionSecret marks the Secrets that Connections use, and that the
// manager's Secret metadata cache selects: a credentials Secret the operator writes
// (an OAuthClient's) carries it too, so that its changes are seen.
const LabelConnectionSecret = "hoxtonai.dev/connection-secret"

// DefaultClusterResourceNamespace is the namespace of the operator, where the Secrets
// of ClusterConnections live, unless the manager is told another.
const DefaultClusterResourceNamespace = "hoxton-operator-system"

// SecretKey returns the Secret holding the credentials as spec.credentialsSecretRef
// names it: its namespace is empty when left out, which means the operator's
// namespace (the resolver fills it in).
func (c *ClusterConnection) SecretKey() types.NamespacedName {
	return types.NamespacedName{Namespace: c.Spec.CredentialsSecretRef.Namespace, Name: c.Spec.CredentialsSecretRef.Name}
}

// Reference returns how managed objects refer to this ClusterConnection.
func (c *ClusterConnection) Reference() ConnectionReference {
	return ConnectionReference{Kind: ConnectionKindCluster, Name: c.Name}
}

// AdmitsNamespace reports whether objects of the namespace name, whose labels are
// nsLabels, may use this ClusterConnection: whether any of spec.conditions matches
// it. No condition admits nothing. An invalid selector matches nothing (the error
// says why).
func (c *ClusterConnection) AdmitsNamespace(name string, nsLabels map[string]string) (bool, error) {
	var errs []error
	for _, cond := range c.Spec.Conditions {
		if slices.Contains(cond.Namespaces, name) {
			return true, nil
		}
		if cond.NamespaceSelector == nil {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(cond.NamespaceSelector)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if sel.Matches(labels.Set(nsLabels)) {
			return true, nil
		}
	}
	return false, errors.Join(errs...)
}

// NeedsNamespaceLabels reports whether admitting a namespace depends on its labels.
func (c *ClusterConnection) NeedsNamespaceLabels() bool {
	for _, cond := range c.Spec.Conditions {
		if cond.NamespaceSelector != nil {
			return true
		}
	}
	return false
}
