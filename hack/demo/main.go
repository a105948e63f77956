// Package main is `make demo`: it runs hoxton-operator end to end on this machine,
// with nothing to install but Go: an envtest control plane (real kube-apiserver and etcd), the fake
// HoxtonAi API, and the manager with every controller. It applies the sample manifests
// (or those in --manifests), pointing every Connection at the fake API, and shows each
// object's READY / SYNCED / EXTERNAL-ID as they change. It writes a kubeconfig so the
// control plane can be explored with kubectl, and cleans up on Ctrl-C.
//
// With --once it exits 0 as soon as every applied object is Ready, and 1 naming the
// objects that are not when --timeout passes.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

func main() {
	manifests := flag.String("manifests", "config/samples", "Folder of manifests to apply (every *.yaml but kustomization.yaml).")
	once := flag.Bool("once", false, "Exit 0 once every applied object is Ready, 1 after --timeout.")
	timeout := flag.Duration("timeout", 2*time.Minute, "With --once: how long to wait for every object to be Ready.")
	kubeconfig := flag.String("write-kubeconfig", "bin/demo.kubeconfig", "Where to write the kubeconfig of the demo control plane.")
	verbose := flag.Bool("v", false, "Show the manager's log.")
	flag.Parse()
	if *verbose {
		ctrl.SetLogger(zap.New())
	} else {
		ctrl.SetLogger(logr.Discard()) // the table is the demo's output
	}
	os.Exit(run(*manifests, *kubeconfig, *once, *timeout))
}

func run(manifestDir, kubeconfig string, once bool, timeout time.Duration) int {
	start := time.Now()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	objects, err := loadManifests(manifestDir)
	if err != nil {
		return fail("reading manifests: %v", err)
	}
	fmt.Printf("Starting a control plane (kube-apiserver %s and etcd) and the fake HoxtonAi API...\n", testenv.KubernetesVersion)
	env, err := testenv.Start(hoxtontest.Options{})
	if err != nil {
		return fail("%v", err)
	}
	defer func() {
		fmt.Println("Stopping the manager, the fake API and the control plane.")
		_ = env.Stop()
		_ = os.Remove(kubeconfig)
	}()
	if err := writeKubeconfig(env.ControlPlane.Env, kubeconfig); err != nil {
		return fail("writing kubeconfig: %v", err)
	}
	if err := env.StartManager(operator.Options{}); err != nil {
		return fail("starting the manager: %v", err)
	}
	pointAtFakeAPI(objects, env.API)
	applied, err := apply(ctx, env.Client, objects)
	if err != nil {
		return fail("applying manifests: %v", err)
	}
	kubectl := filepath.Join(env.ControlPlane.Env.BinaryAssetsDirectory, "kubectl")
	fmt.Printf("Applied %d objects from %s. Fake HoxtonAi API: %s\n", len(applied), manifestDir, env.API.APIURL())
	fmt.Printf("Explore with:\n  %s --kubeconfig %s get hoxton -A\n\n", kubectl, kubeconfig)

	w := &watcher{client: env.Client, objects: applied}
	if once {
		return w.untilReady(ctx, start, timeout)
	}
	w.follow(ctx, start)
	return 0
}

// writeKubeconfig writes a kubeconfig for an admin user of the control plane.
func writeKubeconfig(env *envtest.Environment, path string) error {
	user, err := env.ControlPlane.AddUser(envtest.User{Name: "demo-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return err
	}
	data, err := user.KubeConfig()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

func fail(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "demo: "+format+"\n", args...)
	return 1
}
