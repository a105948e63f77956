// Package main is the manager, which runs the hoxton-operator controllers: it makes
// HoxtonAi organisations match the hoxtonai.dev objects of the cluster it runs in.
package main

import (
	"flag"
	"os"
	"strings"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/version"
)

func main() {
	zapOpts := zap.Options{}
	opts, err := parseFlags(flag.CommandLine, os.Args[1:], &zapOpts)
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	log := ctrl.Log.WithName("setup")
	build := version.Get()
	log.Info("hoxton-operator manager", "version", build.Version, "revision", build.Revision, "goVersion", build.GoVersion)
	if err != nil {
		log.Error(err, "invalid flags")
		os.Exit(2)
	}

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
	if b, err := os.ReadFile(serviceAccountNamespace); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b))
	}
	return operator.DefaultClusterResourceNamespace
}

// inCluster reports whether the manager runs in a pod (which holds its lease in its
// own namespace).
func inCluster() bool {
	_, err := os.Stat(serviceAccountNamespace)
	return err == nil
}

const serviceAccountNamespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

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
