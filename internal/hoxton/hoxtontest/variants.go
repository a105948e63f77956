package hoxtontest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
)

// Variant changes one behaviour of the fake, for tests that show a client or
// `hoxtonctl check-api` noticing a service that does not behave as
// docs/api-assumptions.md assumes (or behaves in a way the plain fake never
// does, such as reports that take time). It wraps the fake's handler.
type Variant func(s *Server, next http.Handler) http.Handler

// NewServerVariant starts a fake like NewServer, with the variants wrapped
// around its handler; the first variant sees a request first.
func NewServerVariant(opts Options, variants ...Variant) *Server {
	s := NewHandler(opts)
	for i := len(variants) - 1; i >= 0; i-- {
		s.handler = variants[i](s, s.handler)
	}
	s.ts = httptest.NewServer(s.handler)
	return s
}

// apiSegments splits an /api/v0 path into its segments; ok is false for
// other paths.
func apiSegments(path string) ([]string, bool) {
	rest, ok := strings.CutPrefix(path, apiPrefix+"/")
	if !ok || rest == "" {
		return nil, false
	}
	return strings.Split(rest, "/"), true
}

// ItemGetAnswers makes GET of an item of collection (e.g. "sites") answer
// status, e.g. 405 for a service without item GETs: it breaks A1.
func ItemGetAnswers(collection string, status int) Variant {
	return func(_ *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			segs, ok := apiSegments(r.URL.Path)
			if ok && r.Method == http.MethodGet && len(segs) == 2 && segs[0] == collection {
				writeError(w, status, "variant: GET of an item answers "+strconv.Itoa(status))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// ListsIgnoreOrganisation makes lists answer the active objects of other
// organisations too, as a service that ignored ?organisationId= would: it
// breaks A2's filter by organisation (check-api's A2.org).
func ListsIgnoreOrganisation() Variant {
	return func(s *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			segs, ok := apiSegments(r.URL.Path)
			org := r.URL.Query().Get("organisationId")
			if !ok || r.Method != http.MethodGet || len(segs) != 1 || org == "" || collections[segs[0]] == nil {
				next.ServeHTTP(w, r)
				return
			}
			rewrite(w, r, next, func(status int, body []byte) []byte {
				var list []any
				if status != http.StatusOK || json.Unmarshal(body, &list) != nil {
					return body
				}
				s.mu.Lock()
				for _, o := range s.sorted(segs[0]) {
					if s.orgOf(segs[0], o) != org && !isDeleted(o) {
						list = append(list, copyObject(o))
					}
				}
				s.mu.Unlock()
				out, _ := json.Marshal(list)
				return out
			})
		})
	}
}

// DeletedIDsReusable makes a PUT upsert naming a soft-deleted object revive
// it (204) instead of answering 410: it breaks A8.
func DeletedIDsReusable() Variant {
	return func(s *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			segs, ok := apiSegments(r.URL.Path)
			if ok && r.Method == http.MethodPut && len(segs) == 1 && collections[segs[0]] != nil && collections[segs[0]].softDelete {
				if body, err := io.ReadAll(r.Body); err == nil {
					var obj map[string]any
					if json.Unmarshal(body, &obj) == nil {
						if id, _ := obj["id"].(string); id != "" {
							if old, found := s.Object(segs[0], id); found && isDeleted(old) {
								s.PatchObject(segs[0], id, map[string]any{"state": "active", "deletedAt": nil})
							}
						}
					}
					r.Body = io.NopCloser(bytes.NewReader(body))
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// ReportsPending makes dwell-time reports take time: a new report answers
// status "pending", and so do the first polls GETs of it; later GETs answer
// "completed" with rows as reportData (the plain fake completes every report
// at once, with no rows).
func ReportsPending(polls int, rows []map[string]any) Variant {
	var mu sync.Mutex
	seen := map[string]int{}
	return func(_ *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			segs, ok := apiSegments(r.URL.Path)
			if !ok || segs[0] != "dwell-time-reports" {
				next.ServeHTTP(w, r)
				return
			}
			rewrite(w, r, next, func(status int, body []byte) []byte {
				var rep map[string]any
				if status != http.StatusOK || json.Unmarshal(body, &rep) != nil {
					return body
				}
				id, _ := rep["dwellTimeReportId"].(string)
				mu.Lock()
				n := seen[id]
				if r.Method == http.MethodGet {
					n++
				}
				seen[id] = n
				mu.Unlock()
				if r.Method == http.MethodPost || n <= polls {
					rep["status"], rep["reportData"] = "pending", []any{}
				} else {
					data := make([]any, len(rows))
					for i, row := range rows {
						data[i] = row
					}
					rep["status"], rep["reportData"] = "completed", data
				}
				out, _ := json.Marshal(rep)
				return out
			})
		})
	}
}

// rewrite serves r with next, then lets edit replace the body before it is
// sent.
func rewrite(w http.ResponseWriter, r *http.Request, next http.Handler, edit func(status int, body []byte) []byte) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	body := edit(rec.Code, rec.Body.Bytes())
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}
