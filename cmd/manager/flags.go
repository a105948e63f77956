package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/google/uuid"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// parseFlags registers the manager's flags (and zapOpts') on fs, parses args and
// returns the manager's options.
func parseFlags(fs *flag.FlagSet, args []string, zapOpts *zap.Options) (operator.Options, error) {
	var (
		opts          operator.Options
		idNamespace   string
		kubeQPS       float64
		metricsSecure bool
		watch         string
		secretWrites  string
	)
	fs.StringVar(&opts.MetricsAddr, "metrics-bind-address", ":8443", "Address of the Prometheus metrics endpoint; 0 disables it.")
	fs.BoolVar(&metricsSecure, "metrics-secure", true,
		"Serve metrics over HTTPS to callers the API server authenticates and authorizes (ClusterRole metrics-reader); false serves plain HTTP to anyone.")
	fs.StringVar(&opts.MetricsCertDir, "metrics-cert-dir", "",
		"Directory with tls.crt and tls.key for the HTTPS metrics endpoint (a mounted kubernetes.io/tls Secret); empty: a self-signed certificate.")
	fs.StringVar(&watch, "watch-namespaces", "",
		"Comma-separated namespaces to reconcile (a namespaced install with Roles, config/namespaced); empty reconciles every namespace. ClusterConnections are served only when empty.")
	fs.StringVar(&secretWrites, "secret-write-namespaces", "",
		"Comma-separated namespaces where the operator may write Secrets (its secret writer role is bound only there); empty: wherever it manages objects.")
	fs.StringVar(&opts.ClusterResourceNamespace, "cluster-resource-namespace", clusterResourceNamespace(),
		"Namespace of the Secrets of ClusterConnections (the operator's own; default: the pod's namespace).")
	fs.StringVar(&opts.Shard, "shard", "",
		"Serve only the objects labelled hoxtonai.dev/shard=<key> (Connections, ClusterConnections, managed objects, their Secrets), with a lease of the shard's own; empty serves the objects without the label.")
	fs.StringVar(&opts.ProbeAddr, "health-probe-bind-address", ":8081", "Address of the /healthz and /readyz endpoints.")
	fs.StringVar(&opts.PprofAddr, "pprof-bind-address", "", "Address of Go's profiles (/debug/pprof/), unauthenticated: bind it to localhost; empty serves none.")
	fs.BoolVar(&opts.LeaderElection, "leader-elect", true,
		"Elect a leader so that only one manager reconciles: two managers of one RefreshToken Connection rotate its refresh token in turn. Turn it off only for a manager alone with its cluster.")
	fs.StringVar(&opts.LeaderElectionNamespace, "leader-election-namespace", "",
		"Namespace of the leader election lease (default: the pod's; outside a cluster the --cluster-resource-namespace, so that `make run` and a deployed operator elect one leader).")
	fs.DurationVar(&opts.PollInterval, "poll-interval", 10*time.Minute, "How often an in-sync object is re-read to detect drift (jittered ±10%; per object: annotation hoxtonai.dev/poll-interval).")
	fs.Float64Var(&kubeQPS, "kube-api-qps", 50, "Requests per second to the kube-apiserver.")
	fs.IntVar(&opts.KubeBurst, "kube-api-burst", 100, "Burst of requests to the kube-apiserver.")
	fs.IntVar(&opts.MaxConcurrentReconciles, "max-concurrent-reconciles", 4, "Reconciles running at once per kind.")
	fs.IntVar(&opts.MaxReconcilesPerConnection, "max-reconciles-per-connection", 0,
		"Reconciles of one Connection running at once per kind; fewer than --max-concurrent-reconciles, so that a slow tenant API leaves workers to the others. 0: --max-concurrent-reconciles minus one.")
	fs.BoolVar(&opts.SpreadFirstPolls, "spread-first-polls", true, "After a start, poll each object found in sync at a random point of its poll interval instead of all at once; changed objects are reconciled at once.")
	fs.StringVar(&idNamespace, "id-namespace", managed.DefaultIDNamespace.String(),
		"UUID namespace from which HoxtonAi ids are derived (namespace/kind/name). Keep it stable: a different one makes the operator create new objects instead of finding its old ones.")
	zapOpts.BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return opts, err
	}
	space, err := uuid.Parse(idNamespace)
	if err != nil {
		return opts, fmt.Errorf("invalid --id-namespace: %w", err)
	}
	opts.IDNamespace = space
	if err := operator.ValidateShard(opts.Shard); err != nil {
		return opts, fmt.Errorf("invalid --shard: %w", err)
	}
	opts.KubeQPS = float32(kubeQPS)
	opts.InsecureMetrics = !metricsSecure
	opts.WatchNamespaces = splitList(watch)
	opts.SecretWrites = managed.SecretWrites{Namespaces: splitList(secretWrites)}
	if opts.LeaderElectionNamespace == "" && !inCluster() {
		opts.LeaderElectionNamespace = opts.ClusterResourceNamespace
	}
	return opts, nil
}
