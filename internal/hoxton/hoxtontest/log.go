package hoxtontest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// secretFields are body fields whose values are replaced by "REDACTED" in the
// request log: a client that echoes an OAuth client it has read sends its
// secret back, and the log must never hold secrets.
var secretFields = []string{"clientSecret", "client_secret", "password", "refresh_token", "access_token"}

// redact returns body with the values of secretFields (top level of a JSON
// object) replaced; anything else is returned unchanged.
func redact(body []byte) []byte {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return body
	}
	changed := false
	for _, k := range secretFields {
		if _, ok := obj[k]; ok {
			obj[k], changed = json.RawMessage(`"REDACTED"`), true
		}
	}
	if !changed {
		return body
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return nil
	}
	return out
}

// Request is one logged API request. Token endpoint calls are not logged (they
// carry secrets); TokenRequests counts them instead.
type Request struct {
	Method string
	Path   string // after /api/v0, e.g. "/sites/3f…"
	Query  string // raw query, without "?"
	Status int    // status answered, including injected faults and 401s
	Body   []byte // request body (values of secret fields such as clientSecret redacted)
	Time   time.Time
}

// statusRecorder remembers the status a handler answered.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (s *Server) logRequest(req Request) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	req.Body = redact(req.Body)
	s.requests = append(s.requests, req)
}

// Requests returns a copy of the API requests answered so far, oldest first.
func (s *Server) Requests() []Request {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Body = append([]byte(nil), r.Body...)
		out[i] = r
	}
	return out
}

// CountRequests counts logged API requests with that method and a path
// starting with pathPrefix; "" matches any method or path.
func (s *Server) CountRequests(method, pathPrefix string) int {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	n := 0
	for _, r := range s.requests {
		if (method == "" || r.Method == method) && strings.HasPrefix(r.Path, pathPrefix) {
			n++
		}
	}
	return n
}

// CountWrites counts logged PUT, POST, DELETE and PATCH requests, whatever
// they answered.
func (s *Server) CountWrites() int {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	n := 0
	for _, r := range s.requests {
		switch r.Method {
		case http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodPatch:
			n++
		}
	}
	return n
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.requests = nil
}
