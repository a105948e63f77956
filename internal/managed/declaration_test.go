package managed

import (
	"strings"
	"testing"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// TestValidateRefusesInconsistentDeclarations: each mistake a declaration can make
// is refused, naming the kind and the field; the consistent one passes.
func TestValidateRefusesInconsistentDeclarations(t *testing.T) {
	type group = Kind[*v1alpha1.NotificationGroup, Observed[hoxton.NotificationGroup]]
	if err := groupKind().Validate(); err != nil {
		t.Fatalf("the consistent declaration: %v", err)
	}
	for _, tc := range []struct {
		name  string
		spoil func(k *group)
		want  string
	}{
		{"a field declared twice", func(k *group) { k.References = append(k.References, k.References[0]) }, `"childGroups" is empty or declared twice`},
		{"a reference without entries", func(k *group) { k.References[0].Entries = nil }, `reference "childGroups" needs Entries`},
		{"a target without its kind", func(k *group) { k.References[0].Target.Kind = "" }, "a Target with Kind"},
		{"a link set of an undeclared field", func(k *group) { k.References[0].Field = NewRefField("parentGroups") },
			`link set "childGroups" is not made from a declared LinksOnly reference`},
		{"a link set of a reference the object needs", func(k *group) { k.References[0].LinksOnly = false },
			`link set "childGroups" is not made from a declared LinksOnly reference`},
		{"SameSiteAs an undeclared field", func(k *group) { k.References[0].SameSiteAs = NewRefField("siteRef") },
			`SameSiteAs "siteRef" is not a declared reference`},
		{"no adapter", func(k *group) { k.Adapter = nil }, "Adapter are required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := groupKind()
			k.References = append([]Reference[*v1alpha1.NotificationGroup](nil), k.References...)
			tc.spoil(&k)
			err := k.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `kind "NotificationGroup"`) {
				t.Errorf("Validate() = %v, want an error naming the kind and containing %q", err, tc.want)
			}
		})
	}
}
