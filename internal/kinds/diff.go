package kinds

import (
	"encoding/json"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// objectOf decodes a free-form object of the spec into the generic map the wire
// structs carry, so that it compares equal to what the API answers.
func objectOf(raw *runtime.RawExtension) (map[string]any, error) {
	if raw == nil || len(raw.Raw) == 0 {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw.Raw, &m); err != nil {
		return nil, err
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// emptyNil treats an empty map like an absent one.
func emptyNil(m map[string]any) map[string]any {
	if len(m) == 0 {
		return nil
	}
	return m
}

// dateOf maps an optional YYYY-MM-DD spec field to the wire type.
func dateOf(s string) *hoxton.Date {
	if s == "" {
		return nil
	}
	d := hoxton.Date(s)
	return &d
}

// intOf maps an optional spec integer to the wire type.
func intOf(p *int32) *int {
	if p == nil {
		return nil
	}
	v := int(*p)
	return &v
}

// convertAll maps a list of one string type to another: the spec's enums to the
// wire's.
func convertAll[U, T ~string](in []T) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = U(v)
	}
	return out
}

// valueOr dereferences an optional wire field, with the service's default for nil.
func valueOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// timeOf maps an optional API time to the status type.
func timeOf(t *time.Time) *metav1.Time {
	if t == nil {
		return nil
	}
	return &metav1.Time{Time: *t}
}
