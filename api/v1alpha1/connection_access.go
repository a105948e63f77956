package v1alpha1

import "k8s.io/apimachinery/pkg/types"

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

// SecretKey returns the Secret holding the credentials.
func (c *ClusterConnection) SecretKey() types.NamespacedName {
	return types.NamespacedName{Namespace: c.Spec.CredentialsSecretRef.Namespace, Name: c.Spec.CredentialsSecretRef.Name}
}

// Reference returns how managed objects refer to this ClusterConnection.
func (c *ClusterConnection) Reference() ConnectionReference {
	return ConnectionReference{Kind: ConnectionKindCluster, Name: c.Name}
}
