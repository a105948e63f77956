package hoxtontest

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

// principal is who a valid access token speaks for.
type principal struct {
	org      string
	clientID string
	userID   string // set for password and authorization-code tokens
}

// apiMiddleware runs in front of every /api/v0 handler, in a fixed order:
// log, latency, authentication (401), then injected faults, so that a fault
// never hides a missing token and latency also slows down rejected requests.
func (s *Server) apiMiddleware(next func(http.ResponseWriter, *http.Request, principal)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		path := strings.TrimPrefix(r.URL.Path, apiPrefix)
		rec := &statusRecorder{ResponseWriter: w}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		defer func() {
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			s.logRequest(Request{Method: r.Method, Path: path, Query: r.URL.RawQuery,
				Status: status, Body: body, Time: start})
		}()
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				writeError(rec, http.StatusRequestEntityTooLarge, "request body too large")
			} else {
				writeError(rec, http.StatusBadRequest, "cannot read request body")
			}
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.wait(r.Context())
		p, ok := s.authenticate(r.Header.Get("Authorization"))
		if !ok {
			rec.Header().Set("WWW-Authenticate", `Bearer realm="hoxton", error="invalid_token"`)
			writeError(rec, http.StatusUnauthorized, "missing, invalid, expired or revoked bearer token")
			return
		}
		if f, hit := s.takeFault(r.Method, path, p.clientID); hit {
			writeFault(rec, f)
			return
		}
		next(rec, r, p)
	})
}

// handlerFunc is an API handler for one method on one path.
type handlerFunc func()

// routeAPI maps /api/v0 paths onto the collection table, then lets the
// special resources (cameras, organisations, /users/me, secret rotation,
// reports) add or replace methods.
func (s *Server) routeAPI(w http.ResponseWriter, r *http.Request, p principal) {
	segs := strings.Split(strings.TrimPrefix(r.URL.Path, apiPrefix+"/"), "/")
	for _, seg := range segs {
		if seg == "" { // trailing or doubled slashes name nothing
			writeError(w, http.StatusNotFound, "no such path: "+r.URL.Path)
			return
		}
	}
	c := collections[segs[0]]
	if c == nil {
		writeError(w, http.StatusNotFound, "no such path: "+r.URL.Path)
		return
	}
	h := map[string]handlerFunc{}
	switch len(segs) {
	case 1:
		if c.list != nil {
			h[http.MethodGet] = func() { s.list(w, r, p, c) }
		}
		if c.upsert {
			h[http.MethodPut] = func() { s.upsert(w, r, p, c) }
		}
	case 2:
		if c.get {
			h[http.MethodGet] = func() { s.getItem(w, p, c, segs[1]) }
		}
		if c.softDelete || c.hardDelete {
			h[http.MethodDelete] = func() { s.deleteItem(w, p, c, segs[1]) }
		}
	}
	s.specialRoutes(h, w, r, p, segs)
	if len(h) == 0 {
		writeError(w, http.StatusNotFound, "no such path: "+r.URL.Path)
		return
	}
	if fn, ok := h[r.Method]; ok {
		fn()
		return
	}
	allowed := make([]string, 0, len(h))
	for m := range h {
		allowed = append(allowed, m)
	}
	sort.Strings(allowed)
	methodNotAllowed(w, allowed...)
}

// specialRoutes adds the operations that do not follow the generic pattern.
func (s *Server) specialRoutes(h map[string]handlerFunc, w http.ResponseWriter, r *http.Request, p principal, segs []string) {
	switch {
	case segs[0] == "organisations" && len(segs) == 1:
		h[http.MethodGet] = func() { s.listOrganisations(w, r, p) }
	case segs[0] == "users" && len(segs) == 2 && segs[1] == "me":
		h[http.MethodGet] = func() { s.currentUser(w, p) }
	case segs[0] == "oauth-clients" && len(segs) == 3 && segs[2] == "rotate-secret":
		h[http.MethodPut] = func() { s.rotateSecret(w, p, segs[1]) }
	case segs[0] == "cameras" && len(segs) == 1:
		h[http.MethodPost] = func() { s.claimCamera(w, r, p) }
	case segs[0] == "cameras" && len(segs) == 2:
		h[http.MethodPut] = func() { s.updateCamera(w, r, p, segs[1]) }
	case segs[0] == "cameras" && len(segs) == 4 && segs[2] == "state":
		h[http.MethodPut] = func() { s.setCameraState(w, p, segs[1], segs[3]) }
	case segs[0] == "dwell-time-reports" && len(segs) == 1:
		h[http.MethodPost] = func() { s.createReport(w, r, p) }
	}
}
