package cluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// Argo CD runs as processes on the host, as its own Procfile runs it for development:
// the application controller and the repo server (hack/gitops/build-argocd.sh), with
// Redis from Debian, against the cluster's kubeconfig (ARGOCD_FAKE_IN_CLUSTER).
const (
	argoNS        = "argocd"
	redisPort     = 26379
	repoPort      = 28081
	repoMetrics   = 28084
	controllerMet = 28082
)

// startProcess runs a host process for the test; it dies with the test binary
// (Pdeathsig), also when the test is killed, and is stopped at cleanup.
func startProcess(t *testing.T, name string, env []string, bin string, args ...string) {
	t.Helper()
	logPath := filepath.Join(os.Getenv("CLUSTER_STATE"), "logs", name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		_ = logFile.Close()
	})
}

// startArgoCD installs Argo CD's CRDs, its configuration with the health checks as
// docs/operations.md tells users to add them, and the default AppProject, then starts
// Redis, the repo server and the application controller.
func (e *env) startArgoCD(t *testing.T) {
	t.Helper()
	argoBin, crds := mustEnv(t, "HOXTON_TEST_ARGOCD"), mustEnv(t, "HOXTON_TEST_ARGOCD_CRDS")
	for _, f := range []string{"application-crd.yaml", "appproject-crd.yaml"} {
		e.kubectl(t, nil, "apply", "--server-side", "-f", filepath.Join(crds, f))
	}
	e.kubectl(t, nil, "wait", "--for=condition=Established", "crd/applications.argoproj.io", "crd/appprojects.argoproj.io", "--timeout=60s")
	e.kubectl(t, nil, "create", "namespace", argoNS)
	cm := healthChecksFromDocs(t)
	cm.SetNamespace(argoNS)
	cm.SetLabels(map[string]string{"app.kubernetes.io/part-of": "argocd"})
	e.kubectl(t, manifest(t, []*unstructured.Unstructured{cm}), "apply", "-f", "-")
	e.kubectl(t, []byte(`apiVersion: v1
kind: Secret
metadata: {name: argocd-secret, namespace: argocd, labels: {app.kubernetes.io/part-of: argocd}}
stringData: {server.secretkey: test-only}
---
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: default, namespace: argocd}
spec:
  sourceRepos: ["*"]
  destinations: [{server: "*", namespace: "*"}]
  clusterResourceWhitelist: [{group: "*", kind: "*"}]
`), "apply", "-f", "-")

	redis := fmt.Sprintf("127.0.0.1:%d", redisPort)
	startProcess(t, "redis", nil, mustEnv(t, "HOXTON_TEST_REDIS"), "--port", fmt.Sprint(redisPort), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no")
	env := []string{"ARGOCD_FAKE_IN_CLUSTER=true", "ARGOCD_GPG_ENABLED=false", "KUBECONFIG=" + os.Getenv("KUBECONFIG"),
		// The repo server runs kustomize for kustomizations: the pinned one.
		"PATH=" + filepath.Dir(mustEnv(t, "HOXTON_TEST_KUSTOMIZE")) + ":" + os.Getenv("PATH")}
	startProcess(t, "argocd-repo-server", env, argoBin, "repo-server", "--disable-tls", "--port", fmt.Sprint(repoPort),
		"--metrics-port", fmt.Sprint(repoMetrics), "--redis", redis)
	startProcess(t, "argocd-application-controller", env, argoBin, "application-controller", "--namespace", argoNS,
		"--repo-server", fmt.Sprintf("127.0.0.1:%d", repoPort), "--repo-server-plaintext", "--redis", redis,
		"--metrics-port", fmt.Sprint(controllerMet), "--persist-resource-health", "--app-resync", "30", "--self-heal-timeout-seconds", "1")
}

// healthChecksFromDocs reads the argocd-cm patch docs/operations.md gives users of Argo
// CD installed with kustomize: the health checks exactly as documented.
func healthChecksFromDocs(t *testing.T) *unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n# argocd-cm-hoxtonai.yaml\n(.*?)```").FindSubmatch(data)
	if m == nil {
		t.Fatal("docs/operations.md has no argocd-cm-hoxtonai.yaml block")
	}
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(m[1], &u.Object); err != nil {
		t.Fatalf("the documented argocd-cm does not parse: %v", err)
	}
	data2, _, _ := unstructured.NestedStringMap(u.Object, "data")
	if len(data2) == 0 || !strings.Contains(data2["resource.customizations.health.hoxtonai.dev_Site"], "Healthy") {
		t.Fatalf("the documented argocd-cm has no Site health check: %v", data2)
	}
	return u
}

// app is an Argo CD Application as kubectl returns it.
type app struct {
	sync, health, message string
	resources             []appResource
}

type appResource struct {
	kind, name, status, health, message string
}

// application reads Application name's sync and health, and each resource's.
func (e *env) application(t *testing.T, name string) (app, error) {
	t.Helper()
	out, err := e.kubectlErr(nil, "get", "applications.argoproj.io", name, "-n", argoNS, "-o", "json")
	if err != nil {
		return app{}, fmt.Errorf("%v: %s", err, out)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON([]byte(out)); err != nil {
		return app{}, err
	}
	var a app
	a.sync, _, _ = unstructured.NestedString(u.Object, "status", "sync", "status")
	a.health, _, _ = unstructured.NestedString(u.Object, "status", "health", "status")
	a.message, _, _ = unstructured.NestedString(u.Object, "status", "operationState", "message")
	res, _, _ := unstructured.NestedSlice(u.Object, "status", "resources")
	for _, r := range res {
		m := r.(map[string]any)
		ar := appResource{kind: fmt.Sprint(m["kind"]), name: fmt.Sprint(m["name"]), status: fmt.Sprint(m["status"])}
		if h, ok := m["health"].(map[string]any); ok {
			ar.health, _ = h["status"].(string)
			ar.message, _ = h["message"].(string)
		}
		a.resources = append(a.resources, ar)
	}
	return a, nil
}

// gitRepo is a bare Git repository on the host, which the repo server reads by a
// file:// URL, and a work tree to commit to it.
type gitRepo struct {
	bare, work string
}

func newGitRepo(t *testing.T) gitRepo {
	t.Helper()
	dir := t.TempDir()
	r := gitRepo{bare: filepath.Join(dir, "repo.git"), work: filepath.Join(dir, "work")}
	run(t, dir, "git", "init", "-q", "--bare", "-b", "main", r.bare)
	run(t, dir, "git", "clone", "-q", r.bare, r.work)
	return r
}

func (r gitRepo) url() string { return "file://" + r.bare }

// commit writes files (path → content; empty content deletes) and pushes.
func (r gitRepo) commit(t *testing.T, msg string, files map[string][]byte) {
	t.Helper()
	for p, data := range files {
		full := filepath.Join(r.work, p)
		if data == nil {
			_ = os.Remove(full)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run(t, r.work, "git", "add", "-A")
	run(t, r.work, "git", "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", msg)
	run(t, r.work, "git", "push", "-q", "origin", "HEAD:main")
}

func run(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}
