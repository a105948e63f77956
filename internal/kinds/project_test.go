package kinds_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/kinds"
)

// projectResource is one resource of kubebuilder's PROJECT file.
type projectResource struct {
	API struct {
		CRDVersion string `json:"crdVersion"`
		Namespaced bool   `json:"namespaced"`
	} `json:"api"`
	Controller bool   `json:"controller"`
	Domain     string `json:"domain"`
	Group      string `json:"group"`
	Kind       string `json:"kind"`
	Path       string `json:"path"`
	Version    string `json:"version"`
}

// TestProjectListsEveryKind: kubebuilder's PROJECT lists exactly the registered
// kinds and the two Connection kinds, each in the API group and with the scope of
// its CRD, so that kubebuilder's commands (create webhook, alpha generate) see the
// project as it is.
func TestProjectListsEveryKind(t *testing.T) {
	var project struct {
		Resources []projectResource `json:"resources"`
	}
	if err := yaml.Unmarshal([]byte(repoFile(t, "PROJECT")), &project); err != nil {
		t.Fatalf("PROJECT: %v", err)
	}
	want := []string{"ClusterConnection", "Connection"}
	for _, k := range kinds.Registry() {
		want = append(want, k.Name)
	}
	var listed []string
	for _, r := range project.Resources {
		listed = append(listed, r.Kind)
		if r.Group+"."+r.Domain != v1alpha1.GroupVersion.Group || r.Version != v1alpha1.GroupVersion.Version ||
			r.Path != "github.com/hoxton-operator/hoxton-operator/api/v1alpha1" || r.API.CRDVersion != "v1" || !r.Controller {
			t.Errorf("PROJECT: %s is %+v, want group %s, version %s, the api/v1alpha1 package, a v1 CRD and a controller",
				r.Kind, r, v1alpha1.GroupVersion.Group, v1alpha1.GroupVersion.Version)
		}
		if namespaced, ok := crdNamespaced(t, r.Kind); !ok {
			t.Errorf("PROJECT: %s has no CRD in config/crd/bases", r.Kind)
		} else if r.API.Namespaced != namespaced {
			t.Errorf("PROJECT: %s namespaced: %v, its CRD says %v", r.Kind, r.API.Namespaced, namespaced)
		}
	}
	slices.Sort(want)
	slices.Sort(listed)
	if !slices.Equal(listed, want) {
		t.Errorf("PROJECT lists %v, want the registered kinds and the Connections: %v", listed, want)
	}
}

// crdNamespaced reads the scope of kind's CRD; ok is false without one.
func crdNamespaced(t *testing.T, kind string) (namespaced, ok bool) {
	t.Helper()
	path := filepath.Join("..", "..", "config", "crd", "bases", "hoxtonai.dev_"+strings.ToLower(kind)+"s.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		return false, false
	}
	var crd struct {
		Spec struct {
			Names struct{ Kind string } `json:"names"`
			Scope string                `json:"scope"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(data, &crd); err != nil || crd.Spec.Names.Kind != kind {
		return false, false
	}
	return crd.Spec.Scope == "Namespaced", true
}
