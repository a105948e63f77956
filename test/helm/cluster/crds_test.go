package cluster

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// crdDeletionOrphans deletes the Annotation CRD, as a careless uninstall would: the
// kube-apiserver deletes every Annotation, and the operator must leave them in
// HoxtonAi (no DELETE), then the CRD comes back.
func (e *env) crdDeletionOrphans(t *testing.T, objs []*unstructured.Unstructured) {
	const crdName = "annotations.hoxtonai.dev"
	var annotations []*unstructured.Unstructured
	for _, u := range objs {
		if u.GetKind() == "Annotation" {
			annotations = append(annotations, u)
		}
	}
	if len(annotations) == 0 {
		t.Fatal("the samples hold no Annotation")
	}
	before := len(e.writes(t))
	e.kubectl(t, nil, "delete", "crd", crdName, "--timeout=3m")
	eventually(t, wait, "the CRD gone", func() error {
		if out, err := e.kubectlErr(nil, "get", "crd", crdName, "--ignore-not-found", "-o", "name"); err != nil || strings.TrimSpace(out) != "" {
			return fmt.Errorf("still there (%s, %v)", out, err)
		}
		return nil
	})
	for _, w := range e.writes(t)[before:] {
		if strings.Contains(w, "DELETE") {
			t.Errorf("deleting the CRD deleted in HoxtonAi: %s", w)
		}
	}
	e.kubectl(t, nil, "apply", "--server-side", "-f", filepath.Join(chartDir, "crds", "hoxtonai.dev_annotations.yaml"))
	eventually(t, wait, "the CRD back", func() error {
		_, err := e.kubectlErr(nil, "wait", "--for=condition=Established", "crd/"+crdName, "--timeout=5s")
		return err
	})
}
