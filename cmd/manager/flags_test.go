package main

import (
	"flag"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

// TestLeaderElectionByDefault: the manager elects a leader unless told otherwise,
// and outside a cluster holds the lease in the operator's namespace, where a
// deployed operator holds it too.
func TestLeaderElectionByDefault(t *testing.T) {
	opts, err := parseFlags(flag.NewFlagSet("manager", flag.ContinueOnError), nil, &zap.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !opts.LeaderElection {
		t.Error("leader election is off by default")
	}
	if inCluster() {
		t.Skip("running in a pod: the lease is in the pod's namespace")
	}
	if opts.LeaderElectionNamespace != opts.ClusterResourceNamespace || opts.LeaderElectionNamespace == "" {
		t.Errorf("lease namespace %q, want the operator's %q", opts.LeaderElectionNamespace, opts.ClusterResourceNamespace)
	}
	opts, err = parseFlags(flag.NewFlagSet("manager", flag.ContinueOnError), []string{"--leader-elect=false"}, &zap.Options{})
	if err != nil || opts.LeaderElection {
		t.Errorf("--leader-elect=false: %v, %v", opts.LeaderElection, err)
	}
}

// TestShardFlag: --shard reaches the manager's options, and a key that cannot be a
// label value and a part of the lease's name is refused at start.
func TestShardFlag(t *testing.T) {
	opts, err := parseFlags(flag.NewFlagSet("manager", flag.ContinueOnError), []string{"--shard=eu-1"}, &zap.Options{})
	if err != nil || opts.Shard != "eu-1" {
		t.Errorf("--shard=eu-1: %q, %v", opts.Shard, err)
	}
	for _, bad := range []string{"EU", "eu_1", "a.b", "-a"} {
		if _, err := parseFlags(flag.NewFlagSet("manager", flag.ContinueOnError), []string{"--shard=" + bad}, &zap.Options{}); err == nil {
			t.Errorf("--shard=%s was accepted", bad)
		}
	}
}
