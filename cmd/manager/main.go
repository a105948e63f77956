// Package main is the manager, which runs the hoxton-operator controllers: it makes
// HoxtonAi organisations match the hoxtonai.dev objects of the cluster it runs in.
package main

import (
	"flag"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

func main() {
	var (
		opts          operator.Options
		idNamespace   string
		kubeQPS       float64
		metricsSecure bool
		watch         string
	)
	flag.StringVar(&opts.MetricsAddr, "metrics-bind-address", ":8443", "Address of the Prometheus metrics endpoint; 0 disables it.")
	flag.BoolVar(&metricsSecure, "metrics-secure", true,
		"Serve metrics over HTTPS to callers the API server authenticates and authorizes (ClusterRole metrics-reader); false serves plain HTTP to anyone.")
	flag.StringVar(&watch, "watch-namespaces", "",
		"Comma-separated namespaces to reconcile (a namespaced install with Roles, config/namespaced); empty reconciles every namespace. ClusterConnections are served only when empty.")
	flag.StringVar(&opts.ClusterResourceNamespace, "cluster-resource-namespace", clusterResourceNamespace(),
		"Namespace of the Secrets of ClusterConnections (the operator's own; default: the pod's namespace).")
	flag.StringVar(&opts.ProbeAddr, "health-probe-bind-address", ":8081", "Address of the /healthz and /readyz endpoints.")
	flag.BoolVar(&opts.LeaderElection, "leader-elect", false, "Elect a leader so that only one replica reconciles.")
	flag.StringVar(&opts.LeaderElectionNamespace, "leader-election-namespace", "", "Namespace of the leader election lease (outside a cluster).")
	flag.DurationVar(&opts.PollInterval, "poll-interval", 10*time.Minute, "How often an in-sync object is re-read to detect drift (jittered ±10%; per object: annotation hoxtonai.dev/poll-interval).")
	flag.Float64Var(&kubeQPS, "kube-api-qps", 50, "Requests per second to the kube-apiserver.")
	flag.IntVar(&opts.KubeBurst, "kube-api-burst", 100, "Burst of requests to the kube-apiserver.")
	flag.IntVar(&opts.MaxConcurrentReconciles, "max-concurrent-reconciles", 4, "Reconciles running at once per kind.")
	flag.IntVar(&opts.MaxReconcilesPerConnection, "max-reconciles-per-connection", 0,
		"Reconciles of one Connection running at once per kind; fewer than --max-concurrent-reconciles, so that a slow tenant API leaves workers to the others. 0: --max-concurrent-reconciles minus one.")
	flag.BoolVar(&opts.SpreadFirstPolls, "spread-first-polls", true, "After a start, poll each object found in sync at a random point of its poll interval instead of all at once; changed objects are reconciled at once.")
	flag.StringVar(&idNamespace, "id-namespace", managed.DefaultIDNamespace.String(),
		"UUID namespace from which HoxtonAi ids are derived (namespace/kind/name). Keep it stable: a different one makes the operator create new objects instead of finding its old ones.")
	zapOpts := zap.Options{}
	zapOpts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	log := ctrl.Log.WithName("setup")

	space, err := uuid.Parse(idNamespace)
	if err != nil {
		log.Error(err, "invalid --id-namespace")
		os.Exit(2)
	}
	opts.IDNamespace = space
	opts.KubeQPS = float32(kubeQPS)
	opts.InsecureMetrics = !metricsSecure
	opts.WatchNamespaces = splitList(watch)

	ctx := ctrl.SetupSignalHandler()
	mgr, err := operator.New(ctx, ctrl.GetConfigOrDie(), opts)
	if err != nil {
		log.Error(err, "unable to set up the manager")
		os.Exit(1)
	}
	log.Info("starting manager")
	if err := mgr.Start(ctx); err != nil {
		log.Error(err, "manager stopped with an error")
		os.Exit(1)
	}
}

// clusterResourceNamespace is the pod's namespace (POD_NAMESPACE from the downward
// API, or the service account's namespace file), else the default install's.
func clusterResourceNamespace() string {
	if ns := os.Getenv("POD_NAMESPACE"); ns != "" {
		return ns
	}
	if b, err := os.ReadFile("/var/run/secrets/kubernetes.io/serviceaccount/namespace"); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b))
	}
	return operator.DefaultClusterResourceNamespace
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
