package hoxtontest

import (
	"net/http"
	"strings"
	"time"
)

// upsert implements PUT /<collection>: create (201 with the stored object) or
// full replacement of the writable fields (204). Checks run in the order a
// real service would most plausibly apply them: ownership and lifecycle of the
// named object (403, 410, 404) before body validation (422).
func (s *Server) upsert(w http.ResponseWriter, r *http.Request, p principal, c *collection) {
	body, err := decodeObject(r)
	if err != nil {
		writeErr(w, err)
		return
	}
	vals, msgs := validateBody(c.fields, c.readOnly, body)
	id, _ := vals[c.idField].(string)

	s.mu.Lock()
	defer s.mu.Unlock()
	var old map[string]any
	if id != "" {
		old = s.get(c.name, id)
		switch {
		case old != nil && s.orgOf(c.name, old) != p.org:
			writeError(w, http.StatusForbidden, c.idField+" "+id+" belongs to another organisation")
			return
		case old != nil && c.softDelete && isDeleted(old):
			writeError(w, http.StatusGone, c.idField+" "+id+" is deleted; ids are not reusable")
			return
		case old == nil && c.serverIDs:
			writeError(w, http.StatusNotFound, c.idField+" "+id+" does not exist (ids are generated on create; omit it to create)")
			return
		}
	}
	if len(msgs) > 0 {
		unprocessable(w, msgs)
		return
	}
	if c.owner == "organisationId" {
		org, given := vals["organisationId"].(string)
		if given && org != p.org {
			writeError(w, http.StatusForbidden, "organisationId "+org+" is not the caller's organisation")
			return
		}
		if !given && c.defaultOrg {
			vals["organisationId"] = p.org
		}
	}
	msgs = s.checkRefs(c.fields, vals, p.org)
	if c.check != nil {
		msgs = append(msgs, c.check(vals)...)
	}
	if len(msgs) > 0 {
		unprocessable(w, msgs)
		return
	}
	o := s.build(c, vals, old, id)
	s.put(c.name, o)
	if old != nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusCreated, copyObject(o))
}

// build assembles the object to store from validated writable values,
// keeping the server-managed fields of the previous version.
func (s *Server) build(c *collection, o, old map[string]any, id string) map[string]any {
	now := timestamp(time.Now())
	if id == "" {
		id = s.newID(c)
	}
	o[c.idField] = id
	if old != nil {
		for _, k := range c.readOnly {
			if v, ok := old[k]; ok {
				o[k] = v
			}
		}
	} else {
		o["createdAt"] = now
		if c.onCreate != nil {
			c.onCreate(s, o)
		}
	}
	if c.softDelete {
		if o["state"] == nil {
			o["state"] = "active"
		}
		if o["state"] == "deleted" { // PUT may write state deleted: same as DELETE
			o["deletedAt"] = now
		} else {
			delete(o, "deletedAt")
		}
	}
	if c.onWrite != nil {
		c.onWrite(s, o, old)
	}
	return o
}

func (s *Server) newID(c *collection) string {
	switch c.name {
	case "users":
		return newUserID()
	case "oauth-clients":
		return randomHex(16)
	}
	return newUUID()
}

func unprocessable(w http.ResponseWriter, msgs []string) {
	writeError(w, http.StatusUnprocessableEntity, "validation failed: "+strings.Join(msgs, "; "))
}

// lookup finds an object the caller may touch: 404 when it does not exist,
// 403 when it belongs to another organisation. Expects s.mu held.
func (s *Server) lookup(c *collection, id string, p principal) (map[string]any, error) {
	o := s.get(c.name, id)
	if o == nil {
		return nil, errorf(http.StatusNotFound, "%s %s not found", c.name, id)
	}
	if s.orgOf(c.name, o) != p.org {
		return nil, errorf(http.StatusForbidden, "%s %s belongs to another organisation", c.name, id)
	}
	return o, nil
}

// getItem implements GET /<collection>/{id}. A soft-deleted object answers 200
// with state "deleted" (one of the two behaviours assumption A1 allows).
func (s *Server) getItem(w http.ResponseWriter, p principal, c *collection, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookup(c, id, p)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, copyObject(o))
}

// deleteItem implements DELETE /<collection>/{id}: soft delete (410 when
// already deleted) or, for OAuth clients, removal.
func (s *Server) deleteItem(w http.ResponseWriter, p principal, c *collection, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookup(c, id, p)
	if err != nil {
		writeErr(w, err)
		return
	}
	switch {
	case c.hardDelete:
		delete(s.store[c.name], id)
	case isDeleted(o):
		writeError(w, http.StatusGone, c.name+" "+id+" is already deleted")
		return
	default:
		o["state"] = "deleted"
		o["deletedAt"] = timestamp(time.Now())
	}
	w.WriteHeader(http.StatusNoContent)
}

// list implements GET /<collection>?filters (assumption A2): a plain array of
// the caller's active objects, sorted by id. Unknown parameters answer 400 so
// that a misspelt filter cannot silently return everything.
func (s *Server) list(w http.ResponseWriter, r *http.Request, p principal, c *collection) {
	filters, err := listFilters(r, c, p)
	if err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, o := range s.sorted(c.name) {
		if s.orgOf(c.name, o) != p.org || (c.softDelete && isDeleted(o)) {
			continue
		}
		if matches(o, filters) {
			out = append(out, o)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// listFilters turns the query into field -> wanted value.
func listFilters(r *http.Request, c *collection, p principal) (map[string]string, error) {
	filters := map[string]string{}
	for param, values := range r.URL.Query() {
		fieldName, ok := c.list[param]
		switch {
		case !ok:
			return nil, errorf(http.StatusBadRequest, "unknown query parameter %q", param)
		case len(values) != 1:
			return nil, errorf(http.StatusBadRequest, "query parameter %q given more than once", param)
		case param == "organisationId":
			if values[0] != p.org {
				return nil, errorf(http.StatusForbidden, "organisation %s is not the caller's organisation", values[0])
			}
			continue // every list is scoped to the caller's organisation anyway
		case strings.HasSuffix(param, "Id") && !isUUID(values[0]):
			return nil, errorf(http.StatusUnprocessableEntity, "%s: %q is not a uuid", param, values[0])
		}
		filters[fieldName] = values[0]
	}
	return filters, nil
}

// matches reports whether o has every wanted value; an array field matches
// when it contains the value.
func matches(o map[string]any, filters map[string]string) bool {
	for k, want := range filters {
		switch v := o[k].(type) {
		case []any:
			found := false
			for _, item := range v {
				found = found || item == want
			}
			if !found {
				return false
			}
		default:
			if v != want {
				return false
			}
		}
	}
	return true
}
