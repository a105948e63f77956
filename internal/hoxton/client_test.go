package hoxton

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// counter reads hoxton_api_requests_total for one label set.
func counter(resource, method, code string) float64 {
	registerMetrics()
	return testutil.ToFloat64(requestsTotal.WithLabelValues(resource, method, code))
}

// acceptOnly answers 204 to requests bearing token good, and 401 otherwise.
func acceptOnly(good string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+good {
			reply(401, errBody(401, "invalid token"))(w, r)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func TestUnauthorizedRetriesOnceWithNewToken(t *testing.T) {
	tests := []struct {
		name         string
		handler      http.HandlerFunc
		wantErr      bool
		wantRejected []string
	}{
		{"fresh token accepted", acceptOnly("tok-2"), false, nil},
		{"fresh token refused too", acceptOnly("never"), true, []string{"tok-2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, tt.handler)
			tokens := &fakeTokens{AccessTokenFunc: sequence("tok-1", "tok-2", "tok-3")}
			c := newTestClient(t, ts, tokens, nil)
			_, err := Sites.Put(testContext(t, 10*time.Second), c, Site{ID: siteID, Name: "HQ"})

			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tt.wantErr)
			}
			var apiErr *APIError
			if tt.wantErr && (!IsAuth(err) || !errors.As(err, &apiErr) || apiErr.StatusCode != 401) {
				t.Errorf("err = %v, want a 401 Auth error", err)
			}
			reqs := ts.requests()
			if len(reqs) != 2 || tokens.calls != 2 {
				t.Fatalf("requests = %d, token calls = %d; want 2 and 2", len(reqs), tokens.calls)
			}
			if reqs[0].Auth != "Bearer tok-1" || reqs[1].Auth != "Bearer tok-2" {
				t.Errorf("Authorization headers = %q, %q", reqs[0].Auth, reqs[1].Auth)
			}
			if string(reqs[0].Body) != string(reqs[1].Body) || len(reqs[1].Body) == 0 {
				t.Errorf("retry body %q differs from first body %q", reqs[1].Body, reqs[0].Body)
			}
			if len(tokens.invalidated) != 1 || tokens.invalidated[0] != "tok-1" {
				t.Errorf("Invalidate calls = %q, want [tok-1]", tokens.invalidated)
			}
			if strings.Join(tokens.rejected, ",") != strings.Join(tt.wantRejected, ",") {
				t.Errorf("ReportRejected calls = %q, want %q", tokens.rejected, tt.wantRejected)
			}
			if err != nil && strings.Contains(err.Error(), "tok-") {
				t.Errorf("error text %q contains a token", err)
			}
		})
	}
}

func TestTokenErrorsAreClassifiedWithoutRequests(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want Class
	}{
		{"rejected", &auth.Error{Kind: auth.KindRejected, Description: "invalid_client"}, ClassAuth},
		{"circuit open", &auth.Error{Kind: auth.KindCircuitOpen}, ClassAuth},
		{"unavailable", &auth.Error{Kind: auth.KindUnavailable, StatusCode: 503}, ClassTransient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, reply(200, []any{}))
			tokens := &fakeTokens{AccessTokenFunc: func(context.Context) (string, error) { return "", tt.err }}
			_, err := Sites.List(testContext(t, 10*time.Second), newTestClient(t, ts, tokens, nil))
			if got := Classify(err); got != tt.want {
				t.Errorf("Classify(%v) = %q, want %q", err, got, tt.want)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("error %v does not wrap the token error", err)
			}
			if n := len(ts.requests()); n != 0 {
				t.Errorf("%d API requests sent without a token", n)
			}
		})
	}
}

func TestRequestShape(t *testing.T) {
	ts := newTestServer(t, reply(201, map[string]any{"id": siteID, "name": "HQ"}))
	tokens := &fakeTokens{AccessTokenFunc: sequence("tok-1")}
	c, err := New(Config{BaseURL: ts.URL + "/api/v0/", OrganisationID: testOrg, Tokens: tokens, UserAgent: "test-agent"})
	if err != nil {
		t.Fatal(err)
	}
	deleted := time.Now()
	res, err := Sites.Put(testContext(t, 10*time.Second), c, Site{ID: siteID, Name: "HQ", DeletedAt: &deleted})
	if err != nil || !res.Created {
		t.Fatalf("PutSite = %+v, %v; want Created", res, err)
	}
	req := ts.requests()[0]
	if req.Method != http.MethodPut || req.Path != "/api/v0/sites" || req.ContentType != "application/json" || req.Auth != "Bearer tok-1" {
		t.Errorf("request = %s %s (Content-Type %q, Authorization %q)", req.Method, req.Path, req.ContentType, req.Auth)
	}
	if got, want := string(req.Body), `{"id":"`+siteID+`","name":"HQ","organisationId":"`+testOrg+`"}`; got != want {
		t.Errorf("body = %s, want %s (organisation filled, output-only fields dropped)", got, want)
	}
}

func TestNewRejectsBadBaseURL(t *testing.T) {
	for _, base := range []string{"", "hoxton.cloud/api/v0", "ftp://hoxton.cloud", "https://"} {
		t.Run(base, func(t *testing.T) {
			if _, err := New(Config{BaseURL: base}); err == nil || err.Error() != msgBaseURL {
				t.Errorf("New(%q) error = %v, want %q", base, err, msgBaseURL)
			}
		})
	}
}

func TestMetricsCountAndTimeEveryAttempt(t *testing.T) {
	ts := newTestServer(t, acceptOnly("tok-2"))
	tokens := &fakeTokens{AccessTokenFunc: sequence("tok-1", "tok-2")}
	c := newTestClient(t, ts, tokens, nil)
	before401, before204 := counter("alerts", "DELETE", "401"), counter("alerts", "DELETE", "204")
	histBefore := histogramCount(t, "alerts", "DELETE")

	if err := Alerts.Delete(testContext(t, 10*time.Second), c, siteID); err != nil {
		t.Fatal(err)
	}
	if got := counter("alerts", "DELETE", "401") - before401; got != 1 {
		t.Errorf("401 answers counted = %v, want 1", got)
	}
	if got := counter("alerts", "DELETE", "204") - before204; got != 1 {
		t.Errorf("204 answers counted = %v, want 1", got)
	}
	if got := histogramCount(t, "alerts", "DELETE") - histBefore; got != 2 {
		t.Errorf("durations observed = %d, want 2", got)
	}
}

func TestMetricsRegisteredOnceWithControllerRuntime(t *testing.T) {
	registerMetrics()
	registerMetrics()
	// A second collector with the same descriptor must resolve to the registered one.
	dup := prometheus.NewCounterVec(prometheus.CounterOpts{Name: metricRequestsTotal, Help: helpRequestsTotal},
		[]string{"resource", "method", "code"})
	if got := registerOrReuse(dup); got != requestsTotal {
		t.Errorf("registerOrReuse returned a new collector instead of the registered one")
	}
	requestsTotal.WithLabelValues("sites", "GET", "200").Add(0)
	requestDuration.WithLabelValues("sites", "GET").Observe(0)
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, f := range families {
		found[f.GetName()] = true
	}
	for _, name := range []string{metricRequestsTotal, metricRequestDuration} {
		if !found[name] {
			t.Errorf("metric %s not in controller-runtime's registry", name)
		}
	}
}

// histogramCount returns the sample count of the duration histogram for one label set.
func histogramCount(t *testing.T, resource, method string) uint64 {
	t.Helper()
	registerMetrics()
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != metricRequestDuration {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["resource"] == resource && labels["method"] == method {
				return m.GetHistogram().GetSampleCount()
			}
		}
	}
	return 0
}
