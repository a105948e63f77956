// Package kinds_test is the envtest suite of the managed kinds and Connections:
// a real kube-apiserver and etcd, the fake HoxtonAi API, and the manager exactly as
// cmd/manager builds it. One control plane and one fake serve the whole package;
// every test works in namespaces of its own, with a Connection of its own, and starts
// (and stops) its own manager, so that tests stay independent. Tests run one after
// another: the fake's request log and fault list are shared.
package kinds_test

import (
	"fmt"
	"os"
	"testing"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

var (
	// env is the control plane and fake API every test of the package shares.
	env *testenv.Env
	// managerLog receives everything every manager of the suite logs, so that tests
	// can prove that no secret or token is ever logged.
	// Set HOXTON_TEST_MANAGER_LOG to a file name to keep it after the run.
	managerLog = &testenv.SyncBuffer{}
)

// Extra OAuth clients of the fake, one per Connection test that changes a client, so
// that rotating or rejecting a secret never affects the default client other tests use.
const (
	rotatingClientID     = "rotating-client"
	rotatingClientSecret = "rotating-secret-one"
)

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	// The most verbose level there is: a secret logged at any V level must show up.
	ctrl.SetLogger(zap.New(zap.WriteTo(managerLog), zap.UseDevMode(true), zap.Level(zapLevelAll)))

	var err error
	env, err = testenv.Start(hoxtontest.Options{Clients: []hoxtontest.OAuthClient{
		{ID: hoxtontest.DefaultClientID, Secret: hoxtontest.DefaultClientSecret},
		{ID: rotatingClientID, Secret: rotatingClientSecret},
	}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the envtest control plane and the fake API:", err)
		return 1
	}
	code := m.Run()
	if path := os.Getenv("HOXTON_TEST_MANAGER_LOG"); path != "" {
		if err := os.WriteFile(path, []byte(managerLog.String()), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, "writing the manager log:", err)
		}
	}
	if err := env.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stopping the test environment:", err)
	}
	return code
}
