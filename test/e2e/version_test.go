//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// chartAppVersion is the one version a build from this checkout carries.
func chartAppVersion(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "charts", "hoxton-operator", "Chart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^appVersion: *"?([^"\n]+)"?$`).FindSubmatch(data)
	if m == nil {
		t.Fatal("Chart.yaml has no appVersion")
	}
	return string(m[1])
}

// versionIsStamped: the binaries `make build` made carry the chart's appVersion: in
// `hoxtonctl version` and --version, in the manager's first log line and in
// hoxton_build_info.
func (s *suite) versionIsStamped(t *testing.T) {
	want := chartAppVersion(t)
	out, err := exec.Command(filepath.Join(repoRoot, "bin", "hoxtonctl"), "version", "-o", "json").Output()
	if err != nil {
		t.Fatalf("hoxtonctl version: %v", err)
	}
	var info struct{ Version, GoVersion string }
	if err := json.Unmarshal(out, &info); err != nil || info.Version != want || info.GoVersion == "" {
		t.Errorf("hoxtonctl version -o json = %s (%v), want version %s", out, err, want)
	}
	out, err = exec.Command(filepath.Join(repoRoot, "bin", "hoxtonctl"), "--version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "hoxtonctl "+want {
		t.Errorf("hoxtonctl --version = %q (%v), want %q", out, err, "hoxtonctl "+want)
	}
	if first := s.managerOut.since(0); len(first) == 0 || !strings.Contains(first[0], `"version":"`+want+`"`) {
		t.Errorf("the manager's first log line does not give version %s: %q", want, first)
	}
	if got := sum(s.scrape(t), "hoxton_build_info", map[string]string{"version": want}); got != 1 {
		t.Errorf("hoxton_build_info{version=%q} = %v, want 1", want, got)
	}
}
