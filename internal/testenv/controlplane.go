// Package testenv starts what the envtest suites, the demo and the benchmarks need: a
// real kube-apiserver and etcd (envtest) with the CRDs installed, the fake HoxtonAi
// API, a Connection to it, and the manager with every controller.
//
// The control-plane binaries come from KUBEBUILDER_ASSETS, or else from the folder
// where `make envtest` (setup-envtest's layout) installs them, so that `go test` works
// from an editor once `make envtest` has run.
package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// KubernetesVersion is the envtest control plane version, as in the Makefile.
const KubernetesVersion = "1.37.2"

// RepoRoot returns the repository root, found from this file's location.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// AssetsDir returns where the kube-apiserver, etcd and kubectl binaries are.
func AssetsDir() (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir, nil
	}
	data := os.Getenv("XDG_DATA_HOME")
	if data == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		data = filepath.Join(home, ".local", "share")
	}
	dir := filepath.Join(data, "kubebuilder-envtest", "k8s", KubernetesVersion+"-"+runtime.GOOS+"-"+runtime.GOARCH)
	if _, err := os.Stat(filepath.Join(dir, "kube-apiserver")); err != nil {
		return "", fmt.Errorf("no envtest binaries in %s and KUBEBUILDER_ASSETS is unset: run `make envtest` first", dir)
	}
	return dir, nil
}

// ControlPlane is a running envtest control plane with the CRDs installed.
type ControlPlane struct {
	Env    *envtest.Environment
	Config *rest.Config
}

// StartControlPlane starts kube-apiserver and etcd and installs the CRDs from
// config/crd/bases.
func StartControlPlane() (*ControlPlane, error) {
	assets, err := AssetsDir()
	if err != nil {
		return nil, err
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{filepath.Join(RepoRoot(), "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("starting envtest control plane: %w", err)
	}
	return &ControlPlane{Env: env, Config: cfg}, nil
}

// Stop stops the control plane.
func (cp *ControlPlane) Stop() error { return cp.Env.Stop() }
