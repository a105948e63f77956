package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/kinds"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// maxNameLength keeps names valid DNS-1123 labels, which every kind accepts.
const maxNameLength = 63

var notNameChars = regexp.MustCompile(`[^a-z0-9]+`)

// dnsName makes a DNS-1123 label of a HoxtonAi name; fallback when nothing is left.
func dnsName(label, fallback string) string {
	n := strings.Trim(notNameChars.ReplaceAllString(strings.ToLower(label), "-"), "-")
	if n == "" {
		n = fallback
	}
	if len(n) > maxNameLength {
		n = strings.TrimRight(n[:maxNameLength], "-")
	}
	return n
}

// idSuffixLength is how much of the id tells apart objects of the same name.
const idSuffixLength = 8

// uniqueNames names the listed objects of one kind, by id: the name made from the
// HoxtonAi name, or, where several objects would share it, that name with the start
// of the id. A name depends only on the objects that share it, so the names of the
// others stay put when one is added or removed.
func uniqueNames(kind string, listed []managed.Exported) map[string]string {
	fallback := strings.ToLower(kind)
	byBase := map[string][]string{}
	for _, l := range listed {
		base := dnsName(l.Label, fallback)
		byBase[base] = append(byBase[base], l.ID)
	}
	out := map[string]string{}
	taken := map[string]bool{}
	for base, ids := range byBase {
		if len(ids) == 1 {
			out[ids[0]], taken[base] = base, true
		}
	}
	for base, ids := range byBase {
		if len(ids) == 1 {
			continue
		}
		for _, id := range ids {
			suffix := dnsName(id, "x")
			suffix = suffix[:min(len(suffix), idSuffixLength)]
			name := dnsName(base[:min(len(base), maxNameLength-len(suffix)-1)]+"-"+suffix, fallback)
			for n := 2; taken[name]; n++ {
				name = fmt.Sprintf("%s-%d", name, n)
			}
			out[id], taken[name] = name, true
		}
	}
	return out
}

// exportFile is one file of an export.
type exportFile struct {
	name    string
	data    []byte
	secrets []string
}

// kustomizationFile is the file listing the others.
const kustomizationFile = "kustomization.yaml"

// kindFile is the file the objects of a kind are written to.
func kindFile(kind string) string { return strings.ToLower(kind) + "s.yaml" }

// renderExport renders one file per kind with objects, each object a YAML document,
// sorted by name, and the kustomization listing them. A non-nil connRef is set as
// every object's spec.connectionRef.
func renderExport(items []exportedItem, namespace string, connRef *v1alpha1.ConnectionReference) ([]exportFile, error) {
	names := nameOf(items)
	var files []exportFile
	for _, reg := range kinds.Registry() {
		var docs []renderedObject
		var secrets []string
		for _, it := range items {
			if it.reg.Name != reg.Name {
				continue
			}
			o := it.obj.Object(names)
			o.SetName(it.name)
			o.SetNamespace(namespace)
			if connRef != nil {
				ref := *connRef
				o.GetManagedSpec().ConnectionRef = &ref
			}
			o.GetObjectKind().SetGroupVersionKind(v1alpha1.GroupVersion.WithKind(reg.Name))
			data, err := manifestYAML(o)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", reg.Name, it.name, err)
			}
			docs = append(docs, renderedObject{name: it.name, data: data})
			for _, sel := range reg.Secrets(o) {
				secrets = append(secrets, sel.Name)
			}
		}
		if len(docs) == 0 {
			continue
		}
		slices.SortFunc(docs, func(a, b renderedObject) int { return strings.Compare(a.name, b.name) })
		var buf bytes.Buffer
		for i, d := range docs {
			if i > 0 {
				buf.WriteString("---\n")
			}
			buf.Write(d.data)
		}
		files = append(files, exportFile{name: kindFile(reg.Name), data: buf.Bytes(), secrets: secrets})
	}
	var k strings.Builder
	k.WriteString("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n")
	for _, f := range files {
		fmt.Fprintf(&k, "- %s\n", f.name)
	}
	if len(files) == 0 {
		k.WriteString("[]\n")
	}
	return append(files, exportFile{name: kustomizationFile, data: []byte(k.String())}), nil
}

type renderedObject struct {
	name string
	data []byte
}

// manifestYAML renders an object as a manifest: no status, no server-set metadata,
// keys sorted.
func manifestYAML(o managed.Object) ([]byte, error) {
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
	if err != nil {
		return nil, err
	}
	delete(u, "status")
	meta := map[string]any{"name": o.GetName()}
	if ns := o.GetNamespace(); ns != "" {
		meta["namespace"] = ns
	}
	u["metadata"] = meta
	return yaml.Marshal(u)
}

// writeExport writes the files into dir, and removes the kind files of an earlier
// export whose kinds have no object left, so that the folder is the organisation.
func writeExport(dir string, files []exportFile) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	written := map[string]bool{}
	var errs []error
	for _, f := range files {
		written[f.name] = true
		errs = append(errs, os.WriteFile(filepath.Join(dir, f.name), f.data, 0o644)) //nolint:gosec // manifests, no secrets
	}
	for _, reg := range kinds.Registry() {
		if name := kindFile(reg.Name); !written[name] {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// writeExportStream writes the manifests of files as one YAML stream, in the
// order of the files (kinds) and of their documents; the kustomization, which
// lists files, has no place in it.
func writeExportStream(w io.Writer, files []exportFile) error {
	first := true
	for _, f := range files {
		if f.name == kustomizationFile {
			continue
		}
		if !first {
			if _, err := io.WriteString(w, "---\n"); err != nil {
				return err
			}
		}
		first = false
		if _, err := w.Write(f.data); err != nil {
			return err
		}
	}
	return nil
}
