package checkapi

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"sigs.k8s.io/yaml"
)

// Verdict is the outcome of one assumption's checks.
type Verdict string

// The verdicts, from best to worst for the operator.
const (
	// Holds: every check of the assumption that could run saw what it assumes.
	Holds Verdict = "holds"
	// Skipped: nothing could be checked (read-only, no camera, not observed).
	Skipped Verdict = "skipped"
	// Fails: at least one check saw something else.
	Fails Verdict = "fails"
)

// Evidence is one request and what decided its check.
type Evidence struct {
	// Request is "METHOD /path?query" (relative to the API URL), never with a token.
	Request string `json:"request"`
	// Status is the HTTP status answered.
	Status int `json:"status"`
	// Observed says which status or field decided, and what it was.
	Observed string `json:"observed"`
	// OK tells whether this observation agrees with the assumption.
	OK bool `json:"ok"`
}

// Result is what check-api found out about one assumption.
type Result struct {
	ID         string     `json:"id"`
	Assumption string     `json:"assumption"`
	Verdict    Verdict    `json:"verdict"`
	Evidence   []Evidence `json:"evidence,omitempty"`
	// Skips are the checks that did not run, and why.
	Skips []string `json:"skipped,omitempty"`
}

// assumptions are the checks, in the order reported: A1..A16 of
// docs/api-assumptions.md in short, with A2's list behaviour split out
// (A2.org, A2.site, A2.owner, A2.pages, A2.sweep), so that each fails on its own.
var assumptions = []struct{ id, text string }{
	{"A1", "every item path answers GET, cameras included; a deleted object answers 404 or 200 with state deleted"},
	{"A2", "lists answer a plain JSON array of the active objects"},
	{"A2.org", "lists are limited to the organisation of ?organisationId="},
	{"A2.site", "?siteId= limits a list to the objects of that site"},
	{"A2.owner", "link collections list by owner (?peopleCountMonitorId=, ?alertId=, ?parentId=, ...)"},
	{"A2.pages", "a list answers every object at once: it does not page"},
	{"A2.sweep", "a list holds each object as GET answers it, so one list can answer the polls of a collection (else the operator reads each object)"},
	{"A3", "GET /cameras?serialNumber= finds the organisation's camera by serial (empty array when none)"},
	{"A4", "PUT /cameras/{id} renames a camera and sets its direction labels, answering 204"},
	{"A5", "monitor camera-position links upsert and soft-delete like the alert mappings, with direction1Maps/direction2Maps"},
	{"A6", "the token endpoint accepts JSON and form bodies; a refresh may rotate the refresh token"},
	{"A7", "429 comes with Retry-After (seconds or HTTP date); 503 with or without it"},
	{"A8", "a PUT upsert of a soft-deleted object's id answers 410"},
	{"A9", "a people_count alert keeps its monitor in configurationDetails.peopleCountMonitorId"},
	{"A10", "a webhook is the object {\"url\": \"https://...\"}"},
	{"A11", "deleting an owner leaves its links, or cascades and their DELETE answers 404/410"},
	{"A12", "an annotation's roi is a GeoJSON Polygon/MultiPolygon geometry with closed rings"},
	{"A13", "annotation positions are [x, y] fractions 0..1 of the camera frame, stored as sent"},
	{"A14", "users list by organisation with their e-mail, which is unique in the organisation"},
	{"A15", "rotate-secret answers 200 with a new secret, and the old secret is refused from then on"},
	{"A16", "a GET of one object answers it with its id"},
}

// results collects evidence per assumption.
type results struct {
	byID  map[string]*Result
	order []string
}

func newResults() *results {
	rs := &results{byID: map[string]*Result{}}
	for _, a := range assumptions {
		rs.byID[a.id] = &Result{ID: a.id, Assumption: a.text}
		rs.order = append(rs.order, a.id)
	}
	return rs
}

// add records one observation for assumption id.
func (rs *results) add(id string, rep *reply, ok bool, format string, args ...any) {
	ev := Evidence{Observed: fmt.Sprintf(format, args...), OK: ok}
	if rep != nil {
		ev.Request, ev.Status = rep.request, rep.status
	}
	rs.byID[id].Evidence = append(rs.byID[id].Evidence, ev)
}

// skip records a check of id that did not run.
func (rs *results) skip(id, why string) {
	rs.byID[id].Skips = append(rs.byID[id].Skips, why)
}

// final computes the verdicts and returns the results in order.
func (rs *results) final() []Result {
	out := make([]Result, 0, len(rs.order))
	for _, id := range rs.order {
		r := rs.byID[id]
		r.Verdict = Skipped
		for _, ev := range r.Evidence {
			if !ev.OK {
				r.Verdict = Fails
				break
			}
			r.Verdict = Holds
		}
		out = append(out, *r)
	}
	return out
}

// Print writes the results as a table (with the evidence under each
// assumption), json or yaml.
func Print(w io.Writer, format string, res []Result) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	case "yaml":
		data, err := yaml.Marshal(res)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range res {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, strings.ToUpper(string(r.Verdict)), r.Assumption)
		for _, ev := range r.Evidence {
			mark := "ok"
			if !ev.OK {
				mark = "FAIL"
			}
			req := ev.Request
			if req == "" {
				req = "-"
			} else {
				req = fmt.Sprintf("%s -> %d", req, ev.Status)
			}
			fmt.Fprintf(tw, "\t%s\t%s: %s\n", mark, req, ev.Observed)
		}
		for _, s := range r.Skips {
			fmt.Fprintf(tw, "\tskip\t%s\n", s)
		}
	}
	return tw.Flush()
}
