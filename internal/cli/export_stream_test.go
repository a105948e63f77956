package cli_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// decodeStream returns the documents of a YAML stream.
func decodeStream(t *testing.T, data []byte) []*unstructured.Unstructured {
	t.Helper()
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []*unstructured.Unstructured
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return out
			}
			t.Fatalf("not a YAML stream: %v", err)
		}
		if len(u.Object) > 0 {
			out = append(out, u)
		}
	}
}

// TestExportToStdout: -d - writes the same manifests as a folder export, as one
// YAML stream kubectl apply -f - takes, and nothing else on stdout.
func TestExportToStdout(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	defer fake.Close()
	buildOrganisation(t, fake)
	dir := t.TempDir()
	exportTo(t, fake, dir)
	var want []*unstructured.Unstructured
	for name, data := range readTree(t, dir) {
		if name != "kustomization.yaml" {
			want = append(want, decodeStream(t, data)...)
		}
	}
	res := exportTo(t, fake, "-")
	got := decodeStream(t, []byte(res.stdout))
	if len(got) == 0 || len(got) != len(want) {
		t.Fatalf("stdout holds %d documents, the folder %d", len(got), len(want))
	}
	for _, u := range got {
		if u.GetKind() == "Kustomization" || u.GetName() == "" {
			t.Errorf("stdout holds a document that is not an object: %v", u.Object)
		}
	}
	if !strings.Contains(res.stderr, "to stdout") {
		t.Errorf("stderr: %s", res.stderr)
	}
}

// TestExportConnectionRef: every exported object names the Connection
// --connection-ref gives (a ClusterConnection too), and none when that is the
// Connection objects use anyway.
func TestExportConnectionRef(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	defer fake.Close()
	buildOrganisation(t, fake)
	for ref, want := range map[string][2]string{
		"hoxton":                     {"", "hoxton"},
		"ClusterConnection/everyone": {"ClusterConnection", "everyone"},
		"default":                    {},
	} {
		objs := decodeStream(t, []byte(exportTo(t, fake, "-", "--connection-ref", ref).stdout))
		if len(objs) == 0 {
			t.Fatalf("--connection-ref %s: nothing exported", ref)
		}
		for _, u := range objs {
			kind, _, _ := unstructured.NestedString(u.Object, "spec", "connectionRef", "kind")
			name, _, _ := unstructured.NestedString(u.Object, "spec", "connectionRef", "name")
			if kind != want[0] || name != want[1] {
				t.Errorf("--connection-ref %s: %s %s has connectionRef %q/%q, want %q/%q", ref, u.GetKind(), u.GetName(), kind, name, want[0], want[1])
			}
		}
	}
}
