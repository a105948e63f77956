package main

import (
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

const (
	crdDir    = "../../config/crd/bases"
	luaDir    = "../../config/argocd"
	chartFile = "../../charts/hoxton-operator/Chart.yaml"
	docFile   = "../../docs/operations.md"
)

// TestOperationsDocIsCurrent: docs/operations.md carries the health checks as the
// generator writes them from the tested scripts and the CRDs; a hand edit, a changed
// script or a new kind makes it stale until `make manifests` runs.
func TestOperationsDocIsCurrent(t *testing.T) {
	doc, err := os.ReadFile(docFile)
	if err != nil {
		t.Fatal(err)
	}
	want, err := generate(crdDir, luaDir, chartFile, doc)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(doc) {
		t.Fatalf("docs/operations.md differs from what hack/argocd-health generates: run `make manifests`\n%s",
			firstDifference(string(doc), string(want)))
	}
}

// TestSnippetsCarryTheTestedScripts: each snippet in docs/operations.md is YAML that,
// its aliases resolved, gives every kind of the CRDs the script config/argocd's
// kustomize component gives it, byte for byte.
func TestSnippetsCarryTheTestedScripts(t *testing.T) {
	doc, err := os.ReadFile(docFile)
	if err != nil {
		t.Fatal(err)
	}
	want := componentChecks(t)
	set, err := readChecks(crdDir, luaDir)
	if err != nil {
		t.Fatal(err)
	}
	var snippets []map[string]any
	for _, m := range regexp.MustCompile("(?s)```yaml\n(.*?)```\n").FindAllStringSubmatch(generatedBlock(t, string(doc)), -1) {
		var snippet map[string]any
		if err := yaml.Unmarshal([]byte(m[1]), &snippet); err != nil {
			t.Fatalf("a snippet is not YAML: %v\n%s", err, m[1])
		}
		snippets = append(snippets, snippet)
	}
	if len(snippets) != 4 {
		t.Fatalf("%d YAML snippets, want 4 (the component, the argocd-cm patch, the Helm values, the ArgoCD resource)", len(snippets))
	}
	version, err := appVersion(chartFile)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := snippets[0]["components"].([]any); len(got) != 1 || !strings.HasSuffix(got[0].(string), "//config/argocd?ref=v"+version) {
		t.Errorf("the component snippet is %v, want config/argocd at v%s", got, version)
	}
	prefix := "resource.customizations.health." + set.Group + "_"
	fromKeys := func(form string, data map[string]any) {
		got := map[string]string{}
		for key, script := range data {
			if kind, ok := strings.CutPrefix(key, prefix); ok {
				got[kind] = scriptName(t, set, script)
			}
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s: health checks %v, want %v", form, got, want)
		}
	}
	fromKeys("the argocd-cm patch", dig(snippets[1], "data"))
	fromKeys("the Helm values", dig(dig(snippets[2], "configs"), "cm"))
	got := map[string]string{}
	checks, _ := dig(snippets[3], "spec")["resourceHealthChecks"].([]any)
	for _, c := range checks {
		c := c.(map[string]any)
		if c["group"] != set.Group {
			t.Errorf("the ArgoCD resource: a check of group %v", c["group"])
		}
		got[c["kind"].(string)] = scriptName(t, set, c["check"])
	}
	if !maps.Equal(got, want) {
		t.Errorf("the ArgoCD resource: health checks %v, want %v", got, want)
	}
}

// TestKustomizeComponentAgrees: config/argocd's component (tested against the kinds'
// registry) gives each kind the script the generator gives it.
func TestKustomizeComponentAgrees(t *testing.T) {
	set, err := readChecks(crdDir, luaDir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range set.Checks {
		got[c.Kind] = c.Script
	}
	if want := componentChecks(t); !maps.Equal(got, want) {
		t.Fatalf("the generator's checks %v, config/argocd/kustomization.yaml's %v", got, want)
	}
}

// componentChecks reads the script of each kind from config/argocd/kustomization.yaml.
func componentChecks(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(luaDir + "/kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s+- resource\.customizations\.health\.[^_]+_(\w+)=(\S+)$`).FindAllStringSubmatch(string(data), -1) {
		checks[m[1]] = m[2]
	}
	if len(checks) == 0 {
		t.Fatal("no health checks in config/argocd/kustomization.yaml")
	}
	return checks
}

// scriptName names the script of config/argocd a snippet's value is.
func scriptName(t *testing.T, set checkSet, value any) string {
	t.Helper()
	for _, name := range slices.Sorted(maps.Keys(set.Scripts)) {
		if value == set.Scripts[name] {
			return name
		}
	}
	t.Errorf("a health check is none of the scripts in config/argocd:\n%v", value)
	return ""
}

func dig(m map[string]any, key string) map[string]any {
	v, _ := m[key].(map[string]any)
	return v
}

func generatedBlock(t *testing.T, doc string) string {
	t.Helper()
	_, after, ok := strings.Cut(doc, beginMarker)
	block, _, ok2 := strings.Cut(after, endMarker)
	if !ok || !ok2 {
		t.Fatal("docs/operations.md lacks the argocd-health markers")
	}
	return block
}

// firstDifference shows the first line where got and want differ.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d:\n  docs: %s\n  want: %s", i+1, g[i], w[i])
		}
	}
	return "the lengths differ"
}
