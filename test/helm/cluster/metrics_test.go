package cluster

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	release "helm.sh/helm/v4/pkg/release/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// scrapeConfig is how a scraper reaches the metrics: what a ServiceMonitor endpoint
// says, or what the kustomize install documents.
type scrapeConfig struct {
	scheme             string
	insecureSkipVerify bool
	// port is the name of the Service's port.
	port string
}

// renderedServiceMonitor renders the chart with vals, the ServiceMonitor forced on,
// and returns what its endpoint tells Prometheus to do. It checks that the token it
// sends is the scraper's own ServiceAccount token, which the scrape below uses.
func (e *env) renderedServiceMonitor(t *testing.T, name string, vals map[string]any) scrapeConfig {
	t.Helper()
	ch, err := loader.Load(chartDir)
	if err != nil {
		t.Fatal(err)
	}
	inst := action.NewInstall(&action.Configuration{})
	inst.DryRunStrategy, inst.Replace, inst.ReleaseName, inst.Namespace = action.DryRunClient, true, name, releaseNS
	if inst.KubeVersion, err = common.ParseKubeVersion(kubeVersion); err != nil {
		t.Fatal(err)
	}
	vals = e.values(vals)
	metrics, _ := vals["metrics"].(map[string]any)
	if metrics == nil {
		metrics = map[string]any{}
		vals["metrics"] = metrics
	}
	metrics["serviceMonitor"] = map[string]any{"enabled": true, "renderMode": "alwaysRender"}
	r, err := inst.Run(ch, vals)
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := r.(*release.Release)
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(rel.Manifest), 4096)
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			t.Fatalf("no ServiceMonitor rendered: %v", err)
		}
		if u.GetKind() != "ServiceMonitor" {
			continue
		}
		eps, _, _ := unstructured.NestedSlice(u.Object, "spec", "endpoints")
		ep := eps[0].(map[string]any)
		if tokenFile, _ := ep["bearerTokenFile"].(string); ep["scheme"] == "https" && tokenFile != "/var/run/secrets/kubernetes.io/serviceaccount/token" {
			t.Fatalf("the ServiceMonitor sends no ServiceAccount token: %v", ep)
		}
		skip, _, _ := unstructured.NestedBool(ep, "tlsConfig", "insecureSkipVerify")
		port, _ := ep["port"].(string)
		return scrapeConfig{scheme: ep["scheme"].(string), insecureSkipVerify: skip, port: port}
	}
}

// serviceAccountToken makes a ServiceAccount ns/name (if missing), optionally bound
// to ClusterRole role, and returns a token for it from the TokenRequest API.
func (e *env) serviceAccountToken(t *testing.T, ns, name, role string) string {
	t.Helper()
	ctx := context.Background()
	for _, o := range []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}},
	} {
		if err := e.kube.Create(ctx, o); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
	}
	if role != "" {
		b := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: ns + "-" + name + "-" + role},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: name, Namespace: ns}}}
		if err := e.kube.Create(ctx, b); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
	}
	tr, err := e.clientset.CoreV1().ServiceAccounts(ns).CreateToken(ctx, name,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tr.Status.Token
}

// scrape GETs /metrics from every ready endpoint of Service ns/svc as cfg says, with
// token, and returns each answer's status and body by address.
func (e *env) scrape(t *testing.T, ns, svc string, cfg scrapeConfig, token string) map[string]scraped {
	t.Helper()
	var slices discoveryv1.EndpointSliceList
	if err := e.kube.List(context.Background(), &slices, client.InNamespace(ns), client.MatchingLabels{discoveryv1.LabelServiceName: svc}); err != nil {
		t.Fatal(err)
	}
	httpc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: cfg.insecureSkipVerify}, //nolint:gosec // as the ServiceMonitor says: a self-signed certificate
	}}
	out := map[string]scraped{}
	for _, s := range slices.Items {
		var port int32
		for _, p := range s.Ports {
			if p.Name != nil && *p.Name == cfg.port && p.Port != nil {
				port = *p.Port
			}
		}
		for _, ep := range s.Endpoints {
			if ep.Conditions.Ready == nil || !*ep.Conditions.Ready {
				continue
			}
			url := fmt.Sprintf("%s://%s:%d/metrics", cfg.scheme, ep.Addresses[0], port)
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := httpc.Do(req)
			if err != nil {
				t.Fatalf("scraping %s: %v", url, err)
			}
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			out[ep.Addresses[0]] = scraped{status: resp.StatusCode, body: string(body)}
		}
	}
	if len(out) == 0 {
		t.Fatalf("Service %s/%s has no ready endpoint on port %q", ns, svc, cfg.port)
	}
	return out
}

type scraped struct {
	status int
	body   string
}

// checkMetrics scrapes Service ns/svc as cfg says: the reader's token (of a
// ServiceAccount bound to the metrics reader role) reads hoxton_ metrics from every
// replica, and a token without that role is refused.
func (e *env) checkMetrics(t *testing.T, ns, svc string, cfg scrapeConfig, reader string) map[string]scraped {
	t.Helper()
	stranger := e.serviceAccountToken(t, "monitoring", "stranger", "")
	var got map[string]scraped
	eventually(t, wait, "metrics scraped", func() error {
		got = e.scrape(t, ns, svc, cfg, reader)
		for addr, s := range got {
			if s.status != http.StatusOK || !strings.Contains(s.body, "hoxton_build_info") {
				return fmt.Errorf("%s answered %d: %.200s", addr, s.status, s.body)
			}
		}
		return nil
	})
	for addr, s := range e.scrape(t, ns, svc, cfg, stranger) {
		if s.status != http.StatusForbidden {
			t.Errorf("%s answered %d to a token without the metrics reader role, want 403", addr, s.status)
		}
	}
	return got
}
