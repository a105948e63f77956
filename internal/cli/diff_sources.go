package cli

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// stdinPath is the -f value that reads manifests from standard input, as kubectl's.
const stdinPath = "-"

// source is a stream of YAML or JSON documents and where it came from, for messages.
type source struct {
	name string
	data []byte
}

// readSources reads what -f names as kubectl apply would take it: "-" is standard
// input; a file is read; a folder holding a kustomization is built with kustomize
// (its overlays, patches and generators applied, as `kubectl apply -k` would), any
// other folder gives its manifest files, and with recursive those of its sub-folders
// too (a sub-folder holding a kustomization is built, not read file by file).
func readSources(paths []string, recursive bool, stdin io.Reader) ([]source, error) {
	var out []source
	for _, p := range paths {
		if p == stdinPath {
			data, err := io.ReadAll(stdin)
			if err != nil {
				return nil, fmt.Errorf("reading standard input: %w", err)
			}
			out = append(out, source{name: "standard input", data: data})
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				return nil, err
			}
			out = append(out, source{name: p, data: data})
			continue
		}
		found, err := folderSources(p, recursive)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	return out, nil
}

// folderSources reads one folder: built when it holds a kustomization, otherwise its
// manifest files in name order, then (recursive) its sub-folders.
func folderSources(dir string, recursive bool) ([]source, error) {
	if hasKustomization(dir) {
		data, err := buildKustomization(dir)
		if err != nil {
			return nil, err
		}
		return []source{{name: dir + " (kustomize build)", data: data}}, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []source
	var subdirs []string
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if e.IsDir() {
			subdirs = append(subdirs, path)
			continue
		}
		if !isManifestFile(e) {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		out = append(out, source{name: path, data: data})
	}
	if !recursive {
		return out, nil
	}
	slices.Sort(subdirs)
	for _, sub := range subdirs {
		found, err := folderSources(sub, true)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	return out, nil
}

// isManifestFile tells the files kubectl reads from a folder: .yaml, .yml and .json.
func isManifestFile(e fs.DirEntry) bool {
	switch strings.ToLower(filepath.Ext(e.Name())) {
	case ".yaml", ".yml", ".json":
		return e.Type().IsRegular() || e.Type()&fs.ModeSymlink != 0
	}
	return false
}

// hasKustomization reports whether dir holds a kustomization file under any of the
// names kustomize recognises.
func hasKustomization(dir string) bool {
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		if info, err := os.Stat(filepath.Join(dir, name)); err == nil && !info.IsDir() {
			return true
		}
	}
	return false
}

// buildKustomization builds dir as `kubectl kustomize` does by default: files only
// from within the kustomization's root, no plugins and no Helm, which would run
// programs named by the manifests being diffed.
func buildKustomization(dir string) ([]byte, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	m, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	data, err := m.AsYaml()
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	return data, nil
}
