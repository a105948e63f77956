package cluster

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// deletionLimit is how long an Application's deletion may take before it counts as
// hung.
const deletionLimit = 2 * time.Minute

// deleteApplication deletes Application name and waits until it, every HoxtonAi object
// of namespace ns and the token state are gone, and every Site it held that was
// Ready (so exists in HoxtonAi) is deleted there. It returns how long that took, or fails the
// test.
func (e *env) deleteApplication(t *testing.T, name, ns, propagation string) time.Duration {
	t.Helper()
	var list v1alpha1.SiteList
	if err := e.kube.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	var sites []string
	for _, s := range list.Items {
		if c := meta.FindStatusCondition(s.Status.Conditions, "Ready"); c != nil && c.Status == metav1.ConditionTrue {
			sites = append(sites, s.Name)
		}
	}
	before := len(e.writes(t))
	start := time.Now()
	e.kubectl(t, nil, "delete", "applications.argoproj.io", name, "-n", argoNS, "--wait=false")
	finished := false
	t.Cleanup(func() {
		if !finished {
			e.dumpDeletion(t, name, ns)
		}
	})
	eventually(t, deletionLimit, fmt.Sprintf("Application %s deleted (%s) with everything it held: a hang", name, propagation), func() error {
		if out, _ := e.kubectlErr(nil, "get", "applications.argoproj.io", name, "-n", argoNS, "--ignore-not-found", "-o", "name"); strings.TrimSpace(out) != "" {
			return fmt.Errorf("the Application is still there")
		}
		left, err := e.kubectlErr(nil, "get", "hoxton", "-n", ns, "-o", "name")
		if err != nil || strings.TrimSpace(left) != "" {
			return fmt.Errorf("left in Kubernetes: %s", strings.Join(strings.Fields(left), " "))
		}
		if out, _ := e.kubectlErr(nil, "get", "secret", "rotating-hoxton-token", "-n", ns, "--ignore-not-found", "-o", "name"); strings.TrimSpace(out) != "" {
			return fmt.Errorf("the token state is left")
		}
		deleted := 0
		for _, w := range e.writes(t)[before:] {
			if strings.Contains(w, "DELETE /api/v0/sites/") {
				deleted++
			}
		}
		if deleted < len(sites) {
			return fmt.Errorf("%d of the sites %v deleted in HoxtonAi", deleted, sites)
		}
		return nil
	})
	finished = true
	return time.Since(start)
}

// dumpDeletion logs what a hung deletion left: the Application's status, the
// finalizers, deletion times and owners of what is left in ns (names and metadata
// only: the Secrets' data never reaches the log), and the operator's last log lines.
func (e *env) dumpDeletion(t *testing.T, name, ns string) {
	meta := "custom-columns=KIND:.kind,NAME:.metadata.name,DELETING:.metadata.deletionTimestamp," +
		"FINALIZERS:.metadata.finalizers,OWNERS:.metadata.ownerReferences[*].name,READY:.status.conditions[?(@.type==\"Ready\")].reason"
	for _, args := range [][]string{
		{"get", "applications.argoproj.io", name, "-n", argoNS, "-o", "jsonpath={.status.operationState.message} {.status.conditions}"},
		{"get", "hoxton,secrets", "-n", ns, "-o", meta},
		{"get", "events", "-n", ns, "--sort-by=.lastTimestamp"},
		{"logs", "-n", releaseNS, "-l", "app.kubernetes.io/name=hoxton-operator", "--tail=80", "--prefix", "--max-log-requests=4"},
	} {
		out, err := e.kubectlErr(nil, args...)
		t.Logf("kubectl %s (%v):\n%s", strings.Join(args, " "), err, out)
	}
}

// overlay: the repository through a kustomize overlay, built by the repo server as it
// would be applied, its patch reaching HoxtonAi; then deleted in the background. It
// moves the objects into a namespace of their own: the base's Sites were deleted with
// their Application, and HoxtonAi never reuses an id (the cameras, still claimed by
// those sites, are Degraded there, as HoxtonAi cannot move a camera).
func (e *env) overlay(t *testing.T, repo gitRepo) {
	const ns = "gitops-overlay"
	repo.commit(t, "an overlay", map[string][]byte{"overlay/namespace.yaml": []byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n"),
		"overlay/kustomization.yaml": []byte(`namespace: ` + ns + `
resources: [namespace.yaml, ../base]
patches:
  - target: {group: hoxtonai.dev, kind: Site, name: london-flagship}
    patch: |
      - op: replace
        path: /spec/name
        value: London Flagship (overlay)
`)})
	e.createApplication(t, "overlay", "overlay", repo, "background")
	eventually(t, wait, "the overlay synced and its patch applied", func() error {
		a, err := e.application(t, "overlay")
		if err != nil {
			return err
		}
		if a.sync != "Synced" {
			return fmt.Errorf("sync %s: %s", a.sync, a.message)
		}
		out, err := e.kubectlErr(nil, "get", "site", "london-flagship", "-n", ns, "-o",
			`jsonpath={.spec.name}/{.status.conditions[?(@.type=="Ready")].status}`)
		if err != nil || out != "London Flagship (overlay)/True" {
			return fmt.Errorf("site: %s (%v)", out, err)
		}
		return nil
	})
	e.deleteApplication(t, "overlay", ns, "background")
}

// repeatedDeletions creates and deletes an Application holding a RefreshToken
// Connection and a Site that uses it, alternating foreground and background
// propagation, HOXTON_GITOPS_DELETIONS times (20 by default): each Connection's seed
// has been rotated away by the time it is deleted, so only its token state can delete
// the Site. No deletion may hang.
func (e *env) repeatedDeletions(t *testing.T, repo gitRepo, fake fakeAPI) {
	runs := 20
	if n, err := strconv.Atoi(os.Getenv("HOXTON_GITOPS_DELETIONS")); err == nil && n >= 0 {
		runs = n
	}
	if runs == 0 {
		t.Skip("HOXTON_GITOPS_DELETIONS=0: the repeated deletions are not run")
	}
	var took []time.Duration
	for i := range runs {
		propagation := []string{"foreground", "background"}[i%2]
		name := "deletion-" + strconv.Itoa(i)
		// A fresh seed each time, as a user re-seeding would: the last one was rotated away.
		repo.commit(t, "seed "+name, map[string][]byte{"deletion/objects.yaml": manifest(t, rotatingConnection(t, gitopsNS, name, fake))})
		e.createApplication(t, name, "deletion", repo, propagation)
		eventually(t, wait, name+" synced and Ready", func() error {
			a, err := e.application(t, name)
			if err != nil {
				return err
			}
			if a.sync != "Synced" || a.health != "Healthy" {
				return fmt.Errorf("%s/%s: %s", a.sync, a.health, a.message)
			}
			return nil
		})
		took = append(took, e.deleteApplication(t, name, gitopsNS, propagation))
		if t.Failed() {
			break
		}
	}
	if len(took) == 0 {
		return
	}
	slices.Sort(took)
	t.Logf("deletions: %d of %d completed, 0 hung; median %.1f s, slowest %.1f s",
		len(took), runs, took[len(took)/2].Seconds(), took[len(took)-1].Seconds())
}
