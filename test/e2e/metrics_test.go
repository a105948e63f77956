//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func (s *suite) scrape(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + s.metricsAddr + "/metrics") //nolint:noctx // test scrape
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return families
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func value(m *dto.Metric) float64 {
	switch {
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetHistogram() != nil:
		return float64(m.GetHistogram().GetSampleCount())
	}
	return 0
}

// sum adds the values of the series of family whose labels match.
func sum(families map[string]*dto.MetricFamily, family string, match map[string]string) float64 {
	total := 0.0
	f := families[family]
	if f == nil {
		return 0
	}
next:
	for _, m := range f.GetMetric() {
		for k, v := range match {
			if label(m, k) != v {
				continue next
			}
		}
		total += value(m)
	}
	return total
}

// metricsArePlausible scrapes the restarted manager: API requests succeeded, every
// sample object is counted Ready and Synced, the Connection is Ready with a token
// that expires in the future and a closed breaker.
func (s *suite) metricsArePlausible(t *testing.T) {
	perKind := map[string]float64{}
	for _, u := range s.managed() {
		if u.GetKind() != "Connection" && u.GetKind() != "ClusterConnection" {
			perKind[u.GetKind()]++
		}
	}
	var families map[string]*dto.MetricFamily
	eventually(t, 30*time.Second, "hoxton_* series", func() error {
		families = s.scrape(t)
		for kind, n := range perKind {
			if got := sum(families, "hoxton_objects", map[string]string{"kind": kind, "ready": "True", "synced": "True"}); got != n {
				return fmt.Errorf("hoxton_objects{kind=%q,ready=True,synced=True} = %v, want %v", kind, got, n)
			}
			if got := sum(families, "hoxton_reconcile_outcomes_total", map[string]string{"kind": kind, "reason": "ReconcileSuccess"}); got < n {
				return fmt.Errorf("hoxton_reconcile_outcomes_total{kind=%q,reason=ReconcileSuccess} = %v, want >= %v", kind, got, n)
			}
		}
		if got := sum(families, "hoxton_api_requests_total", map[string]string{"method": "GET", "code": "200"}); got < float64(len(perKind)) {
			return fmt.Errorf("hoxton_api_requests_total{method=GET,code=200} = %v", got)
		}
		return nil
	})
	var found []string
	for name := range families {
		if strings.HasPrefix(name, "hoxton_") {
			found = append(found, name)
		}
	}
	t.Logf("hoxton_* families: %s", strings.Join(found, " "))

	if got := sum(families, "hoxton_token_requests_total", map[string]string{"result": "success"}); got < 1 {
		t.Errorf("hoxton_token_requests_total{result=success} = %v, want >= 1", got)
	}
	if got := sum(families, "hoxton_api_request_duration_seconds", nil); got < 1 {
		t.Errorf("hoxton_api_request_duration_seconds has %v observations", got)
	}
	for _, f := range []string{"hoxton_api_requests_total"} {
		for _, m := range families[f].GetMetric() {
			if c := label(m, "code"); c != "200" && c != "201" && c != "204" {
				t.Errorf("%s has a series with code %s: %v", f, c, m)
			}
		}
	}
	conns := families["hoxton_connection_ready"]
	if conns == nil || len(conns.GetMetric()) == 0 {
		t.Fatal("no hoxton_connection_ready series")
	}
	now := float64(time.Now().Unix())
	for _, m := range conns.GetMetric() {
		name := map[string]string{"kind": label(m, "kind"), "namespace": label(m, "namespace"), "name": label(m, "name")}
		if value(m) != 1 {
			t.Errorf("hoxton_connection_ready%v = %v, want 1", name, value(m))
		}
		exp := sum(families, "hoxton_connection_token_expiry_timestamp_seconds", name)
		if exp < now || exp > now+25*3600 {
			t.Errorf("hoxton_connection_token_expiry_timestamp_seconds%v = %v, want within a day from now (%v)", name, exp, now)
		}
		if got := sum(families, "hoxton_connection_circuit_breaker_open", name); got != 0 {
			t.Errorf("hoxton_connection_circuit_breaker_open%v = %v, want 0", name, got)
		}
		if f := families["hoxton_connection_budget_wait_seconds_total"]; f == nil {
			t.Error("no hoxton_connection_budget_wait_seconds_total series")
		}
	}
}
