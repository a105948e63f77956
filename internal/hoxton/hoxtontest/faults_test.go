package hoxtontest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	s := newFake(t, Options{})
	a := newAPI(t, s)
	a.expect(http.StatusCreated, "PUT", "/sites", map[string]any{"id": siteA, "name": "A"})

	s.AddFault(Fault{Method: "GET", PathPrefix: "/sites", Status: 429, RetryAfter: 1500 * time.Millisecond, Count: 1})
	resp, raw := a.call("GET", "/sites/"+siteA, nil)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" {
		t.Fatalf("429 fault: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	errorMessage(t, 429, raw)
	a.expect(http.StatusOK, "GET", "/sites/"+siteA, nil) // Count 1 is used up

	s.AddFault(Fault{Method: "GET", PathPrefix: "/sites", Status: 200, Body: `[{},{}]`, Count: 1})
	if resp, raw := a.call("GET", "/sites/"+siteA, nil); resp.StatusCode != 200 || string(raw) != `[{},{}]` {
		t.Fatalf("body fault: %d %s", resp.StatusCode, raw)
	}

	s.AddFault(Fault{PathPrefix: "/people-count-monitors", Status: 500, Count: 2})
	a.expect(http.StatusOK, "GET", "/sites/"+siteA, nil) // another path is unaffected
	for i := 0; i < 2; i++ {
		a.expect(http.StatusInternalServerError, "PUT", "/people-count-monitors", map[string]any{"siteId": siteA})
	}
	a.expect(http.StatusCreated, "PUT", "/people-count-monitors", map[string]any{"siteId": siteA})
	if n := len(s.Objects("people-count-monitors")); n != 1 {
		t.Errorf("faulted writes stored something: %d monitors", n)
	}

	// Faults come after authentication, and ClearFaults removes them.
	s.AddFault(Fault{Status: 503})
	if got := (&api{t: t, s: s}).status("GET", "/sites/"+siteA, nil); got != http.StatusUnauthorized {
		t.Errorf("no token under a fault: %d, want 401", got)
	}
	a.expect(http.StatusServiceUnavailable, "GET", "/sites/"+siteA, nil)
	ccToken(t, s, DefaultClientID, DefaultClientSecret) // the token endpoint is never faulted
	s.ClearFaults()
	a.expect(http.StatusOK, "GET", "/sites/"+siteA, nil)
}

func TestFaultRate(t *testing.T) {
	s := newFake(t, Options{})
	a := newAPI(t, s)
	s.AddFault(Fault{Status: 500, Rate: 0.5})
	failed := 0
	for i := 0; i < 200; i++ {
		if a.status("GET", "/organisations", nil) == http.StatusInternalServerError {
			failed++
		}
	}
	// Binomial(200, 0.5): outside 50..150 with probability far below 1e-12.
	if failed < 50 || failed > 150 {
		t.Errorf("%d of 200 requests failed at rate 0.5", failed)
	}
}

func TestLatency(t *testing.T) {
	s := newFake(t, Options{})
	a := newAPI(t, s)
	s.SetLatency(200 * time.Millisecond)
	start := time.Now()
	a.expect(http.StatusOK, "GET", "/organisations", nil)
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("request took %v with 200ms latency", d)
	}
	s.SetLatency(0)
}

func TestRequestLog(t *testing.T) {
	s := newFake(t, Options{})
	a := newAPI(t, s)
	a.expect(http.StatusCreated, "PUT", "/sites", map[string]any{"id": siteA, "name": "A"})
	a.expect(http.StatusOK, "GET", "/sites/"+siteA, nil)
	a.expect(http.StatusOK, "GET", "/sites?organisationId="+s.OrganisationID(), nil)
	a.expect(http.StatusNoContent, "DELETE", "/sites/"+siteA, nil)
	a.expect(http.StatusOK, "GET", "/organisations", nil)

	reqs := s.Requests()
	if len(reqs) != 5 {
		t.Fatalf("%d requests logged, want 5", len(reqs))
	}
	first := reqs[0]
	if first.Method != "PUT" || first.Path != "/sites" || first.Status != 201 ||
		string(first.Body) != `{"id":"`+siteA+`","name":"A"}` || time.Since(first.Time) > time.Minute {
		t.Errorf("first request = %+v", first)
	}
	if reqs[2].Query != "organisationId="+s.OrganisationID() || reqs[2].Path != "/sites" {
		t.Errorf("list request = %+v", reqs[2])
	}
	for _, tc := range []struct {
		method, prefix string
		want           int
	}{{"", "", 5}, {"GET", "", 3}, {"", "/sites", 4}, {"GET", "/sites/", 1}, {"DELETE", "/sites", 1}} {
		if got := s.CountRequests(tc.method, tc.prefix); got != tc.want {
			t.Errorf("CountRequests(%q, %q) = %d, want %d", tc.method, tc.prefix, got, tc.want)
		}
	}
	if got := s.CountWrites(); got != 2 {
		t.Errorf("CountWrites = %d, want 2", got)
	}
	s.ResetRequests()
	if got := len(s.Requests()); got != 0 {
		t.Errorf("after ResetRequests: %d requests", got)
	}
	// A client echoing a secret it has read does not put it in the log.
	a.call("PUT", "/oauth-clients", map[string]any{"clientId": DefaultClientID, "clientSecret": DefaultClientSecret,
		"name": "n", "organisationId": s.OrganisationID(), "grantTypes": []any{"client_credentials"}})
	if reqs := s.Requests(); len(reqs) != 1 || strings.Contains(string(reqs[0].Body), DefaultClientSecret) ||
		!strings.Contains(string(reqs[0].Body), `"clientId":"test-client"`) {
		t.Errorf("logged body %q", reqs[0].Body)
	}
	s.ResetRequests()
	if got := len(s.Requests()); got != 0 {
		t.Errorf("after ResetRequests: %d requests", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := newFake(t, Options{})
	a := newAPI(t, s)
	a.expect(http.StatusCreated, "PUT", "/sites", map[string]any{"id": siteA, "name": "A"})
	const workers, perWorker = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker*2)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				id := fmt.Sprintf("%08d-0000-4000-8000-%012d", w, i)
				// Each object is created once, then the shared site is
				// updated concurrently, while hooks run alongside.
				for _, want := range []int{201, 204} {
					resp, _ := a.call("PUT", "/people-count-monitors", map[string]any{"id": id, "siteId": siteA})
					if resp.StatusCode != want {
						errs <- fmt.Errorf("PUT %s: %d, want %d", id, resp.StatusCode, want)
					}
				}
				if got := a.status("PUT", "/sites", map[string]any{"id": siteA, "name": id}); got != 204 {
					errs <- fmt.Errorf("PUT site: %d", got)
				}
				s.Objects("people-count-monitors")
				s.CountRequests("PUT", "/")
				s.PatchObject("sites", siteA, map[string]any{"address": id})
				s.SetLatency(0)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := len(s.Objects("people-count-monitors")); got != workers*perWorker {
		t.Errorf("%d monitors stored, want %d", got, workers*perWorker)
	}
	if got, want := s.CountWrites(), 1+workers*perWorker*3; got != want {
		t.Errorf("CountWrites = %d, want %d", got, want)
	}
}
