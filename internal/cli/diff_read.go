package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/kinds"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// manifest is one managed object read from a file.
type manifest struct {
	reg  kinds.Registration
	obj  managed.Object
	file string // or "standard input", or "DIR (kustomize build)"
}

// manifestSet is what a folder of manifests holds: the managed objects, and the
// values of the Secrets among them (webhook URLs).
type manifestSet struct {
	objects []manifest
	secrets map[string]map[v1alpha1.SecretKeySelector]string // by namespace
}

// readManifests reads the managed objects of the sources (see readSources). Objects
// without a namespace get namespace. Documents of other APIs are ignored, except
// Secrets, whose values fill the fields they are referred to for.
func readManifests(sources []source, namespace string) (*manifestSet, error) {
	byKind := map[string]kinds.Registration{}
	for _, reg := range kinds.Registry() {
		byKind[reg.Name] = reg
	}
	set := &manifestSet{secrets: map[string]map[v1alpha1.SecretKeySelector]string{}}
	seen := map[string]string{}
	for _, src := range sources {
		file := src.name
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(src.data), 4096)
		for {
			var u unstructured.Unstructured
			err := dec.Decode(&u.Object)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			if len(u.Object) == 0 {
				continue
			}
			if u.GetNamespace() == "" {
				u.SetNamespace(namespace)
			}
			gvk := u.GroupVersionKind()
			switch {
			case gvk.Group == "" && gvk.Kind == "Secret":
				if err := set.addSecret(&u); err != nil {
					return nil, fmt.Errorf("%s: %w", file, err)
				}
				continue
			case gvk.Group != v1alpha1.GroupVersion.Group:
				continue
			}
			reg, ok := byKind[gvk.Kind]
			if !ok {
				// Connections and any kind this version does not manage.
				continue
			}
			obj := reg.New()
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, obj); err != nil {
				return nil, fmt.Errorf("%s: %s %s: %w", file, gvk.Kind, u.GetName(), err)
			}
			key := gvk.Kind + " " + obj.GetNamespace() + "/" + obj.GetName()
			if obj.GetName() == "" {
				return nil, fmt.Errorf("%s: a %s without metadata.name", file, gvk.Kind)
			}
			if other, dup := seen[key]; dup {
				return nil, fmt.Errorf("%s is in both %s and %s", key, other, file)
			}
			seen[key] = file
			set.objects = append(set.objects, manifest{reg: reg, obj: obj, file: file})
		}
	}
	return set, nil
}

// addSecret records the values of a Secret manifest (data or stringData).
func (s *manifestSet) addSecret(u *unstructured.Unstructured) error {
	var secret corev1.Secret
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &secret); err != nil {
		return err
	}
	ns := secret.Namespace
	if s.secrets[ns] == nil {
		s.secrets[ns] = map[v1alpha1.SecretKeySelector]string{}
	}
	for k, v := range secret.Data {
		s.secrets[ns][v1alpha1.SecretKeySelector{Name: secret.Name, Key: k}] = string(v)
	}
	for k, v := range secret.StringData {
		s.secrets[ns][v1alpha1.SecretKeySelector{Name: secret.Name, Key: k}] = v
	}
	return nil
}
