package cluster

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// samples reads the namespaced samples of config/samples, moved into namespace ns and
// pointed at the fake API, with the credentials it accepts: what a tenant would apply.
func samples(t *testing.T, ns string, fake fakeAPI) []*unstructured.Unstructured {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(repoRoot, "config", "samples", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var objs []*unstructured.Unstructured
	for _, p := range paths {
		if filepath.Base(p) == "kustomization.yaml" {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, decodeAll(t, data)...)
	}
	for _, u := range objs {
		u.SetNamespace(ns)
		switch {
		case u.GetKind() == "Connection":
			_ = unstructured.SetNestedField(u.Object, fake.apiURL(), "spec", "apiURL")
			_ = unstructured.SetNestedField(u.Object, fake.tokenURL(), "spec", "tokenURL")
			_ = unstructured.SetNestedField(u.Object, true, "spec", "allowInsecureHTTP")
			_ = unstructured.SetNestedField(u.Object, hoxtontest.DefaultOrganisationID, "spec", "organisationID")
			unstructured.RemoveNestedField(u.Object, "spec", "credentialsSecretRef", "namespace")
		case u.GetKind() == "Secret" && u.GetName() == "hoxton-credentials":
			delete(u.Object, "data")
			_ = unstructured.SetNestedStringMap(u.Object, map[string]string{
				v1alpha1.SecretKeyClientID: hoxtontest.DefaultClientID, v1alpha1.SecretKeyClientSecret: hoxtontest.DefaultClientSecret,
			}, "stringData")
		}
	}
	return objs
}

// decodeAll decodes a YAML stream.
func decodeAll(t *testing.T, data []byte) []*unstructured.Unstructured {
	t.Helper()
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return objs
			}
			t.Fatalf("decoding YAML: %v", err)
		}
		if len(u.Object) > 0 {
			objs = append(objs, u)
		}
	}
}

// managed lists the HoxtonAi kinds among objs.
func managed(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, u := range objs {
		if strings.HasPrefix(u.GetAPIVersion(), v1alpha1.GroupVersion.Group+"/") {
			out = append(out, u)
		}
	}
	return out
}

// manifest is objs as one YAML stream, for kubectl apply -f -.
func manifest(t *testing.T, objs []*unstructured.Unstructured) []byte {
	t.Helper()
	var docs []string
	for _, u := range objs {
		data, err := yaml.Marshal(u.Object)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(data))
	}
	return []byte(strings.Join(docs, "---\n"))
}

// allReady waits until every HoxtonAi object among objs is Ready.
func (e *env) allReady(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	for _, want := range managed(objs) {
		eventually(t, wait, want.GetKind()+" "+want.GetName()+" Ready", func() error {
			u := &unstructured.Unstructured{}
			u.SetGroupVersionKind(want.GroupVersionKind())
			if err := e.kube.Get(context.Background(), client.ObjectKeyFromObject(want), u); err != nil {
				return err
			}
			return ready(u)
		})
	}
}

// kindsOf is the set of kinds among objs.
func kindsOf(objs []*unstructured.Unstructured) map[schema.GroupKind]bool {
	out := map[schema.GroupKind]bool{}
	for _, u := range managed(objs) {
		out[u.GroupVersionKind().GroupKind()] = true
	}
	return out
}
