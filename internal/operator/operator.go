// Package operator assembles the hoxton-operator manager: scheme, cache settings,
// the Connection resolver and controllers, and every managed kind. cmd/manager, the
// demo and the envtest suites all build the manager here, so what is tested is what
// runs.
package operator

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/healthz"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/connection"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
	"github.com/hoxton-operator/hoxton-operator/internal/kinds"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// Options configure the manager.
type Options struct {
	// IDNamespace is the UUID namespace deterministic ids are derived in.
	IDNamespace uuid.UUID
	// PollInterval is how often an in-sync object is re-read to detect drift.
	PollInterval time.Duration
	// MaxConcurrentReconciles per kind, Connections and ClusterConnections included.
	MaxConcurrentReconciles int
	// MaxReconcilesPerConnection caps the reconciles of one Connection running at
	// once per kind (zero: MaxConcurrentReconciles-1, at least 1). It must be below
	// MaxConcurrentReconciles, so that a Connection whose API is slow leaves a worker
	// to the others (managed.Options.MaxReconcilesPerConnection).
	MaxReconcilesPerConnection int
	// ConnectionCheckTimeout bounds one check of a Connection (zero:
	// connection.DefaultCheckTimeout).
	ConnectionCheckTimeout time.Duration
	// ConnectionUnavailableGrace is how long a Ready Connection stays Ready while
	// its checks cannot reach HoxtonAi (zero: connection.DefaultUnavailableGrace).
	ConnectionUnavailableGrace time.Duration
	// SpreadFirstPolls spreads the first polls of in-sync objects over the poll
	// interval after a start (managed.Options.SpreadFirstPolls).
	SpreadFirstPolls bool
	// MetricsAddr serves Prometheus metrics ("0" disables).
	MetricsAddr string
	// ProbeAddr serves /healthz and /readyz ("0" disables).
	ProbeAddr string
	// PprofAddr serves Go's profiles (/debug/pprof/) for measuring memory and CPU in
	// the field; empty or "0" serves none.
	PprofAddr string
	// LeaderElection makes only one replica reconcile at a time.
	LeaderElection bool
	// LeaderElectionNamespace holds the lease when running outside a cluster.
	LeaderElectionNamespace string
	// Token tunes token refresh and the credentials circuit breaker.
	Token auth.Options
	// UserAgent is sent with every API request.
	UserAgent string
	// KubeQPS and KubeBurst bound the manager's requests to the kube-apiserver. Each
	// new object costs three or four writes (finalizer, id, status), so client-go's
	// defaults (5 or 20 per second) make a large apply converge slowly.
	KubeQPS   float32
	KubeBurst int
	// NewClient, when set, builds the manager's client (tests wrap it to inject
	// failures such as a crash between an API write and the status update).
	NewClient client.NewClientFunc
	// Shard is the key of the objects this manager serves (label hoxtonai.dev/shard);
	// empty serves the objects without the label. Each shard has its own lease.
	Shard string
	// SkipNameValidation allows several managers in one process (tests, restarts).
	SkipNameValidation bool
	Tenancy
}

// Tenancy are the options that decide whom the operator serves and what it may read.
type Tenancy struct {
	// ClusterResourceNamespace is the operator's namespace, where the Secrets of
	// ClusterConnections live ("" means DefaultClusterResourceNamespace).
	ClusterResourceNamespace string
	// WatchNamespaces, when set, limits the manager to these namespaces (with Roles
	// instead of a ClusterRole); ClusterConnections are then not served.
	WatchNamespaces []string
	// SecretWrites limits the namespaces where the operator writes Secrets, as the
	// RBAC of the installation does.
	SecretWrites managed.SecretWrites
	// ClusterReleaseGrace bounds how long a ClusterConnection being deleted waits
	// for the objects that use it (zero: connection.DefaultClusterReleaseGrace).
	ClusterReleaseGrace time.Duration
	// InsecureMetrics serves metrics over plain HTTP to anyone who can reach the
	// port, instead of HTTPS with Kubernetes authentication and authorization.
	InsecureMetrics bool
	// MetricsCertDir holds tls.crt and tls.key for the metrics server; empty: a
	// self-signed certificate made at start.
	MetricsCertDir string
}

// DefaultClusterResourceNamespace is the namespace config/default installs into.
const DefaultClusterResourceNamespace = v1alpha1.DefaultClusterResourceNamespace

// Defaults fills unset options.
func (o *Options) Defaults() {
	if o.IDNamespace == uuid.Nil {
		o.IDNamespace = managed.DefaultIDNamespace
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 10 * time.Minute
	}
	if o.MaxConcurrentReconciles <= 0 {
		o.MaxConcurrentReconciles = 4
	}
	if o.MaxReconcilesPerConnection <= 0 {
		o.MaxReconcilesPerConnection = max(o.MaxConcurrentReconciles-1, 1)
	}
	if o.UserAgent == "" {
		o.UserAgent = "hoxton-operator"
	}
	if o.KubeQPS <= 0 {
		o.KubeQPS = 50
	}
	if o.KubeBurst <= 0 {
		o.KubeBurst = 100
	}
	if o.ClusterResourceNamespace == "" {
		o.ClusterResourceNamespace = DefaultClusterResourceNamespace
	}
}

// NewScheme returns the scheme with the Kubernetes kinds and this API.
func NewScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, err
	}
	if err := v1alpha1.AddToScheme(s); err != nil {
		return nil, err
	}
	return s, nil
}

// New builds the manager with every controller registered. ctx is long-lived: token
// requests run under it, so it should live as long as the manager.
func New(ctx context.Context, cfg *rest.Config, opts Options) (ctrl.Manager, error) {
	opts.Defaults()
	if opts.MaxConcurrentReconciles > 1 && opts.MaxReconcilesPerConnection >= opts.MaxConcurrentReconciles {
		return nil, fmt.Errorf("the reconciles per Connection (%d) must be fewer than the concurrent reconciles per kind (%d), "+
			"or one slow Connection could hold every worker", opts.MaxReconcilesPerConnection, opts.MaxConcurrentReconciles)
	}
	if err := ValidateShard(opts.Shard); err != nil {
		return nil, err
	}
	scheme, err := NewScheme()
	if err != nil {
		return nil, err
	}
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = opts.KubeQPS, opts.KubeBurst
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                  scheme,
		Cache:                   cacheOptions(opts.Tenancy, opts.Shard),
		Metrics:                 metricsOptions(opts.MetricsAddr, opts.MetricsCertDir, opts.InsecureMetrics),
		HealthProbeBindAddress:  opts.ProbeAddr,
		PprofBindAddress:        opts.PprofAddr,
		LeaderElection:          opts.LeaderElection,
		LeaderElectionID:        LeaseName(opts.Shard),
		LeaderElectionNamespace: opts.LeaderElectionNamespace,
		// Release the lease on shutdown so that a rolling update hands over at once.
		LeaderElectionReleaseOnCancel: true,
		NewClient:                     opts.NewClient,
		Controller:                    config.Controller{SkipNameValidation: &opts.SkipNameValidation},
	})
	if err != nil {
		return nil, fmt.Errorf("creating manager: %w", err)
	}
	resolver := connection.NewResolver(ctx, mgr.GetClient(), mgr.GetAPIReader(), mgr.GetClient(), opts.Token, opts.UserAgent)
	resolver.SetTenancy(connection.Tenancy{ClusterResourceNamespace: opts.ClusterResourceNamespace, NamespaceScoped: len(opts.WatchNamespaces) > 0,
		SecretWrites: opts.SecretWrites, Shard: opts.Shard})
	lists := kinds.NewLists()
	connection.RegisterMetrics(resolver)
	registerBuildInfoMetric()
	managed.RegisterObjectMetrics(ctx, mgr.GetCache(), mgr.GetScheme(), lists)
	users := func(ctx context.Context, namespace string, ref v1alpha1.ConnectionReference) ([]managed.ConnectionUser, error) {
		return managed.ConnectionUsers(ctx, mgr.GetClient(), lists, namespace, ref)
	}
	connOpts := connection.Options{PollInterval: opts.PollInterval, MaxConcurrentReconciles: opts.MaxConcurrentReconciles,
		ClusterReleaseGrace: opts.ClusterReleaseGrace, CheckTimeout: opts.ConnectionCheckTimeout,
		UnavailableGrace: opts.ConnectionUnavailableGrace}
	if err := connection.Setup(ctx, mgr, resolver, connOpts, users); err != nil {
		return nil, fmt.Errorf("setting up connections: %w", err)
	}
	managedOpts := managed.Options{IDNamespace: opts.IDNamespace, PollInterval: opts.PollInterval, MaxConcurrentReconciles: opts.MaxConcurrentReconciles,
		MaxReconcilesPerConnection: opts.MaxReconcilesPerConnection, SpreadFirstPolls: opts.SpreadFirstPolls, SecretWrites: opts.SecretWrites}
	if err := kinds.SetupAll(ctx, mgr, resolver, managedOpts); err != nil {
		return nil, fmt.Errorf("setting up controllers: %w", err)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return nil, err
	}
	if err := mgr.AddReadyzCheck("caches-synced", CachesSynced(mgr.GetCache())); err != nil {
		return nil, err
	}
	return mgr, nil
}
