// Package controller holds the adapters that connect each managed kind to the HoxtonAi
// API, and SetupAll with the explicit list of kinds. An adapter is a few small
// methods and pure mapping functions (spec -> wire struct, wire struct -> differences);
// every lifecycle decision lives in internal/managed.
package controller

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// differences collects the fields in which HoxtonAi differs from the spec, as
// `field: want "x", have "y"`, for conditions and events.
type differences []string

// compare records field when want and have differ.
func (d *differences) compare(field string, want, have any) {
	if !reflect.DeepEqual(want, have) {
		*d = append(*d, fmt.Sprintf("%s: want %s, have %s", field, show(want), show(have)))
	}
}

// add records a difference described in words.
func (d *differences) add(format string, args ...any) {
	*d = append(*d, fmt.Sprintf(format, args...))
}

// String joins the differences; empty means up to date.
func (d differences) String() string { return strings.Join(d, "; ") }

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

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

// absent reports whether err means the object is not (or no longer) there.
func absent(err error) bool {
	return hoxton.IsNotFound(err) || hoxton.IsGone(err)
}

// valueOr dereferences an optional wire field, with the service's default for nil.
func valueOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// joinDiffs joins non-empty difference descriptions.
func joinDiffs(parts ...string) string {
	var d differences
	for _, p := range parts {
		if p != "" {
			d = append(d, p)
		}
	}
	return d.String()
}
