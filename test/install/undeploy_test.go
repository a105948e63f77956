// Package install tests, without a cluster, what users install: the manifests the
// Makefile's install targets send to kubectl, and the Dockerfile the image is built from.
package install

import (
	"bytes"
	"errors"
	"io"
	"os/exec"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// TestUndeployKeepsTheCRDs: `make undeploy` deletes the manager and its RBAC but no
// CRD (deleting one deletes every object of its kind, and through the finalizers every
// HoxtonAi object they manage) and not the namespace (it holds the ClusterConnections'
// Secrets). Deleting the CRDs is `make uninstall`, a deliberate step of its own.
func TestUndeployKeepsTheCRDs(t *testing.T) {
	kinds := map[string]int{}
	for _, o := range makeManifests(t, "undeploy-manifests") {
		kinds[o.GetKind()]++
	}
	for _, kept := range []string{"CustomResourceDefinition", "Namespace"} {
		if kinds[kept] > 0 {
			t.Errorf("make undeploy deletes %d %s objects", kinds[kept], kept)
		}
	}
	for _, removed := range []string{"Deployment", "ServiceAccount", "ClusterRole", "ClusterRoleBinding"} {
		if kinds[removed] == 0 {
			t.Errorf("make undeploy leaves the %s objects in place (deletes only %v)", removed, kinds)
		}
	}
}

// makeManifests runs a make target in the repository's root and decodes the YAML
// documents it prints.
func makeManifests(t *testing.T, target string) []unstructured.Unstructured {
	t.Helper()
	// Installed first and apart, so that "Installing …" is not read as a manifest.
	if out, err := exec.Command("make", "-C", "../..", "-s", "kustomize").CombinedOutput(); err != nil {
		t.Fatalf("make kustomize: %v\n%s", err, out)
	}
	var stderr bytes.Buffer
	cmd := exec.Command("make", "-C", "../..", "-s", "--no-print-directory", target)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("make %s: %v\n%s", target, err, stderr.String())
	}
	var objs []unstructured.Unstructured
	decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(out), 4096)
	for {
		var o unstructured.Unstructured
		if err := decoder.Decode(&o.Object); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatalf("make %s printed something else than manifests: %v", target, err)
		}
		if o.Object != nil {
			objs = append(objs, o)
		}
	}
	if len(objs) == 0 {
		t.Fatalf("make %s printed no manifests", target)
	}
	return objs
}
