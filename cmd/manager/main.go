// Package main is the manager, which runs the hoxton-operator controllers: it makes
// HoxtonAi organisations match the hoxtonai.dev objects of the cluster it runs in.
package main

import (
	"flag"
	"os"
	"time"

	"github.com/google/uuid"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

func main() {
	var (
		opts        operator.Options
		idNamespace string
		kubeQPS     float64
	)
	flag.StringVar(&opts.MetricsAddr, "metrics-bind-address", ":8080", "Address of the Prometheus metrics endpoint; 0 disables it.")
	flag.StringVar(&opts.ProbeAddr, "health-probe-bind-address", ":8081", "Address of the /healthz and /readyz endpoints.")
	flag.BoolVar(&opts.LeaderElection, "leader-elect", false, "Elect a leader so that only one replica reconciles.")
	flag.StringVar(&opts.LeaderElectionNamespace, "leader-election-namespace", "", "Namespace of the leader election lease (outside a cluster).")
	flag.DurationVar(&opts.PollInterval, "poll-interval", 10*time.Minute, "How often an in-sync object is re-read to detect drift (jittered ±10%; per object: annotation hoxtonai.dev/poll-interval).")
	flag.Float64Var(&kubeQPS, "kube-api-qps", 50, "Requests per second to the kube-apiserver.")
	flag.IntVar(&opts.KubeBurst, "kube-api-burst", 100, "Burst of requests to the kube-apiserver.")
	flag.IntVar(&opts.MaxConcurrentReconciles, "max-concurrent-reconciles", 4, "Reconciles running at once per kind.")
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
