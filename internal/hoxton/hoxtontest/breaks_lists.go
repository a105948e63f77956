package hoxtontest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
)

// The variants in this file and breaks.go each break one assumption of
// docs/api-assumptions.md (or one list behaviour the operator relies on),
// so that a test can show `hoxtonctl check-api` failing exactly that check.

// listRequest tells whether r is a GET of a collection path, and which.
func listRequest(r *http.Request) (string, bool) {
	segs, ok := apiSegments(r.URL.Path)
	if !ok || r.Method != http.MethodGet || len(segs) != 1 || collections[segs[0]] == nil {
		return "", false
	}
	return segs[0], true
}

// replay writes a recorded answer with body instead of the recorded one.
func replay(w http.ResponseWriter, rec *httptest.ResponseRecorder, body []byte) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// ListsIncludeDeleted makes lists answer soft-deleted objects too (those
// matching the other filters): it breaks A2's "active objects".
func ListsIncludeDeleted() Variant {
	return func(s *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			col, ok := listRequest(r)
			if !ok || !collections[col].softDelete {
				next.ServeHTTP(w, r)
				return
			}
			filters := map[string]string{}
			for param, values := range r.URL.Query() {
				if param != "organisationId" && collections[col].list[param] != "" {
					filters[collections[col].list[param]] = values[0]
				}
			}
			rewrite(w, r, next, func(status int, body []byte) []byte {
				var list []any
				if status != http.StatusOK || json.Unmarshal(body, &list) != nil {
					return body
				}
				s.mu.Lock()
				for _, o := range s.sorted(col) {
					if isDeleted(o) && s.orgOf(col, o) == s.opts.OrganisationID && matches(o, filters) {
						list = append(list, o)
					}
				}
				s.mu.Unlock()
				out, _ := json.Marshal(list)
				return out
			})
		})
	}
}

// ListsIgnore makes lists ignore the given query parameters, as a service
// that does not know them would: with "siteId" it breaks A2's filter by
// site, with the owner fields (peopleCountMonitorId, alertId, parentId, …)
// its filter by owner.
func ListsIgnore(params ...string) Variant {
	return func(_ *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, ok := listRequest(r); ok {
				q := r.URL.Query()
				for _, p := range params {
					q.Del(p)
				}
				r = r.Clone(r.Context())
				r.URL.RawQuery = q.Encode()
			}
			next.ServeHTTP(w, r)
		})
	}
}

// ListsHonourLimit makes lists page on request: ?limit=N answers N objects,
// ?page=P (from 1) selects the page, and a Link rel="next" header names the
// next page. The answer without limit stays whole. It breaks A2's "lists do
// not page".
func ListsHonourLimit() Variant {
	return func(_ *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			limit, err := strconv.Atoi(q.Get("limit"))
			if _, ok := listRequest(r); !ok || err != nil || limit < 1 {
				next.ServeHTTP(w, r)
				return
			}
			page, err := strconv.Atoi(q.Get("page"))
			if err != nil || page < 1 {
				page = 1
			}
			q.Del("limit")
			q.Del("page")
			r = r.Clone(r.Context())
			r.URL.RawQuery = q.Encode()
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var list []any
			if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &list) != nil {
				replay(w, rec, rec.Body.Bytes())
				return
			}
			from, to := min((page-1)*limit, len(list)), min(page*limit, len(list))
			if to < len(list) {
				q.Set("limit", strconv.Itoa(limit))
				q.Set("page", strconv.Itoa(page+1))
				rec.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, q.Encode()))
			}
			out, _ := json.Marshal(list[from:to])
			replay(w, rec, out)
		})
	}
}

// SerialLookupAnswers404 makes GET /cameras?serialNumber= answer 404 when no
// camera has the serial, instead of an empty array: it breaks A3.
func SerialLookupAnswers404() Variant {
	return func(_ *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if col, ok := listRequest(r); !ok || col != "cameras" || !r.URL.Query().Has("serialNumber") {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			if rec.Code == http.StatusOK && strings.TrimSpace(rec.Body.String()) == "[]" {
				writeError(w, http.StatusNotFound, "variant: no camera has this serial number")
				return
			}
			replay(w, rec, rec.Body.Bytes())
		})
	}
}

// UsersShareEmail makes GET /users answer, after the first user, a second
// user with the same e-mail address: it breaks A14's "an e-mail address
// belongs to at most one user".
func UsersShareEmail() Variant {
	return func(_ *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if col, ok := listRequest(r); !ok || col != "users" {
				next.ServeHTTP(w, r)
				return
			}
			rewrite(w, r, next, func(status int, body []byte) []byte {
				var list []map[string]any
				if status != http.StatusOK || json.Unmarshal(body, &list) != nil || len(list) == 0 {
					return body
				}
				twin := copyObject(list[0])
				twin["id"] = "auth0|variant-twin"
				out, _ := json.Marshal(append(list, twin))
				return out
			})
		})
	}
}
