package operator_test

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/hoxton-operator/hoxton-operator/internal/connection"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// freeAddr returns a local address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestManagerOnEnvtest: the manager as cmd/manager builds it serves metrics only to
// authenticated callers, is ready only once its caches synced, and its cache holds
// only the Secrets Connections use.
func TestManagerOnEnvtest(t *testing.T) {
	if _, err := testenv.AssetsDir(); err != nil {
		t.Skip("envtest binaries: ", err)
	}
	cp, err := testenv.StartControlPlane()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Stop() })
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	mgr, err := operator.New(ctx, cp.Config, operator.Options{MetricsAddr: addr, ProbeAddr: "0", SkipNameValidation: true})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	})
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		t.Fatal("cache did not sync")
	}

	t.Run("metrics need authentication", func(t *testing.T) {
		hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} // the manager's self-signed certificate
		var status int
		deadline := time.Now().Add(30 * time.Second)
		for {
			resp, err := hc.Get("https://" + addr + "/metrics")
			if err == nil {
				status = resp.StatusCode
				resp.Body.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("metrics endpoint never answered over HTTPS: %v", err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if status != http.StatusUnauthorized && status != http.StatusForbidden {
			t.Fatalf("GET /metrics without a token = %d, want 401 or 403", status)
		}
		if resp, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://" + addr + "/metrics"); err == nil {
			defer resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Fatal("metrics are served over plain HTTP")
			}
		}
	})

	t.Run("ready only once the caches synced", func(t *testing.T) { readinessWaitsForTheCaches(t, cp) })
	t.Run("a standby replica is ready", func(t *testing.T) { standbyIsReady(t, cp) })

	t.Run("Secret cache holds labelled Secrets only", func(t *testing.T) {
		c, err := client.New(cp.Config, client.Options{Scheme: mgr.GetScheme()})
		if err != nil {
			t.Fatal(err)
		}
		plain := testenv.ConnectionSecret("default", "unrelated")
		labelled := testenv.ConnectionSecret("default", "used")
		labelled.Labels = map[string]string{connection.SecretLabel: "true"}
		for _, s := range []*corev1.Secret{plain, labelled} {
			if err := c.Create(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		meta := func(name string) error {
			m := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"}}
			return mgr.GetCache().Get(ctx, client.ObjectKey{Namespace: "default", Name: name}, m)
		}
		deadline := time.Now().Add(10 * time.Second)
		for meta(labelled.Name) != nil {
			if time.Now().After(deadline) {
				t.Fatalf("the labelled Secret never reached the cache: %v", meta(labelled.Name))
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err := meta(plain.Name); !apierrors.IsNotFound(err) {
			t.Fatalf("an unlabelled Secret is in the manager's cache (err %v)", err)
		}
	})
}

// deployment reads the manager Deployment of config/manager.
func deployment(t *testing.T) *appsv1.Deployment {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "manager", "manager.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range strings.Split(string(data), "\n---\n") {
		d := &appsv1.Deployment{}
		if err := yaml.Unmarshal([]byte(doc), d); err == nil && d.Kind == "Deployment" {
			return d
		}
	}
	t.Fatal("no Deployment in config/manager/manager.yaml")
	return nil
}

// TestShippedDeploymentIsHardened: the Deployment every kustomize install uses
// elects a leader, serves metrics securely, knows its namespace and bounds its heap.
func TestShippedDeploymentIsHardened(t *testing.T) {
	c := deployment(t).Spec.Template.Spec.Containers[0]
	for _, arg := range []string{"--leader-elect", "--metrics-secure=true"} {
		if !slices.Contains(c.Args, arg) {
			t.Errorf("manager args %v lack %s", c.Args, arg)
		}
	}
	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
	}
	if env["GOMEMLIMIT"].Value == "" {
		t.Error("no GOMEMLIMIT in the Deployment")
	}
	if e := env["POD_NAMESPACE"]; e.ValueFrom == nil || e.ValueFrom.FieldRef == nil || e.ValueFrom.FieldRef.FieldPath != "metadata.namespace" {
		t.Errorf("POD_NAMESPACE = %+v, want the downward API's metadata.namespace", e)
	}
	if limit := c.Resources.Limits.Memory(); limit.IsZero() {
		t.Error("no memory limit for GOMEMLIMIT to stay under")
	}
}
