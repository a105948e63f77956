package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

const gitopsNS = "gitops"

// TestGitOps is `make test-gitops`: a real Argo CD syncs the operator's objects from a
// Git repository into the cluster where the chart runs, judges their health with the
// documented checks, applies Git changes, prunes, and deletes its Applications with
// foreground and background propagation without ever hanging.
func TestGitOps(t *testing.T) {
	e := setup(t)
	// Access tokens live 5 s, so refresh tokens rotate all along.
	fake := e.deployFake(t, "--token-lifetime=5s")
	e.helmInstall(t, releaseName, e.values(nil))
	e.waitAvailable(t, releaseNS, fullname, 2)
	e.startArgoCD(t)
	repo := newGitRepo(t)
	base := e.gitopsBase(t, fake)
	repo.commit(t, "every kind", base)

	t.Run("sync and health", func(t *testing.T) { e.syncAndHealth(t, repo) })
	t.Run("no drift and Git changes", func(t *testing.T) { e.noDriftAndChanges(t, repo) })
	t.Run("deletion", func(t *testing.T) { e.deleteApplication(t, "plain", gitopsNS, "foreground") })
	t.Run("kustomize overlay", func(t *testing.T) { e.overlay(t, repo) })
	t.Run("deletions", func(t *testing.T) { e.repeatedDeletions(t, repo, fake) })
}

// rotatingConnection is a RefreshToken Connection with its seed in a Secret, and a Site
// using it: the objects whose token state must outlive every deletion. HoxtonAi never
// reuses a deleted object's id, which the operator derives from the namespace, kind
// and name: a Site created again after its deletion needs another name.
func rotatingConnection(t *testing.T, ns, siteName string, fake fakeAPI) []*unstructured.Unstructured {
	t.Helper()
	seed := seedRefreshToken(t, fake)
	secret := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{"name": "rotating-credentials", "namespace": ns},
		"stringData": map[string]any{v1alpha1.SecretKeyClientID: hoxtontest.DefaultClientID,
			v1alpha1.SecretKeyClientSecret: hoxtontest.DefaultClientSecret, v1alpha1.SecretKeyRefreshToken: seed}}}
	conn := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "hoxtonai.dev/v1alpha1", "kind": "Connection",
		"metadata": map[string]any{"name": "rotating", "namespace": ns},
		"spec": map[string]any{"organisationID": hoxtontest.DefaultOrganisationID, "grant": string(v1alpha1.GrantRefreshToken),
			"apiURL": fake.apiURL(), "tokenURL": fake.tokenURL(), "allowInsecureHTTP": true,
			"credentialsSecretRef": map[string]any{"name": "rotating-credentials"}}}}
	site := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "hoxtonai.dev/v1alpha1", "kind": "Site",
		"metadata": map[string]any{"name": siteName, "namespace": ns},
		"spec":     map[string]any{"name": "Rotating", "timeZone": "Europe/London", "connectionRef": map[string]any{"name": "rotating"}}}}
	return []*unstructured.Unstructured{secret, conn, site}
}

// passwordConnection is a Password Connection and a Site using it: with the samples'
// ClientCredentials Connection and the rotating one, a Connection of each grant the
// fake serves without a browser.
func passwordConnection(ns string, fake fakeAPI) []*unstructured.Unstructured {
	secret := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{"name": "password-credentials", "namespace": ns},
		"stringData": map[string]any{v1alpha1.SecretKeyClientID: hoxtontest.DefaultClientID,
			v1alpha1.SecretKeyClientSecret: hoxtontest.DefaultClientSecret,
			v1alpha1.SecretKeyUsername:     hoxtontest.DefaultUsername, v1alpha1.SecretKeyPassword: hoxtontest.DefaultPassword}}}
	conn := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "hoxtonai.dev/v1alpha1", "kind": "Connection",
		"metadata": map[string]any{"name": "password", "namespace": ns},
		"spec": map[string]any{"organisationID": hoxtontest.DefaultOrganisationID, "grant": string(v1alpha1.GrantPassword),
			"apiURL": fake.apiURL(), "tokenURL": fake.tokenURL(), "allowInsecureHTTP": true,
			"credentialsSecretRef": map[string]any{"name": "password-credentials"}}}}
	site := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "hoxtonai.dev/v1alpha1", "kind": "Site",
		"metadata": map[string]any{"name": "password-site", "namespace": ns},
		"spec":     map[string]any{"name": "Password", "timeZone": "Europe/London", "connectionRef": map[string]any{"name": "password"}}}}
	return []*unstructured.Unstructured{secret, conn, site}
}

// seedRefreshToken asks the fake for a refresh token with the password grant, as a
// user would once to seed a RefreshToken Connection.
func seedRefreshToken(t *testing.T, fake fakeAPI) string {
	t.Helper()
	form := url.Values{"grant_type": {"password"}, "username": {hoxtontest.DefaultUsername}, "password": {hoxtontest.DefaultPassword},
		"client_id": {hoxtontest.DefaultClientID}, "client_secret": {hoxtontest.DefaultClientSecret}, "audience": {hoxtontest.DefaultAudience}}
	resp, err := http.PostForm(fake.tokenURL(), form) //nolint:noctx // test helper
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var tok struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.RefreshToken == "" {
		t.Fatalf("no refresh token from the fake (%d, %v)", resp.StatusCode, err)
	}
	return tok.RefreshToken
}

// gitopsBase is the repository's base/: every sample, the rotating and the password
// Connections, a Site to prune later, an Annotation whose ring crosses itself
// (Terminal: Degraded) and a Camera whose Site does not exist (Progressing).
func (e *env) gitopsBase(t *testing.T, fake fakeAPI) map[string][]byte {
	t.Helper()
	objs := append(samples(t, gitopsNS, fake), rotatingConnection(t, gitopsNS, "rotating-site", fake)...)
	objs = append(objs, passwordConnection(gitopsNS, fake)...)
	bad := []byte(fmt.Sprintf(`apiVersion: hoxtonai.dev/v1alpha1
kind: Site
metadata: {name: pruned-site, namespace: %[1]s}
spec: {name: Pruned, timeZone: Europe/London}
---
apiVersion: hoxtonai.dev/v1alpha1
kind: Annotation
metadata: {name: crossed, namespace: %[1]s}
spec:
  cameraRef: {name: main-entrance}
  roi:
    polygon:
      - [[0.1, 0.1], [0.9, 0.9], [0.9, 0.1], [0.1, 0.9], [0.1, 0.1]]
---
apiVersion: hoxtonai.dev/v1alpha1
kind: Camera
metadata: {name: lost, namespace: %[1]s}
spec: {serialNumber: HX2-000999, siteRef: {name: nowhere}, name: Lost}
`, gitopsNS))
	return map[string][]byte{"base/objects.yaml": manifest(t, objs), "base/extra.yaml": bad,
		// The overlay builds on it, so it is a kustomization too.
		"base/kustomization.yaml": []byte("resources: [objects.yaml, extra.yaml]\n")}
}

// createApplication points Application name at path of the repository, with automated
// sync, prune and self-heal, into the gitops namespace; finalizer chooses how Argo CD
// deletes its resources (foreground or background).
func (e *env) createApplication(t *testing.T, name, path string, repo gitRepo, propagation string) {
	t.Helper()
	finalizer := "resources-finalizer.argocd.argoproj.io"
	if propagation == "background" {
		finalizer += "/background"
	}
	e.kubectl(t, []byte(fmt.Sprintf(`apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: %s, namespace: %s, finalizers: [%s]}
spec:
  project: default
  source: {repoURL: "%s", path: %s, targetRevision: main}
  destination: {server: "https://kubernetes.default.svc", namespace: %s}
  syncPolicy:
    automated: {prune: true, selfHeal: true}
    syncOptions: [CreateNamespace=true]
`, name, argoNS, finalizer, repo.url(), path, gitopsNS)), "apply", "-f", "-")
}

// syncAndHealth: every good object Healthy, the Terminal error Degraded with its
// reason, the missing reference Progressing, the Application Degraded.
func (e *env) syncAndHealth(t *testing.T, repo gitRepo) {
	e.createApplication(t, "plain", "base", repo, "foreground")
	eventually(t, wait, "synced, and healthy but for the two bad objects", func() error {
		a, err := e.application(t, "plain")
		if err != nil {
			return err
		}
		if a.sync != "Synced" {
			return fmt.Errorf("sync %s: %s", a.sync, a.message)
		}
		for _, r := range a.resources {
			want := "Healthy"
			switch {
			case r.kind == "Annotation" && r.name == "crossed":
				want = "Degraded"
			case r.kind == "Camera" && r.name == "lost":
				want = "Progressing"
			case r.health == "": // Secrets have no health
				continue
			}
			if r.health != want {
				return fmt.Errorf("%s %s: %s (%s), want %s", r.kind, r.name, r.health, r.message, want)
			}
			if want == "Degraded" && !strings.Contains(r.message, "Terminal") {
				t.Errorf("the Degraded Annotation's message does not give the reason: %q", r.message)
			}
		}
		if a.health != "Degraded" {
			return fmt.Errorf("the Application is %s, want Degraded (its worst resource)", a.health)
		}
		return nil
	})
}

// noDriftAndChanges: Git changes reach HoxtonAi through the rotating Connection (so its
// refresh token rotates), and after each a hard refresh shows nothing OutOfSync, the
// Connection's Secret included; an object removed from Git is pruned and deleted in
// HoxtonAi.
func (e *env) noDriftAndChanges(t *testing.T, repo gitRepo) {
	stateBefore := e.tokenState(t)
	siteName := regexp.MustCompile(`(?m)^(\s+)name: Rotating.*$`)
	for i := range 3 {
		before := len(e.writes(t))
		objects := siteName.ReplaceAllString(string(mustRead(t, repo.work+"/base/objects.yaml")), "${1}name: Rotating "+strconv.Itoa(i))
		repo.commit(t, "rename the rotating site", map[string][]byte{"base/objects.yaml": []byte(objects)})
		e.refresh(t, "plain")
		eventually(t, wait, "the Git change written to HoxtonAi", func() error {
			for _, w := range e.writes(t)[before:] {
				if strings.HasSuffix(w, " /api/v0/sites") {
					return nil
				}
			}
			return fmt.Errorf("no site written")
		})
		// Past the access token's lifetime, so the next change rotates the refresh token.
		time.Sleep(6 * time.Second)
		e.refresh(t, "plain")
		eventually(t, wait, "in sync after a hard refresh", func() error {
			a, err := e.application(t, "plain")
			if err != nil {
				return err
			}
			for _, r := range a.resources {
				if r.status != "Synced" {
					return fmt.Errorf("%s %s is %s", r.kind, r.name, r.status)
				}
			}
			return nil
		})
	}
	if e.tokenState(t) == stateBefore {
		t.Error("the refresh token never rotated: the no-drift check proved nothing")
	}
	// The user's Secret still holds what Git says: the operator never wrote it back.
	var userSecret corev1.Secret
	if err := e.kube.Get(context.Background(), client.ObjectKey{Namespace: gitopsNS, Name: "rotating-credentials"}, &userSecret); err != nil {
		t.Fatal(err)
	}
	if seed := string(userSecret.Data[v1alpha1.SecretKeyRefreshToken]); seed == "" || !strings.Contains(string(mustRead(t, repo.work+"/base/objects.yaml")), seed) {
		t.Error("the user's Secret no longer holds the refresh token in Git")
	}

	before := len(e.writes(t))
	repo.commit(t, "prune a site", map[string][]byte{"base/extra.yaml": []byte(strings.SplitN(string(mustRead(t, repo.work+"/base/extra.yaml")), "---\n", 2)[1])})
	e.refresh(t, "plain")
	eventually(t, wait, "the site pruned and deleted in HoxtonAi", func() error {
		if _, err := e.kubectlErr(nil, "get", "site", "pruned-site", "-n", gitopsNS); err == nil {
			return fmt.Errorf("still in the cluster")
		}
		for _, w := range e.writes(t)[before:] {
			if strings.Contains(w, "DELETE /api/v0/sites/") {
				return nil
			}
		}
		return fmt.Errorf("no DELETE of a site")
	})
}

// refresh asks Argo CD for a hard refresh of Application name, as `argocd app get
// --hard-refresh` does: it reads Git (and the manifests) again at once instead of at
// its next poll.
func (e *env) refresh(t *testing.T, name string) {
	t.Helper()
	e.kubectl(t, nil, "annotate", "applications.argoproj.io", name, "-n", argoNS, "argocd.argoproj.io/refresh=hard", "--overwrite")
}

// tokenState is the resourceVersion of the rotating Connection's token state Secret,
// which changes with every rotation saved (its content never reaches the test log).
func (e *env) tokenState(t *testing.T) string {
	t.Helper()
	var s corev1.Secret
	if err := e.kube.Get(context.Background(), client.ObjectKey{Namespace: gitopsNS, Name: "rotating-hoxton-token"}, &s); err != nil {
		return ""
	}
	return s.ResourceVersion
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
