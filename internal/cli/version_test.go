package cli_test

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/hoxton-operator/hoxton-operator/internal/cli"
)

// TestVersion: a binary built without the release stamp (as tests are) says
// "devel", never a release it is not; each output format says the same; a bad -o is
// an error. The stamped version is checked on the built binaries by test/e2e.
func TestVersion(t *testing.T) {
	r := run(t, cli.Env{}, "version")
	if r.code != cli.ExitOK || !strings.HasPrefix(r.stdout, "hoxtonctl devel (revision ") || !strings.Contains(r.stdout, runtime.Version()) {
		t.Errorf("version: exit %d, %q", r.code, r.stdout)
	}
	r = run(t, cli.Env{}, "version", "-o", "json")
	var info struct{ Version, GoVersion string }
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil || info.Version != "devel" || info.GoVersion != runtime.Version() {
		t.Errorf("version -o json: %q (%v)", r.stdout, err)
	}
	if r = run(t, cli.Env{}, "version", "-o", "yaml"); !strings.Contains(r.stdout, "version: devel\n") {
		t.Errorf("version -o yaml: %q", r.stdout)
	}
	if r = run(t, cli.Env{}, "--version"); r.code != cli.ExitOK || r.stdout != "hoxtonctl devel\n" {
		t.Errorf("--version: exit %d, %q", r.code, r.stdout)
	}
	if r = run(t, cli.Env{}, "version", "-o", "wide"); r.code != cli.ExitError || !strings.Contains(r.stderr, "--output") {
		t.Errorf("version -o wide: exit %d, %q", r.code, r.stderr)
	}
}
