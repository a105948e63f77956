package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// loadManifests reads every YAML document of the folder's *.yaml files.
func loadManifests(dir string) ([]*unstructured.Unstructured, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var objs []*unstructured.Unstructured
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			u := &unstructured.Unstructured{}
			if err := dec.Decode(&u.Object); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if len(u.Object) == 0 {
				continue
			}
			if u.GetKind() == "" {
				return nil, fmt.Errorf("%s: a document has no kind", f)
			}
			objs = append(objs, u)
		}
	}
	if len(objs) == 0 {
		return nil, fmt.Errorf("no manifests in %s", dir)
	}
	return objs, nil
}

// pointAtFakeAPI makes every Connection use the fake API, its organisation and its
// credentials: the demo never talks to the real HoxtonAi.
func pointAtFakeAPI(objs []*unstructured.Unstructured, api *hoxtontest.Server) {
	secrets := map[string]bool{}
	for _, u := range objs {
		if u.GetAPIVersion() != v1alpha1.GroupVersion.String() || (u.GetKind() != "Connection" && u.GetKind() != "ClusterConnection") {
			continue
		}
		_ = unstructured.SetNestedField(u.Object, api.APIURL(), "spec", "apiURL")
		_ = unstructured.SetNestedField(u.Object, api.TokenURL(), "spec", "tokenURL")
		// The fake listens on plain HTTP, which a Connection must allow explicitly.
		_ = unstructured.SetNestedField(u.Object, true, "spec", "allowInsecureHTTP")
		_ = unstructured.SetNestedField(u.Object, api.OrganisationID(), "spec", "organisationID")
		_ = unstructured.SetNestedField(u.Object, string(v1alpha1.GrantClientCredentials), "spec", "grant")
		name, _, _ := unstructured.NestedString(u.Object, "spec", "credentialsSecretRef", "name")
		ns, found, _ := unstructured.NestedString(u.Object, "spec", "credentialsSecretRef", "namespace")
		switch {
		case !found && u.GetKind() == "ClusterConnection":
			ns = operator.DefaultClusterResourceNamespace // where the manager reads it
		case !found:
			ns = namespaceOf(u)
		}
		secrets[ns+"/"+name] = true
	}
	for _, u := range objs {
		if u.GetAPIVersion() == "v1" && u.GetKind() == "Secret" && secrets[namespaceOf(u)+"/"+u.GetName()] {
			delete(u.Object, "data")
			_ = unstructured.SetNestedStringMap(u.Object, map[string]string{
				v1alpha1.SecretKeyClientID:     hoxtontest.DefaultClientID,
				v1alpha1.SecretKeyClientSecret: hoxtontest.DefaultClientSecret,
			}, "stringData")
		}
	}
}

// apply creates the objects (namespaces first, then Secrets and Connections) and
// returns the hoxtonai.dev ones, which the demo follows.
func apply(ctx context.Context, c client.Client, objs []*unstructured.Unstructured) ([]*unstructured.Unstructured, error) {
	sort.SliceStable(objs, func(i, j int) bool { return applyOrder(objs[i]) < applyOrder(objs[j]) })
	var followed []*unstructured.Unstructured
	for _, u := range objs {
		if ns := u.GetNamespace(); ns != "" && ns != "default" {
			err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
			if err != nil && !apierrors.IsAlreadyExists(err) {
				return nil, err
			}
		}
		if err := c.Create(ctx, u); err != nil && !apierrors.IsAlreadyExists(err) {
			return nil, fmt.Errorf("%s %s: %w", u.GetKind(), u.GetName(), err)
		}
		if strings.HasPrefix(u.GetAPIVersion(), v1alpha1.GroupVersion.Group+"/") {
			followed = append(followed, u)
		}
	}
	return followed, nil
}

func applyOrder(u *unstructured.Unstructured) int {
	switch u.GetKind() {
	case "Namespace":
		return 0
	case "Secret":
		return 1
	case "Connection", "ClusterConnection":
		return 2
	}
	return 3
}

func namespaceOf(u *unstructured.Unstructured) string {
	if ns := u.GetNamespace(); ns != "" {
		return ns
	}
	return "default"
}
