package cluster

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

const (
	repoRoot = "../../.."
	chartDir = repoRoot + "/charts/hoxton-operator"
	// releaseNS is where the chart is installed.
	releaseNS = "hoxton-system"
	// kubeVersion is the cluster's, and the client libraries'.
	kubeVersion = "v1.37.2"
	// wait bounds every wait for the cluster to converge.
	wait = 3 * time.Minute
)

// env is the cluster under test and the images built for it.
type env struct {
	cfg       *rest.Config
	kube      client.Client
	clientset *kubernetes.Clientset
	// managerImage and fakeImage are name:tag, imported into the node's containerd.
	managerImage, fakeImage string
	kubectlPath             string
}

// setup skips the test unless `make test-cluster` runs it.
func setup(t *testing.T) *env {
	t.Helper()
	if os.Getenv("HOXTON_TEST_CLUSTER") == "" {
		t.Skip("needs the cluster of `make test-cluster` (HOXTON_TEST_CLUSTER)")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", os.Getenv("KUBECONFIG"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.QPS, cfg.Burst = 50, 100
	scheme, err := operator.NewScheme()
	if err != nil {
		t.Fatal(err)
	}
	kube, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{cfg: cfg, kube: kube, clientset: cs,
		managerImage: mustEnv(t, "HOXTON_TEST_MANAGER_IMAGE"), fakeImage: mustEnv(t, "HOXTON_TEST_FAKE_IMAGE"),
		kubectlPath: mustEnv(t, "KUBECTL")}
	return e
}

func mustEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set", name)
	}
	return v
}

// kubectl runs the real kubectl against the cluster (as a user would), with stdin,
// and fails the test if it fails.
func (e *env) kubectl(t *testing.T, stdin []byte, args ...string) string {
	t.Helper()
	out, err := e.kubectlErr(stdin, args...)
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (e *env) kubectlErr(stdin []byte, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.kubectlPath, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// eventually polls cond every half second until it returns nil, and fails the test
// with its last error after limit.
func eventually(t *testing.T, limit time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s: %v", what, limit, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// imageParts splits name:tag.
func imageParts(ref string) (repo, tag string) {
	i := strings.LastIndex(ref, ":")
	if i < 0 || strings.Contains(ref[i:], "/") {
		return ref, ""
	}
	return ref[:i], ref[i+1:]
}

// ready says whether an object's Ready condition is True for its current generation.
func ready(u *unstructured.Unstructured) error {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	observed, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == "Ready" {
			if m["status"] == "True" && observed == u.GetGeneration() {
				return nil
			}
			return fmt.Errorf("%s %s/%s: Ready %v (%v: %v), observed generation %d of %d", u.GetKind(), u.GetNamespace(), u.GetName(),
				m["status"], m["reason"], m["message"], observed, u.GetGeneration())
		}
	}
	return fmt.Errorf("%s %s/%s has no Ready condition", u.GetKind(), u.GetNamespace(), u.GetName())
}
