package kinds_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hoxton-operator/hoxton-operator/internal/kinds"
)

// repoFile reads a file of the repository.
func repoFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", path))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestEveryKindHasACase: the per-kind tests cover exactly the registered kinds.
func TestEveryKindHasACase(t *testing.T) {
	var registered, covered []string
	for _, k := range kinds.Registry() {
		registered = append(registered, k.Name)
	}
	for _, kc := range kindCases {
		covered = append(covered, kc.kind)
	}
	slices.Sort(registered)
	slices.Sort(covered)
	if !slices.Equal(registered, covered) {
		t.Fatalf("kinds with a test case %v, registered kinds %v", covered, registered)
	}
}

// TestEveryKindIsShipped: every registered kind has a CRD listed in the CRD
// kustomization, RBAC for the manager and for people (edit, view), a sample, an Argo CD health check and a README
// section; and the CRDs are exactly the registered kinds plus the two Connection kinds.
func TestEveryKindIsShipped(t *testing.T) {
	role := repoFile(t, "config/rbac/role.yaml")
	userRoles := map[string]string{"editor": repoFile(t, "config/rbac/editor_role.yaml"), "viewer": repoFile(t, "config/rbac/viewer_role.yaml")}
	crds := repoFile(t, "config/crd/kustomization.yaml")
	argocd := repoFile(t, "config/argocd/kustomization.yaml")
	readme := repoFile(t, "README.md")
	samples, err := filepath.Glob(filepath.Join("..", "..", "config", "samples", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var sampleText strings.Builder
	for _, s := range samples {
		data, _ := os.ReadFile(s)
		sampleText.Write(data)
	}
	want := []string{"clusterconnections", "connections"}
	for _, k := range kinds.Registry() {
		plural := strings.ToLower(k.Name) + "s"
		want = append(want, plural)
		for _, res := range []string{plural, plural + "/status", plural + "/finalizers"} {
			if !regexp.MustCompile(`(?m)^  - ` + regexp.QuoteMeta(res) + `$`).MatchString(role) {
				t.Errorf("%s: config/rbac/role.yaml grants nothing on %s", k.Name, res)
			}
		}
		for name, text := range userRoles {
			if !regexp.MustCompile(`(?m)^  - ` + regexp.QuoteMeta(plural) + `$`).MatchString(text) {
				t.Errorf("%s: the %s role for people (config/rbac/%s_role.yaml) lacks %s: run `make manifests`", k.Name, name, name, plural)
			}
		}
		if !strings.Contains(crds, "bases/hoxtonai.dev_"+plural+".yaml") {
			t.Errorf("%s: config/crd/kustomization.yaml does not list its CRD", k.Name)
		}
		if !regexp.MustCompile(`(?m)^kind: ` + k.Name + `$`).MatchString(sampleText.String()) {
			t.Errorf("%s: no sample in config/samples", k.Name)
		}
		if !strings.Contains(argocd, "hoxtonai.dev_"+k.Name+"=") {
			t.Errorf("%s: no Argo CD health check in config/argocd", k.Name)
		}
		if !strings.Contains(readme, "\n### "+k.Name+"\n") {
			t.Errorf("%s: no README section \"### %s\"", k.Name, k.Name)
		}
	}
	bases, err := filepath.Glob(filepath.Join("..", "..", "config", "crd", "bases", "hoxtonai.dev_*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var have []string
	for _, b := range bases {
		have = append(have, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(b), "hoxtonai.dev_"), ".yaml"))
	}
	slices.Sort(want)
	slices.Sort(have)
	if !slices.Equal(want, have) {
		t.Errorf("CRDs in config/crd/bases %v, want the registered kinds and the Connection kinds %v", have, want)
	}
}

// TestREADMEListsEveryCRD: the README's list of kinds (the "### <Kind>" sections of
// "## The managed kinds", and the two Connection kinds its credentials section
// describes) is exactly the kinds of the CRDs in config/crd/bases.
func TestREADMEListsEveryCRD(t *testing.T) {
	readme := repoFile(t, "README.md")
	start := strings.Index(readme, "\n## The managed kinds\n")
	if start < 0 {
		t.Fatal(`README.md has no section "## The managed kinds"`)
	}
	section := readme[start+1:]
	if end := strings.Index(section[1:], "\n## "); end >= 0 {
		section = section[:end+1]
	}
	var listed []string
	for _, m := range regexp.MustCompile(`(?m)^### (\S+)$`).FindAllStringSubmatch(section, -1) {
		listed = append(listed, m[1])
	}
	credentials := readme[strings.Index(readme, "\n## Credentials"):start]
	for _, k := range []string{"Connection", "ClusterConnection"} {
		if strings.Contains(credentials, "`"+k+"`") {
			listed = append(listed, k)
		}
	}
	bases, err := filepath.Glob(filepath.Join("..", "..", "config", "crd", "bases", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var crds []string
	kindLine := regexp.MustCompile(`(?m)^    kind: (\S+)$`)
	for _, b := range bases {
		data, err := os.ReadFile(b)
		if err != nil {
			t.Fatal(err)
		}
		m := kindLine.FindStringSubmatch(string(data))
		if m == nil {
			t.Fatalf("%s names no kind", b)
		}
		crds = append(crds, m[1])
	}
	slices.Sort(listed)
	slices.Sort(crds)
	if !slices.Equal(listed, crds) {
		t.Fatalf("README.md lists the kinds %v, config/crd/bases holds the CRDs of %v", listed, crds)
	}
}
