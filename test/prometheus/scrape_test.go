package prometheus

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/textparse"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/util/teststorage"
)

// TestAlertsEvaluateOnAScrape evaluates every alert of config/prometheus/rules.yaml
// with Prometheus's engine against metrics scraped from a manager on a real cluster
// (`make test-cluster` writes the leader's scrape to HOXTON_SCRAPE_FILE): every
// expression evaluates, every metric it reads is in the scrape (an alert reading a
// missing series is silent for ever), and on that healthy installation none fires.
func TestAlertsEvaluateOnAScrape(t *testing.T) {
	path := os.Getenv("HOXTON_SCRAPE_FILE")
	if path == "" {
		t.Skip("needs a scrape from `make test-cluster` (HOXTON_SCRAPE_FILE)")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	store := teststorage.New(t)
	now := time.Now()
	names := load(t, store, data, now)

	engine := promql.NewEngine(promql.EngineOpts{MaxSamples: 1_000_000, Timeout: 10 * time.Second, LookbackDelta: 5 * time.Minute})
	for _, g := range loadRules(t).Groups {
		for _, r := range g.Rules {
			for _, m := range metricsOf(t, r.Expr) {
				if !names[m] {
					t.Errorf("alert %s reads %s, which the manager did not export on the cluster", r.Alert, m)
				}
			}
			q, err := engine.NewInstantQuery(context.Background(), store, nil, r.Expr, now)
			if err != nil {
				t.Fatalf("alert %s: %v", r.Alert, err)
			}
			res := q.Exec(context.Background())
			if res.Err != nil {
				t.Errorf("alert %s does not evaluate: %v", r.Alert, res.Err)
			} else if v, ok := res.Value.(promql.Vector); ok && len(v) > 0 {
				t.Errorf("alert %s fires on a healthy installation: %v", r.Alert, v)
			}
			q.Close()
		}
	}
}

// load appends every sample of a text exposition at ts, with Prometheus's own scrape
// parser, and returns the series names it held.
func load(t *testing.T, store *teststorage.TestStorage, data []byte, ts time.Time) map[string]bool {
	t.Helper()
	p := textparse.NewPromParser(data, labels.NewSymbolTable(), false)
	app := store.Appender(context.Background())
	names := map[string]bool{}
	for {
		entry, err := p.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("parsing the scrape: %v", err)
		}
		if entry != textparse.EntrySeries {
			continue
		}
		_, _, v := p.Series()
		var l labels.Labels
		p.Labels(&l)
		names[l.Get(model.MetricNameLabel)] = true
		if _, err := app.Append(0, l, ts.UnixMilli(), v); err != nil {
			t.Fatal(err)
		}
	}
	if err := app.Commit(); err != nil {
		t.Fatal(err)
	}
	if !names["hoxton_build_info"] {
		t.Fatalf("the scrape holds no hoxton_ metrics: %.200s", strings.TrimSpace(string(data)))
	}
	return names
}
