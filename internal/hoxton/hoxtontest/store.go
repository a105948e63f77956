package hoxtontest

import (
	"encoding/json"
	"fmt"
	"sort"
)

// The store keeps objects as decoded JSON (map[string]any with float64
// numbers), exactly as they are served, so that what a test reads with Object
// is what a client would read with GET. All lower-case helpers expect s.mu held.

func idFieldOf(col string) string {
	if c, ok := collections[col]; ok {
		return c.idField
	}
	return "id"
}

// put stores o under its id field.
func (s *Server) put(col string, o map[string]any) {
	id, _ := o[idFieldOf(col)].(string)
	if s.store[col] == nil {
		s.store[col] = map[string]map[string]any{}
	}
	s.store[col][id] = o
}

// get returns the stored object itself (not a copy), or nil.
func (s *Server) get(col, id string) map[string]any {
	return s.store[col][id]
}

// resolve finds the object a reference to collection col names. Camera
// positions are created with their camera, but a test may SetObject a camera
// on its own, so a camera's cameraPositionId counts as a position too.
func (s *Server) resolve(col, id string) map[string]any {
	if o := s.get(col, id); o != nil {
		return o
	}
	if col == "camera-positions" {
		for _, cam := range s.store["cameras"] {
			if cam["cameraPositionId"] == id {
				return map[string]any{"id": id, "organisationId": cam["organisationId"], "cameraId": cam["id"]}
			}
		}
	}
	return nil
}

// orgOf returns the organisation an object belongs to, following its owner
// reference chain (link -> monitor -> site -> organisation), or "" when the
// chain is broken. It is computed on every access rather than stored, so it
// stays right when tests change objects behind the API's back.
func (s *Server) orgOf(col string, o map[string]any) string {
	for depth := 0; depth < 8 && o != nil; depth++ {
		c, ok := collections[col]
		if !ok {
			v, _ := o["organisationId"].(string)
			return v
		}
		switch c.owner {
		case "id", "organisationId":
			v, _ := o[c.owner].(string)
			return v
		}
		var f *field
		for i := range c.fields {
			if c.fields[i].name == c.owner {
				f = &c.fields[i]
			}
		}
		id, _ := o[c.owner].(string)
		if f == nil || id == "" {
			return ""
		}
		col, o = f.ref, s.resolve(f.ref, id)
	}
	return ""
}

// isDeleted reports whether o is soft-deleted.
func isDeleted(o map[string]any) bool { return o["state"] == "deleted" }

func (s *Server) organisationName(id string) string {
	if o := s.get("organisations", id); o != nil {
		name, _ := o["name"].(string)
		return name
	}
	return ""
}

// deepCopy copies decoded JSON so that callers cannot alias the store.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, x := range t {
			a[i] = deepCopy(x)
		}
		return a
	default:
		return v
	}
}

func copyObject(o map[string]any) map[string]any { return deepCopy(o).(map[string]any) }

// normalize turns arbitrary Go values (ints, []string, structs) into decoded
// JSON, the only representation the store and the validators understand.
func normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("hoxtontest: value is not JSON-encodable: %v", err))
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("hoxtontest: %v", err))
	}
	return out
}

// Object returns a copy of one stored object, soft-deleted ones included.
// collection is the API path segment ("sites", "cameras", …); the internal
// "camera-positions" and "organisations" collections can be read too.
func (s *Server) Object(collection, id string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.get(collection, id)
	if o == nil {
		return nil, false
	}
	return copyObject(o), true
}

// Objects returns copies of every object of a collection, soft-deleted ones
// included, sorted by id.
func (s *Server) Objects(collection string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sorted(collection)
}

func (s *Server) sorted(col string) []map[string]any {
	ids := make([]string, 0, len(s.store[col]))
	for id := range s.store[col] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		out = append(out, copyObject(s.store[col][id]))
	}
	return out
}

// SetObject inserts or replaces an object without any validation, for tests
// that change things behind the operator's back. obj must carry its id in the
// collection's id field ("id"; "clientId" for oauth-clients and
// "dwellTimeReportId" for dwell-time-reports, where "id" is accepted as well).
// A camera's serialNumber counts as claimed from then on.
func (s *Server) SetObject(collection string, obj map[string]any) {
	o, _ := normalize(obj).(map[string]any)
	idField := idFieldOf(collection)
	if _, ok := o[idField].(string); !ok && idField != "id" {
		if id, ok := o["id"].(string); ok {
			o[idField] = id
		}
	}
	if id, _ := o[idField].(string); id == "" {
		panic(fmt.Sprintf("hoxtontest: SetObject(%q): the object has no string %q", collection, idField))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.put(collection, o)
	if serial, ok := o["serialNumber"].(string); ok && collection == "cameras" {
		s.claims[serial] = true
	}
}

// PatchObject sets the given fields of a stored object (a nil value removes
// the field) without validation. It reports whether the object exists.
func (s *Server) PatchObject(collection, id string, fields map[string]any) bool {
	patch, _ := normalize(fields).(map[string]any)
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.get(collection, id)
	if o == nil {
		return false
	}
	for k, v := range patch {
		if v == nil {
			delete(o, k)
		} else {
			o[k] = v
		}
	}
	return true
}
