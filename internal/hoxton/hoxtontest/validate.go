package hoxtontest

import (
	"fmt"
	"math"
	"net/mail"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

// validateBody checks body against fields (plus the collection's id field and
// read-only fields, which are accepted) and returns the writable values it
// carries. Every problem is reported, in field order, so that a client author
// sees all of them at once.
func validateBody(fields []field, readOnly []string, body map[string]any) (map[string]any, []string) {
	known := map[string]bool{}
	for _, f := range fields {
		known[f.name] = true
	}
	for _, name := range readOnly {
		known[name] = true
	}
	var msgs, unknown []string
	for k := range body {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		msgs = append(msgs, fmt.Sprintf("%s: unknown field", k))
	}
	out := map[string]any{}
	for _, f := range fields {
		v, present := body[f.name]
		switch {
		case !present && f.required:
			msgs = append(msgs, fmt.Sprintf("%s: is required", f.name))
		case !present:
		case v == nil && f.nullable:
			out[f.name] = nil
		case v == nil:
			msgs = append(msgs, fmt.Sprintf("%s: must not be null", f.name))
		default:
			if msg := checkValue(f, f.name, f.kind, v); msg != "" {
				msgs = append(msgs, msg)
			} else {
				out[f.name] = v
			}
		}
	}
	return out, msgs
}

// checkValue validates one non-null value of kind k; name is used in the
// message (it carries the index for array items).
func checkValue(f field, name string, k kind, v any) string {
	s, isString := v.(string)
	switch k {
	case kString, kUUID, kDate, kEmail, kEnum:
		if !isString {
			return name + ": must be a string"
		}
	}
	switch k {
	case kString:
		if f.nonEmpty && strings.TrimSpace(s) == "" {
			return name + ": must not be empty"
		}
	case kUUID:
		if !isUUID(s) {
			return fmt.Sprintf("%s: %q is not a uuid", name, s)
		}
	case kDate:
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return fmt.Sprintf("%s: %q is not a date (YYYY-MM-DD)", name, s)
		}
	case kEmail:
		if a, err := mail.ParseAddress(s); err != nil || a.Address != s {
			return fmt.Sprintf("%s: %q is not an e-mail address", name, s)
		}
	case kEnum:
		for _, e := range f.enum {
			if s == e {
				return ""
			}
		}
		return fmt.Sprintf("%s: %q is not one of %s", name, s, strings.Join(f.enum, ", "))
	case kInt:
		n, ok := v.(float64)
		if !ok || n != math.Trunc(n) {
			return name + ": must be an integer"
		}
		if f.hasRange && (n < float64(f.min) || n > float64(f.max)) {
			return fmt.Sprintf("%s: %v is out of range %d..%d", name, n, f.min, f.max)
		}
	case kObject:
		if _, ok := v.(map[string]any); !ok {
			return name + ": must be an object"
		}
	case kArray:
		items, ok := v.([]any)
		if !ok {
			return name + ": must be an array"
		}
		if len(items) < f.minItems {
			return fmt.Sprintf("%s: must have at least %d item(s)", name, f.minItems)
		}
		for i, item := range items {
			if item == nil {
				return fmt.Sprintf("%s[%d]: must not be null", name, i)
			}
			if msg := checkValue(f, fmt.Sprintf("%s[%d]", name, i), f.item, item); msg != "" {
				return msg
			}
		}
	}
	return ""
}

// isUUID accepts only the canonical 36-character form the API uses (uuid.Parse
// alone would also take urn: and brace forms).
func isUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

// checkRefs reports every reference in o (already shape-validated) that names
// an object that does not exist, is soft-deleted, or belongs to an
// organisation other than org. Expects s.mu held.
func (s *Server) checkRefs(fields []field, o map[string]any, org string) []string {
	var msgs []string
	for _, f := range fields {
		if f.ref == "" || o[f.name] == nil {
			continue
		}
		ids := []any{o[f.name]}
		if items, ok := o[f.name].([]any); ok {
			ids = items
		}
		for _, v := range ids {
			id, _ := v.(string)
			if msg := s.checkRef(f.ref, id, org); msg != "" {
				msgs = append(msgs, fmt.Sprintf("%s: %s", f.name, msg))
			}
		}
	}
	return msgs
}

func (s *Server) checkRef(target, id, org string) string {
	what := strings.ReplaceAll(strings.TrimSuffix(target, "s"), "-", " ")
	o := s.resolve(target, id)
	switch {
	case o == nil:
		return fmt.Sprintf("%s %s does not exist", what, id)
	case collections[target].softDelete && isDeleted(o):
		return fmt.Sprintf("%s %s is deleted", what, id)
	case s.orgOf(target, o) != org:
		return fmt.Sprintf("%s %s belongs to another organisation", what, id)
	}
	return ""
}
