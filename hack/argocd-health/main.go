// Package main is the command argocd-health: it writes the Argo CD health checks of
// every hoxtonai.dev kind into docs/operations.md, between the markers
// <!-- BEGIN argocd-health --> and <!-- END argocd-health -->, in the three forms Argo CD
// is configured in (an argocd-cm patch for kustomize, the Argo CD Helm chart's
// configs.cm, the argocd-operator's ArgoCD spec.resourceHealthChecks), so that the docs
// carry the Lua scripts test/argocd tests and nobody copies them by hand.
//
// The kinds come from the CRDs controller-gen generates, as for hack/user-roles: a kind
// whose spec has a connectionRef is managed through a Connection and gets
// managed-health.lua; the others (the Connections) get connection-health.lua. The kinds
// and scripts are written once each in every snippet: the first kind of a script
// defines a YAML anchor that the others alias. `make manifests` runs it.
package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

const (
	beginMarker = "<!-- BEGIN argocd-health -->"
	endMarker   = "<!-- END argocd-health -->"
	// The scripts in config/argocd: one for the kinds that use a Connection, one for the
	// Connections themselves.
	managedScript    = "managed-health.lua"
	connectionScript = "connection-health.lua"
	repository       = "github.com/hoxton-operator/hoxton-operator"
)

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: argocd-health <crd dir> <lua dir> <Chart.yaml> <doc>")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3], os.Args[4]); err != nil {
		fmt.Fprintln(os.Stderr, "argocd-health:", err)
		os.Exit(1)
	}
}

func run(crdDir, luaDir, chartFile, docFile string) error {
	doc, err := os.ReadFile(docFile)
	if err != nil {
		return err
	}
	updated, err := generate(crdDir, luaDir, chartFile, doc)
	if err != nil {
		return err
	}
	return os.WriteFile(docFile, updated, 0o644)
}

// generate returns doc with the block between the markers written anew.
func generate(crdDir, luaDir, chartFile string, doc []byte) ([]byte, error) {
	set, err := readChecks(crdDir, luaDir)
	if err != nil {
		return nil, err
	}
	version, err := appVersion(chartFile)
	if err != nil {
		return nil, err
	}
	return splice(doc, render(set, version))
}

// check is the health check of one kind: the name of its script in config/argocd.
type check struct {
	Kind   string
	Script string
}

// checkSet is every kind's check, the kinds of a script together, and the scripts' text.
type checkSet struct {
	Group   string
	Checks  []check
	Scripts map[string]string
}

func readChecks(crdDir, luaDir string) (checkSet, error) {
	set := checkSet{Scripts: map[string]string{}}
	for _, name := range []string{connectionScript, managedScript} {
		text, err := os.ReadFile(filepath.Join(luaDir, name))
		if err != nil {
			return set, err
		}
		set.Scripts[name] = string(text)
	}
	files, err := filepath.Glob(filepath.Join(crdDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		return set, fmt.Errorf("no CRDs in %s (%w)", crdDir, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return set, err
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(data, &crd); err != nil {
			return set, fmt.Errorf("%s: %w", f, err)
		}
		set.Group = crd.Spec.Group
		script := connectionScript
		if usesConnection(crd) {
			script = managedScript
		}
		set.Checks = append(set.Checks, check{Kind: crd.Spec.Names.Kind, Script: script})
	}
	slices.SortFunc(set.Checks, func(a, b check) int {
		return cmp.Or(cmp.Compare(a.Script, b.Script), cmp.Compare(a.Kind, b.Kind))
	})
	return set, nil
}

// usesConnection says the kind's spec has a connectionRef in its stored version: it is
// reconciled through a Connection, as every managed kind is.
func usesConnection(crd apiextensionsv1.CustomResourceDefinition) bool {
	for _, v := range crd.Spec.Versions {
		if !v.Storage || v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
			continue
		}
		_, ok := v.Schema.OpenAPIV3Schema.Properties["spec"].Properties["connectionRef"]
		return ok
	}
	return false
}

func appVersion(chartFile string) (string, error) {
	data, err := os.ReadFile(chartFile)
	if err != nil {
		return "", err
	}
	var chart struct {
		AppVersion string `json:"appVersion"`
	}
	if err := yaml.Unmarshal(data, &chart); err != nil || chart.AppVersion == "" {
		return "", fmt.Errorf("%s: no appVersion (%w)", chartFile, err)
	}
	return chart.AppVersion, nil
}

// splice replaces what is between the markers in doc with block.
func splice(doc []byte, block string) ([]byte, error) {
	begin := bytes.Index(doc, []byte(beginMarker))
	end := bytes.Index(doc, []byte(endMarker))
	if begin < 0 || end < begin {
		return nil, errors.New("the doc lacks the markers " + beginMarker + " ... " + endMarker)
	}
	var out bytes.Buffer
	out.Write(doc[:begin+len(beginMarker)])
	out.WriteString("\n" + block)
	out.Write(doc[end:])
	return out.Bytes(), nil
}

var anchorName = regexp.MustCompile(`[^a-z0-9]+`)

// entries writes one YAML entry per kind, the first of a script with the script as a
// literal block under an anchor and the others as its alias. entry returns the lines
// of an entry up to its value (its key or its list item) and the value's indentation.
func entries(b *strings.Builder, set checkSet, entry func(kind string) (string, string)) {
	defined := map[string]bool{}
	for _, c := range set.Checks {
		head, indent := entry(c.Kind)
		anchor := anchorName.ReplaceAllString(strings.TrimSuffix(c.Script, ".lua"), "-")
		if defined[c.Script] {
			fmt.Fprintf(b, "%s *%s\n", head, anchor)
			continue
		}
		defined[c.Script] = true
		fmt.Fprintf(b, "%s &%s |\n", head, anchor)
		for line := range strings.Lines(strings.TrimSuffix(set.Scripts[c.Script], "\n") + "\n") {
			if strings.TrimSpace(line) == "" {
				b.WriteString("\n")
				continue
			}
			b.WriteString(indent + line)
		}
	}
}
