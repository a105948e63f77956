//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

func loadCRDs(t *testing.T) []apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(repoRoot, "config", "crd", "bases", "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no CRDs in config/crd/bases (%v)", err)
	}
	crds := make([]apiextensionsv1.CustomResourceDefinition, 0, len(paths))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(data, &crd); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		crds = append(crds, crd)
	}
	return crds
}

// TestEveryKindHasAnExpectation: the deletion check knows, per kind, what the fake
// must hold afterwards; a new kind in config/samples needs an entry in afterDeletion.
func TestEveryKindHasAnExpectation(t *testing.T) {
	managedKinds := map[string]bool{}
	for _, crd := range loadCRDs(t) {
		managedKinds[crd.Spec.Names.Kind] = true
	}
	for _, f := range loadSamples(t) {
		for _, u := range f.objs {
			if !isGroup(u) || u.GetKind() == "Connection" || u.GetKind() == "ClusterConnection" {
				continue
			}
			if !managedKinds[u.GetKind()] {
				t.Errorf("%s: kind %s has no CRD in config/crd/bases", f.name, u.GetKind())
			}
			if _, ok := afterDeletion[u.GetKind()]; !ok {
				t.Errorf("%s: kind %s has no entry in afterDeletion (fake_test.go)", f.name, u.GetKind())
			}
		}
	}
}
