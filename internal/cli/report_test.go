package cli_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hoxton-operator/hoxton-operator/internal/cli"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

var reportRows = []map[string]any{
	{"monitorId": "m-2", "date": "2026-03-02", "averageDwellSeconds": 95.5, "visits": 7},
	{"monitorId": "m-1", "date": "2026-03-01", "averageDwellSeconds": 120, "visits": 12, "note": "door, left"},
}

const pendingPolls = 2

func dwellArgs(extra ...string) []string {
	return append([]string{"report", "dwell-time", "--from", "2026-03-01", "--to", "2026-04-01", "--poll-interval", "5ms"}, extra...)
}

// TestDwellTimeWaitsAndPrints: the report is pending for two polls; the
// command waits, polls exactly as often as needed and prints every format.
func TestDwellTimeWaitsAndPrints(t *testing.T) {
	want := map[string]string{
		"csv": "averageDwellSeconds,date,monitorId,note,visits\n" +
			"95.5,2026-03-02,m-2,,7\n" +
			"120,2026-03-01,m-1,\"door, left\",12\n",
		"table": "AVERAGEDWELLSECONDS  DATE        MONITORID  NOTE        VISITS\n" +
			"95.5                 2026-03-02  m-2                    7\n" +
			"120                  2026-03-01  m-1        door, left  12\n",
	}
	for _, format := range []string{"csv", "table", "json"} {
		t.Run(format, func(t *testing.T) {
			fake := hoxtontest.NewServerVariant(hoxtontest.Options{}, hoxtontest.ReportsPending(pendingPolls, reportRows))
			defer fake.Close()
			res := run(t, cli.Env{Getenv: fakeEnv(fake)}, dwellArgs("-o", format)...)
			if res.code != cli.ExitOK {
				t.Fatalf("exit %d\nstderr: %s", res.code, res.stderr)
			}
			if n := fake.CountRequests(http.MethodGet, "/dwell-time-reports/"); n != pendingPolls+1 {
				t.Errorf("%d polls, want %d (pending twice, then completed)", n, pendingPolls+1)
			}
			if n := fake.CountRequests(http.MethodPost, "/dwell-time-reports"); n != 1 {
				t.Errorf("%d report requests, want 1", n)
			}
			if format == "json" {
				var rep hoxton.DwellTimeReport
				if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil || rep.Status != "completed" || len(rep.ReportData) != 2 ||
					rep.StartDate != "2026-03-01" || rep.EndDate != "2026-04-01" {
					t.Fatalf("json output %v: %s", err, res.stdout)
				}
				return
			}
			if res.stdout != want[format] {
				t.Errorf("output:\n%s\nwant:\n%s", res.stdout, want[format])
			}
			if strings.Contains(res.stderr, "waiting") {
				t.Errorf("progress drawn on a stderr that is not a terminal: %q", res.stderr)
			}
		})
	}
}

// TestDwellTimeProgressOnTerminal: with a terminal, stderr shows the wait.
func TestDwellTimeProgressOnTerminal(t *testing.T) {
	fake := hoxtontest.NewServerVariant(hoxtontest.Options{}, hoxtontest.ReportsPending(pendingPolls, reportRows))
	defer fake.Close()
	res := run(t, cli.Env{Getenv: fakeEnv(fake), IsTerminal: func(io.Writer) bool { return true }}, dwellArgs()...)
	if res.code != cli.ExitOK || !strings.Contains(res.stderr, "waiting for report") || !strings.Contains(res.stderr, "completed after") {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
}

// TestDwellTimeMonitors: --monitor ids are sorted into people-count and
// occupancy monitors, as the request body needs.
func TestDwellTimeMonitors(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	defer fake.Close()
	c := apiClient(t, fake)
	ctx := context.Background()
	site, pc, occ := "8a1f0e52-0000-4000-8000-000000000001", "8a1f0e52-0000-4000-8000-000000000002", "8a1f0e52-0000-4000-8000-000000000003"
	if _, err := hoxton.Sites.Put(ctx, c, hoxton.Site{ID: site, Name: "Shop"}); err != nil {
		t.Fatal(err)
	}
	if _, err := hoxton.PeopleCountMonitors.Put(ctx, c, hoxton.PeopleCountMonitor{ID: pc, SiteID: site, Name: "Door"}); err != nil {
		t.Fatal(err)
	}
	if _, err := hoxton.OccupancyMonitors.Put(ctx, c, hoxton.OccupancyMonitor{ID: occ, SiteID: site, Name: "Floor"}); err != nil {
		t.Fatal(err)
	}
	fake.ResetRequests()
	res := run(t, cli.Env{Getenv: fakeEnv(fake)}, dwellArgs("--monitor", occ, "--monitor", pc)...)
	if res.code != cli.ExitOK {
		t.Fatalf("exit %d\nstderr: %s", res.code, res.stderr)
	}
	var body struct {
		OccupancyMonitorIDs   []string `json:"occupancyMonitorIds"`
		PeopleCountMonitorIDs []string `json:"peopleCountMonitorIds"`
	}
	for _, r := range fake.Requests() {
		if r.Method == http.MethodPost && r.Path == "/dwell-time-reports" {
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(body.OccupancyMonitorIDs) != 1 || body.OccupancyMonitorIDs[0] != occ || len(body.PeopleCountMonitorIDs) != 1 || body.PeopleCountMonitorIDs[0] != pc {
		t.Errorf("request body %+v", body)
	}
	// No rows: nothing on stdout, a note on stderr that names the exclusive end.
	if res.stdout != "" || !strings.Contains(res.stderr, "not including") {
		t.Errorf("stdout %q stderr %q", res.stdout, res.stderr)
	}
	unknown := run(t, cli.Env{Getenv: fakeEnv(fake)}, dwellArgs("--monitor", "8a1f0e52-0000-4000-8000-0000000000ff")...)
	if unknown.code != cli.ExitError || !strings.Contains(unknown.stderr, "no people-count or occupancy monitor") {
		t.Errorf("unknown monitor: exit %d, stderr %s", unknown.code, unknown.stderr)
	}
}

// TestDwellTimeUsage: bad dates and missing credentials are errors before any
// request, and --help says the end date is exclusive.
func TestDwellTimeUsage(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	defer fake.Close()
	for name, args := range map[string][]string{
		"same day":                     {"report", "dwell-time", "--from", "2026-03-01", "--to", "2026-03-01"},
		"bad date":                     {"report", "dwell-time", "--from", "1 March", "--to", "2026-03-02"},
		"bad output":                   dwellArgs("-o", "xml"),
		"no report":                    {"report"},
		"with --connection and a flag": dwellArgs("--connection", "c", "--client-id", "x"),
	} {
		t.Run(name, func(t *testing.T) {
			if res := run(t, cli.Env{Getenv: fakeEnv(fake)}, args...); res.code != cli.ExitError {
				t.Fatalf("exit %d, want 2; stderr %s", res.code, res.stderr)
			}
		})
	}
	if n := len(fake.Requests()) + fake.TokenRequests(""); n != 0 {
		t.Errorf("%d requests for bad input", n)
	}
	noCreds := run(t, cli.Env{}, dwellArgs()...)
	if noCreds.code != cli.ExitError || !strings.Contains(noCreds.stderr, "--client-id (HOXTON_CLIENT_ID)") {
		t.Errorf("no credentials: exit %d, stderr %s", noCreds.code, noCreds.stderr)
	}
	help := run(t, cli.Env{}, "report", "dwell-time", "--help")
	if help.code != cli.ExitOK || !strings.Contains(help.stdout, "end date is exclusive") {
		t.Errorf("help: %d %s", help.code, help.stdout)
	}
}

// TestDwellTimeTimeout: a report that never completes ends with exit 2 after
// --timeout, and says so.
func TestDwellTimeTimeout(t *testing.T) {
	fake := hoxtontest.NewServerVariant(hoxtontest.Options{}, hoxtontest.ReportsPending(1<<30, nil))
	defer fake.Close()
	res := run(t, cli.Env{Getenv: fakeEnv(fake)}, dwellArgs("--timeout", "100ms")...)
	if res.code != cli.ExitError || !strings.Contains(res.stderr, "not completed after 100ms") {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
}
