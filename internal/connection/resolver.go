// Package connection turns Connections and ClusterConnections into ready HoxtonAi API
// clients, and reconciles their status.
//
// The Resolver keeps one API client, one token source and one request budget per
// Connection, shared by every controller. It reads a Connection's Secret only when the
// Secret's resourceVersion or the Connection's generation changed: the manager caches
// Secret metadata (without annotations, which may hold a copy of the data), never
// Secret contents, so the operator holds no credentials but those it uses. A
// namespaced Connection only ever reads a Secret of its own namespace.
package connection

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/reference"
)

// Object is a Connection or a ClusterConnection.
type Object interface {
	client.Object
	GetParameters() *v1alpha1.ConnectionParameters
	GetConnectionStatus() *v1alpha1.ConnectionStatus
	SecretKey() types.NamespacedName
	Reference() v1alpha1.ConnectionReference
}

// Default request budget when a Connection sets none.
const (
	defaultRequestsPerSecond = 10
	defaultBurst             = 20
)

// Resolver hands out API clients per Connection. It is safe for concurrent use.
type Resolver struct {
	cache     client.Reader // Connections, and Secret metadata
	secrets   client.Reader // uncached: the contents of the one Secret a Connection names
	writer    client.Client // writes rotated refresh tokens back
	ctx       context.Context
	tokenOpts auth.Options
	userAgent string
	tenancy   Tenancy
	clientIDs clientIDs // the OAuth client id of each Connection Secret read

	// tokens holds one token source per Connection (by connection key).
	tokens   *auth.Cache
	recorder events.EventRecorder // revocation outcomes; set by Setup

	mu      sync.Mutex
	entries map[string]*entry // by connection key

	// authFailures wake the Connection controllers when HoxtonAi rejects credentials
	// during a managed object's reconcile.
	authFailures        chan event.GenericEvent
	clusterAuthFailures chan event.GenericEvent
}

type entry struct {
	key        string
	generation int64
	grant      string // grantOf the credentials
	// lineageLost is set when the token endpoint refused this entry's refresh
	// token while the token state holds another of its lineage.
	lineageLost   bool
	secretVersion string
	client        *hoxton.Client
	source        *auth.Source
	budget        *hoxton.Budget
	qps, burst    int32
}

// NewResolver returns a Resolver. ctx is long-lived (the manager's): token requests
// run under it. cache is the manager's client, secrets an uncached reader (the
// manager's APIReader) and writer a client allowed to patch Secrets.
func NewResolver(ctx context.Context, cache, secrets client.Reader, writer client.Client, tokenOpts auth.Options, userAgent string) *Resolver {
	return &Resolver{
		cache: cache, secrets: secrets, writer: writer, ctx: ctx, tokenOpts: tokenOpts, userAgent: userAgent,
		tokens:              auth.NewCache(ctx, tokenOpts),
		entries:             map[string]*entry{},
		authFailures:        make(chan event.GenericEvent, 64),
		clusterAuthFailures: make(chan event.GenericEvent, 64),
	}
}

// ClientFor implements managed.Connections: the client of a Ready Connection that is
// not being deleted, or a reference.NotReadyError saying why there is none. A
// ClusterConnection that does not admit namespace is a *managed.TerminalError, and
// nothing is sent anywhere.
func (r *Resolver) ClientFor(ctx context.Context, namespace string, ref v1alpha1.ConnectionReference) (*hoxton.Client, error) {
	return r.clientFor(ctx, namespace, ref, false)
}

// ClientForDeletion implements managed.Connections: as ClientFor, but a Connection
// being deleted serves the objects that still use it whatever its last check said:
// its Secret is often deleted first, and they need it to be deleted.
func (r *Resolver) ClientForDeletion(ctx context.Context, namespace string, ref v1alpha1.ConnectionReference) (*hoxton.Client, error) {
	return r.clientFor(ctx, namespace, ref, true)
}

// clientFor is ClientFor, or ClientForDeletion when deleting. Only deletions go
// through a Connection being deleted: a live object reconciled through it would be
// created in HoxtonAi (its id recorded) by credentials that may never have worked,
// and then could not be deleted without them (a namespace or an Argo CD Application
// deleted in one go deletes the Connection and its objects in any order).
func (r *Resolver) clientFor(ctx context.Context, namespace string, ref v1alpha1.ConnectionReference, deleting bool) (*hoxton.Client, error) {
	var conn Object
	if ref.Kind == v1alpha1.ConnectionKindCluster {
		cc, err := r.clusterConnectionFor(ctx, namespace, ref)
		if err != nil {
			return nil, err
		}
		conn = cc
	} else {
		c := &v1alpha1.Connection{}
		if err := r.cache.Get(ctx, client.ObjectKey{Namespace: namespace, Name: ref.Name}, c); err != nil {
			if apierrors.IsNotFound(err) {
				return nil, &reference.NotReadyError{Missing: []string{fmt.Sprintf("%s %q not found", ref.Kind, ref.Name)}}
			}
			return nil, err
		}
		conn = c
	}
	connDeleting := conn.GetDeletionTimestamp() != nil
	if connDeleting && !deleting {
		return nil, &reference.NotReadyError{Missing: []string{fmt.Sprintf("%s %q is being deleted", ref.Kind, ref.Name)}}
	}
	if c := conditions.Get(conn.GetConnectionStatus().Conditions, conditions.TypeReady); !connDeleting && (c == nil || c.Status != metav1.ConditionTrue) {
		reason, detail := "not checked yet", ""
		if c != nil {
			reason, detail = c.Reason, c.Message
		}
		return nil, &reference.NotReadyError{Missing: []string{tenantMessage(ref, "is not Ready", reason, detail)}}
	}
	if err := awaitingCheck(conn, ref); err != nil {
		return nil, err
	}
	c, _, err := r.Client(ctx, conn)
	if err != nil {
		reason, detail := "unavailable", err.Error()
		var cfg *ConfigError
		if errors.As(err, &cfg) {
			reason, detail = cfg.Reason, cfg.Message
		}
		return nil, &reference.NotReadyError{Missing: []string{tenantMessage(ref, "cannot be used", reason, detail)}}
	}
	return c, nil
}

// ReportAuthFailure implements managed.Connections.
func (r *Resolver) ReportAuthFailure(namespace string, ref v1alpha1.ConnectionReference) {
	ch, obj := r.authFailures, client.Object(&v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: ref.Name}})
	if ref.Kind == v1alpha1.ConnectionKindCluster {
		ch, obj = r.clusterAuthFailures, &v1alpha1.ClusterConnection{ObjectMeta: metav1.ObjectMeta{Name: ref.Name}}
	}
	select {
	case ch <- event.GenericEvent{Object: obj}:
	default: // the Connection is already due for a check
	}
}

// Client returns the API client and token source of conn, building them when the
// Connection or its Secret changed since the last call.
func (r *Resolver) Client(ctx context.Context, conn Object) (*hoxton.Client, *auth.Source, error) {
	secretKey, err := r.secretKeyOf(conn)
	if err != nil {
		return nil, nil, err
	}
	if err := checkEndpoints(conn.GetParameters()); err != nil {
		return nil, nil, err
	}
	key := connectionKey(conn)
	r.mu.Lock()
	e := r.entries[key]
	r.mu.Unlock()
	if conn.GetDeletionTimestamp() != nil && e != nil && !e.lineageLost {
		// A Connection being deleted keeps the credentials it had, so the objects
		// that use it can still be deleted: its Secret is often being deleted with
		// it, and the deletion bumped its generation, which would otherwise
		// rebuild the client from a Secret that may vanish between two reads.
		return e.client, e.source, nil
	}
	meta, err := r.secretMetadataOf(ctx, secretKey, managed.ShardOf(conn))
	if err == nil && e != nil && e.generation == conn.GetGeneration() && e.secretVersion == meta.ResourceVersion {
		return e.client, e.source, nil
	}
	secret := &corev1.Secret{}
	if err == nil {
		// The cache may still hold a Secret that is gone: this read decides.
		err = r.secrets.Get(withoutBodyLogging(ctx), secretKey, secret)
	}
	switch {
	case apierrors.IsNotFound(err) && conn.GetDeletionTimestamp() != nil:
		// The same after a restart: from the copy kept in the token state Secret.
		secret, err := r.credentialsCopy(ctx, conn, secretKey)
		if err != nil {
			return nil, nil, err
		}
		return r.store(r.build(ctx, conn, secret, nil))
	case apierrors.IsNotFound(err):
		return nil, nil, &ConfigError{Reason: conditions.ReasonSecretNotFound, Message: fmt.Sprintf("Secret %s not found", secretKey)}
	case err != nil:
		return nil, nil, err
	}
	if err := r.needsSecretWrites(conn, secretKey.Namespace); err != nil {
		return nil, nil, err
	}
	if conn.GetDeletionTimestamp() == nil && r.tenancy.SecretWrites.Allowed(secretKey.Namespace) {
		if err := r.keepCredentials(ctx, conn, secret); err != nil {
			return nil, nil, err
		}
	}
	return r.store(r.build(ctx, conn, secret, e))
}

// store keeps a built entry for its Connection.
func (r *Resolver) store(e *entry, err error) (*hoxton.Client, *auth.Source, error) {
	if err != nil {
		return nil, nil, err
	}
	r.mu.Lock()
	r.entries[e.key] = e
	r.mu.Unlock()
	return e.client, e.source, nil
}

// build assembles client, token source and budget from the credentials in secret.
// The token source comes from the token cache, so unchanged credentials keep their
// token.
func (r *Resolver) build(ctx context.Context, conn Object, secret *corev1.Secret, prev *entry) (*entry, error) {
	r.clientIDs.remember(secret)
	p := conn.GetParameters()
	creds, err := CredentialsFrom(p, secret)
	if err != nil {
		return nil, err
	}
	httpClient, err := httpClientFor(p.CABundle)
	if err != nil {
		return nil, err
	}
	source, grant, err := r.tokenSource(ctx, conn, creds, httpClient, client.ObjectKeyFromObject(secret), prev)
	if err != nil {
		return nil, err
	}
	qps, burst := int32(defaultRequestsPerSecond), int32(defaultBurst)
	if b := p.RequestBudget; b != nil {
		qps, burst = max(b.RequestsPerSecond, 1), max(b.Burst, 1)
	}
	budget := hoxton.NewBudget(float64(qps), int(burst))
	if prev != nil && prev.qps == qps && prev.burst == burst {
		budget = prev.budget // keep the budget, and any pause a 429 put on it
	}
	c, err := hoxton.New(hoxton.Config{
		BaseURL: p.APIURL, OrganisationID: p.OrganisationID, HTTPClient: httpClient,
		Tokens: source, Budget: budget, UserAgent: r.userAgent, UserRoles: userRoleLimit(conn),
	})
	if err != nil {
		return nil, &ConfigError{Reason: conditions.ReasonInvalidConfiguration, Message: err.Error()}
	}
	return &entry{
		key: connectionKey(conn), generation: conn.GetGeneration(), secretVersion: secret.ResourceVersion, grant: grant,
		client: c, source: source, budget: budget, qps: qps, burst: burst,
	}, nil
}

// withoutBodyLogging returns ctx for the requests whose bodies are credentials (reading
// a Connection's Secret, writing a rotated refresh token back). client-go logs request
// and response bodies at V(8) through the context's logger, so at that verbosity the
// manager's log would hold every client secret and refresh token: these requests get
// a logger that drops everything (their errors are returned, not logged).
func withoutBodyLogging(ctx context.Context) context.Context {
	return logr.NewContext(ctx, logr.Discard())
}

// userRoleLimit is the limit on users' roles that conn's administrator set: the
// User kind refuses, before any write, what it does not allow.
func userRoleLimit(conn Object) *hoxton.UserRoleLimit {
	ref := conn.Reference()
	limit := &hoxton.UserRoleLimit{Setting: fmt.Sprintf("%s %q spec.userRoles.allowPrivileged", ref.Kind, ref.Name)}
	if p := conn.GetParameters().UserRoles; p != nil {
		limit.AllowPrivileged = p.AllowPrivileged
	}
	return limit
}

func connectionKey(conn Object) string {
	return string(conn.Reference().Kind) + "/" + conn.GetNamespace() + "/" + conn.GetName()
}

// forget drops what the resolver holds for a deleted Connection and returns its
// token source, if any, for revocation.
func (r *Resolver) forget(key string) *auth.Source {
	r.mu.Lock()
	delete(r.entries, key)
	r.mu.Unlock()
	return r.tokens.Forget(key)
}

// awaitingCheck refuses a changed Connection until its check of the new settings
// has run: a Ready condition of an older generation says nothing about them.
func awaitingCheck(conn Object, ref v1alpha1.ConnectionReference) error {
	if conn.GetDeletionTimestamp() != nil {
		return nil
	}
	c := conditions.Get(conn.GetConnectionStatus().Conditions, conditions.TypeReady)
	if c != nil && c.ObservedGeneration == conn.GetGeneration() && conn.GetConnectionStatus().ObservedGeneration == conn.GetGeneration() {
		return nil
	}
	return &reference.NotReadyError{Missing: []string{fmt.Sprintf("%s %q changed and its new settings are not checked yet", ref.Kind, ref.Name)}}
}
