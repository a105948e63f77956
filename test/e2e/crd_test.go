//go:build e2e

package e2e

import (
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

func loadCRDs(t *testing.T) []apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	crds, err := testenv.CRDs()
	if err != nil {
		t.Fatal(err)
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
