package managed

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// Difference is one way in which HoxtonAi differs from the spec: a field whose value
// differs, or a link to add, remove or change.
type Difference struct {
	// Field is the spec field, e.g. "name" or "cameraPositions".
	Field string
	// Want and Have are the values, for a field or a changed link.
	Want, Have any
	// Change is "add" or "remove" for links; empty for a value that differs.
	Change string
	// Target is the id of the link target, for links.
	Target string
	// Sensitive hides the values: they may carry a token (a webhook URL).
	Sensitive bool
}

func (d Difference) String() string {
	switch {
	case d.Sensitive:
		return d.Field + ": differs (values not shown)"
	case d.Change != "":
		return fmt.Sprintf("%s: %s %s", d.Field, d.Change, d.Target)
	case d.Target != "":
		return fmt.Sprintf("%s: %s is %s, want %s", d.Field, d.Target, show(d.Have), show(d.Want))
	}
	return fmt.Sprintf("%s: want %s, have %s", d.Field, show(d.Want), show(d.Have))
}

// Diff is every difference found; empty means up to date.
type Diff []Difference

// String joins the differences for conditions and events.
func (d Diff) String() string {
	parts := make([]string, len(d))
	for i, x := range d {
		parts[i] = x.String()
	}
	return strings.Join(parts, "; ")
}

// Touches reports whether any difference is about one of fields.
func (d Diff) Touches(fields ...string) bool {
	for _, x := range d {
		for _, f := range fields {
			if x.Field == f {
				return true
			}
		}
	}
	return false
}

// Field is one field the operator manages on a wire struct T: declared once, it gives
// both the difference and whether the object is up to date. Get normalises the
// service's defaults (an absent dailyResetMin is 0), so that they compare equal.
type Field[T any] struct {
	Name string
	Get  func(T) any
	// Sensitive fields are compared, but their values never appear in a difference.
	Sensitive bool
}

// F declares a managed field.
func F[T any](name string, get func(T) any) Field[T] { return Field[T]{Name: name, Get: get} }

// SensitiveF declares a managed field whose values must not be shown (a webhook URL
// carrying a token).
func SensitiveF[T any](name string, get func(T) any) Field[T] {
	return Field[T]{Name: name, Get: get, Sensitive: true}
}

// CompareFields returns the differences of the declared fields between want and have.
func CompareFields[T any](fields []Field[T], want, have T) Diff {
	var d Diff
	for _, f := range fields {
		w, h := f.Get(want), f.Get(have)
		if !reflect.DeepEqual(w, h) {
			d = append(d, Difference{Field: f.Name, Want: w, Have: h, Sensitive: f.Sensitive})
		}
	}
	return d
}

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
