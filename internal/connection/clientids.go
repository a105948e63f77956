package connection

import (
	"context"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// clientIDs remembers the OAuth client id each Connection Secret holds, by the
// Secret's resourceVersion, so that telling which Connections use a client reads a
// Secret once per change. It holds ids only, never secrets.
type clientIDs struct {
	mu   sync.Mutex
	seen map[types.NamespacedName]clientIDSeen
}

type clientIDSeen struct{ version, clientID string }

// remember notes the client id of a Connection Secret just read.
func (m *clientIDs) remember(secret *corev1.Secret) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen == nil {
		m.seen = map[types.NamespacedName]clientIDSeen{}
	}
	key := types.NamespacedName{Namespace: secret.Namespace, Name: secret.Name}
	m.seen[key] = clientIDSeen{version: secret.ResourceVersion, clientID: string(secret.Data[v1alpha1.SecretKeyClientID])}
}

func (m *clientIDs) lookup(key types.NamespacedName, version string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.seen[key]
	return s.clientID, ok && s.version == version
}

// ConnectionsUsingClient implements managed.Connections: every Connection and
// ClusterConnection the manager serves whose Secret holds clientID, but for those
// using the Secret except. A Connection whose Secret is missing or misplaced uses
// no client.
func (r *Resolver) ConnectionsUsingClient(ctx context.Context, clientID string, except types.NamespacedName) ([]managed.ConnectionName, error) {
	var conns []Object
	namespaced := &v1alpha1.ConnectionList{}
	if err := r.cache.List(ctx, namespaced); err != nil {
		return nil, err
	}
	for i := range namespaced.Items {
		conns = append(conns, &namespaced.Items[i])
	}
	if !r.tenancy.NamespaceScoped {
		cluster := &v1alpha1.ClusterConnectionList{}
		if err := r.cache.List(ctx, cluster); err != nil {
			return nil, err
		}
		for i := range cluster.Items {
			conns = append(conns, &cluster.Items[i])
		}
	}
	var users []managed.ConnectionName
	for _, conn := range conns {
		key, err := r.secretKeyOf(conn)
		if err != nil || key == except {
			continue
		}
		id, err := r.clientIDIn(ctx, key)
		if err != nil {
			return nil, err
		}
		if id != "" && id == clientID {
			ref := conn.Reference()
			users = append(users, managed.ConnectionName{Kind: ref.Kind, Namespace: conn.GetNamespace(), Name: conn.GetName()})
		}
	}
	return users, nil
}

// clientIDIn returns the client id the Secret at key holds ("" when it does not
// exist), reading it uncached only when it changed since it was last read.
func (r *Resolver) clientIDIn(ctx context.Context, key types.NamespacedName) (string, error) {
	meta := secretMetadata()
	if err := r.cache.Get(ctx, key, meta); err == nil {
		if id, ok := r.clientIDs.lookup(key, meta.GetResourceVersion()); ok {
			return id, nil
		}
	}
	secret := &corev1.Secret{}
	if err := r.secrets.Get(withoutBodyLogging(ctx), key, secret); err != nil {
		if apierrors.IsNotFound(err) {
			return "", nil
		}
		return "", err
	}
	r.clientIDs.remember(secret)
	return string(secret.Data[v1alpha1.SecretKeyClientID]), nil
}
