package docs

import (
	"sort"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

func loadCRDs(t *testing.T) []apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	crds, err := testenv.CRDs()
	if err != nil {
		t.Fatal(err)
	}
	return crds
}

// TestCRDFieldsAreDescribed walks every schema of every CRD: a field without a
// description is one `kubectl explain` cannot explain. The root's apiVersion, kind and
// metadata are described by Kubernetes itself.
func TestCRDFieldsAreDescribed(t *testing.T) {
	for _, crd := range loadCRDs(t) {
		for _, v := range crd.Spec.Versions {
			if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
				t.Errorf("%s %s has no schema", crd.Name, v.Name)
				continue
			}
			var missing []string
			root := v.Schema.OpenAPIV3Schema
			for name, prop := range root.Properties {
				if name == "apiVersion" || name == "kind" || name == "metadata" {
					continue
				}
				walk(crd.Spec.Names.Kind+"."+name, prop, &missing)
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("%s %s: fields without a description (kubectl explain has nothing to say):\n  %s", crd.Name, v.Name, strings.Join(missing, "\n  "))
			}
		}
	}
}

func walk(path string, s apiextensionsv1.JSONSchemaProps, missing *[]string) {
	if strings.TrimSpace(s.Description) == "" {
		*missing = append(*missing, path)
	}
	for name, prop := range s.Properties {
		walk(path+"."+name, prop, missing)
	}
	if s.Items != nil && s.Items.Schema != nil {
		// A list's items are explained by the list's own description; their fields are not.
		for name, prop := range s.Items.Schema.Properties {
			walk(path+"[]."+name, prop, missing)
		}
	}
	if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
		for name, prop := range s.AdditionalProperties.Schema.Properties {
			walk(path+"{}."+name, prop, missing)
		}
	}
}
