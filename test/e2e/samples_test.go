//go:build e2e

package e2e

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// sampleFile is one file of config/samples, its documents decoded.
type sampleFile struct {
	name string
	objs []*unstructured.Unstructured
}

// loadSamples reads config/samples (every *.yaml but the kustomization).
func loadSamples(t *testing.T) []sampleFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(repoRoot, "config", "samples", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var files []sampleFile
	for _, p := range paths {
		if filepath.Base(p) == "kustomization.yaml" {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f := sampleFile{name: filepath.Base(p)}
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			u := &unstructured.Unstructured{}
			if err := dec.Decode(&u.Object); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				t.Fatalf("%s: %v", p, err)
			}
			if len(u.Object) > 0 {
				f.objs = append(f.objs, u)
			}
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		t.Fatal("no samples in config/samples")
	}
	return files
}

// pointAtFake makes every Connection use the fake API, its organisation and the
// client credentials it accepts, and gives their Secrets those credentials: the
// samples as a user would apply them, against the fake instead of HoxtonAi.
func pointAtFake(files []sampleFile, api *fakeAPI) {
	secrets := map[string]bool{}
	for _, f := range files {
		for _, u := range f.objs {
			if !isGroup(u) || (u.GetKind() != "Connection" && u.GetKind() != "ClusterConnection") {
				continue
			}
			_ = unstructured.SetNestedField(u.Object, api.apiURL(), "spec", "apiURL")
			_ = unstructured.SetNestedField(u.Object, api.tokenURL(), "spec", "tokenURL")
			_ = unstructured.SetNestedField(u.Object, true, "spec", "allowInsecureHTTP")
			_ = unstructured.SetNestedField(u.Object, hoxtontest.DefaultOrganisationID, "spec", "organisationID")
			_ = unstructured.SetNestedField(u.Object, string(v1alpha1.GrantClientCredentials), "spec", "grant")
			name, _, _ := unstructured.NestedString(u.Object, "spec", "credentialsSecretRef", "name")
			ns, found, _ := unstructured.NestedString(u.Object, "spec", "credentialsSecretRef", "namespace")
			if !found {
				ns = namespaceOf(u)
			}
			secrets[ns+"/"+name] = true
		}
	}
	for _, f := range files {
		for _, u := range f.objs {
			if u.GetAPIVersion() == "v1" && u.GetKind() == "Secret" && secrets[namespaceOf(u)+"/"+u.GetName()] {
				delete(u.Object, "data")
				_ = unstructured.SetNestedStringMap(u.Object, map[string]string{
					v1alpha1.SecretKeyClientID:     hoxtontest.DefaultClientID,
					v1alpha1.SecretKeyClientSecret: hoxtontest.DefaultClientSecret,
				}, "stringData")
			}
		}
	}
}

// writeSamples writes the files into dir, as kubectl will read them.
func writeSamples(t *testing.T, files []sampleFile, dir string) {
	t.Helper()
	for _, f := range files {
		var docs []string
		for _, u := range f.objs {
			data, err := yaml.Marshal(u.Object)
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, string(data))
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), []byte(strings.Join(docs, "---\n")), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func isGroup(u *unstructured.Unstructured) bool {
	return strings.HasPrefix(u.GetAPIVersion(), v1alpha1.GroupVersion.Group+"/")
}

func namespaceOf(u *unstructured.Unstructured) string {
	if ns := u.GetNamespace(); ns != "" {
		return ns
	}
	return "default"
}

// ref is kind.group/name, with -n for a namespaced object, as kubectl takes it.
func ref(u *unstructured.Unstructured) []string {
	kind := strings.ToLower(u.GetKind())
	if gv := strings.SplitN(u.GetAPIVersion(), "/", 2); len(gv) == 2 {
		kind += "." + gv[0]
	}
	r := []string{kind + "/" + u.GetName()}
	if ns := u.GetNamespace(); ns != "" {
		r = append(r, "-n", ns)
	}
	return r
}
