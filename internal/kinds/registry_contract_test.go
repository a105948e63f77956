package kinds_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"sigs.k8s.io/yaml"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/kinds"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// The registry against what is kept outside it: kubebuilder's PROJECT and the CRDs,
// and each registration against its kind's own declarations. These tests need no
// control plane of their own.

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

// TestEveryRegistrationReachesItsDeclarations: a registration's Export, IDOf and Plan
// are closures over the kind, never nil, so only calling them shows that the kind
// declares them and that they are its own: Export lists without error (a kind
// without an Export declaration answers an error), IDOf gives a manifest's
// spec.externalID or its derived id, and Plan refuses to adopt an id HoxtonAi does
// not know, after looking it up, without writing.
func TestEveryRegistrationReachesItsDeclarations(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	defer fake.Close()
	tokens := auth.NewCache(t.Context(), auth.Options{}).Source(auth.Credentials{Grant: auth.GrantClientCredentials,
		TokenURL: fake.TokenURL(), Audience: hoxtontest.DefaultAudience,
		ClientID: hoxtontest.DefaultClientID, ClientSecret: hoxtontest.DefaultClientSecret}, nil)
	c, err := hoxton.New(hoxton.Config{BaseURL: fake.APIURL(), OrganisationID: fake.OrganisationID(), Tokens: tokens})
	if err != nil {
		t.Fatal(err)
	}
	org, space := fake.OrganisationID(), managed.DefaultIDNamespace
	for _, reg := range kinds.Registry() {
		if !reg.Exportable {
			t.Errorf("%s declares no Export", reg.Name)
		}
		if _, err := reg.Export(t.Context(), c, managed.ListOptions{}); err != nil {
			t.Errorf("%s: export of an organisation: %v", reg.Name, err)
		}

		o := reg.New()
		o.SetNamespace("shop")
		o.SetName("x")
		derived := managed.DeterministicIDFor(space, org, reg.Name, "shop", "x")
		if id := reg.IDOf(o, org, space); id != derived && id != "" {
			t.Errorf("%s: IDOf a manifest without spec.externalID = %q, want %s or none (chosen by HoxtonAi)", reg.Name, id, derived)
		}
		unknown := uuid.NewString()
		o.GetManagedSpec().ExternalID = unknown
		if id := reg.IDOf(o, org, space); id != unknown {
			t.Errorf("%s: IDOf a manifest with spec.externalID %s = %q", reg.Name, unknown, id)
		}
		fake.ResetRequests()
		_, err := reg.Plan(t.Context(), c, o, managed.PlanInput{Organisation: org, IDNamespace: space,
			Lookup: func(string, string, string) (managed.Object, bool) { return nil, false }})
		if err == nil || !strings.Contains(err.Error(), "spec.externalID "+unknown) {
			t.Errorf("%s: plan adopting an id HoxtonAi does not know = %v, want refused naming it", reg.Name, err)
		}
		if fake.CountRequests("GET", "") == 0 || fake.CountWrites() != 0 {
			t.Errorf("%s: the plan read nothing or wrote (%d writes)", reg.Name, fake.CountWrites())
		}
	}
}

// TestEveryDeclarationIsConsistent: every registered kind passes the check the
// manager's setup makes (reference fields, SameSiteAs, link sets).
func TestEveryDeclarationIsConsistent(t *testing.T) {
	for _, reg := range kinds.Registry() {
		if err := reg.Validate(); err != nil {
			t.Error(err)
		}
	}
}
