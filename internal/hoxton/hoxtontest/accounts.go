package hoxtontest

import (
	"net/http"
	"time"
)

// listOrganisations implements GET /organisations[?userId=]: the caller's
// portfolio, which in the fake is the token's organisation.
func (s *Server) listOrganisations(w http.ResponseWriter, r *http.Request, p principal) {
	q := r.URL.Query()
	for k := range q {
		if k != "userId" {
			writeError(w, http.StatusBadRequest, "unknown query parameter \""+k+"\"")
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	if userID := q.Get("userId"); userID != "" {
		if u := s.get("users", userID); u == nil || u["organisationId"] != p.org {
			writeJSON(w, http.StatusOK, out)
			return
		}
	}
	if o := s.get("organisations", p.org); o != nil {
		out = append(out, copyObject(o))
	}
	writeJSON(w, http.StatusOK, out)
}

// currentUser implements GET /users/me: the user a password or
// authorization-code token was issued to; 404 for client-credentials tokens,
// which speak for no user.
func (s *Server) currentUser(w http.ResponseWriter, p principal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.get("users", p.userID)
	if p.userID == "" || u == nil {
		writeError(w, http.StatusNotFound, "the token does not belong to a user")
		return
	}
	writeJSON(w, http.StatusOK, copyObject(u))
}

// rotateSecret implements PUT /oauth-clients/{id}/rotate-secret: a new secret,
// answered with the client; the old secret is rejected from then on.
func (s *Server) rotateSecret(w http.ResponseWriter, p principal, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.lookup(collections["oauth-clients"], id, p)
	if err != nil {
		writeErr(w, err)
		return
	}
	c["clientSecret"] = randomToken(48)
	writeJSON(w, http.StatusOK, copyObject(c))
}

var reportFields = []field{
	{name: "organisationId", kind: kUUID, required: true},
	{name: "startDate", kind: kDate, required: true},
	{name: "endDate", kind: kDate, required: true},
	{name: "occupancyMonitorIds", kind: kArray, item: kUUID, ref: "occupancy-monitors"},
	{name: "peopleCountMonitorIds", kind: kArray, item: kUUID, ref: "people-count-monitors"},
}

// createReport implements POST /dwell-time-reports. The fake has no traffic
// data, so every report completes at once with empty reportData.
func (s *Server) createReport(w http.ResponseWriter, r *http.Request, p principal) {
	body, err := decodeObject(r)
	if err != nil {
		writeErr(w, err)
		return
	}
	vals, msgs := validateBody(reportFields, nil, body)
	if len(msgs) > 0 {
		unprocessable(w, msgs)
		return
	}
	if vals["organisationId"] != p.org {
		writeError(w, http.StatusForbidden, "organisationId is not the caller's organisation")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	msgs = s.checkRefs(reportFields, vals, p.org)
	if start, end := vals["startDate"].(string), vals["endDate"].(string); end <= start {
		msgs = append(msgs, "endDate: must be after startDate (endDate is exclusive)")
	}
	if len(msgs) > 0 {
		unprocessable(w, msgs)
		return
	}
	for _, k := range []string{"occupancyMonitorIds", "peopleCountMonitorIds"} {
		if vals[k] == nil {
			vals[k] = []any{}
		}
	}
	vals["dwellTimeReportId"] = newUUID()
	vals["createdAt"] = timestamp(time.Now())
	vals["status"] = "completed"
	vals["errorMessage"] = ""
	vals["reportData"] = []any{}
	s.put("dwell-time-reports", vals)
	writeJSON(w, http.StatusOK, copyObject(vals))
}
