package cli_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hoxton-operator/hoxton-operator/internal/checkapi"
	"github.com/hoxton-operator/hoxton-operator/internal/cli"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// The checks themselves are tested in internal/checkapi against every
// breaking variant of the fake; these tests cover the command: flags,
// consent, output and exit codes.

// TestCheckAPICommand: with --yes every check runs against an empty
// organisation (what needs a camera is skipped with a reason), the JSON
// names every check, and a broken assumption exits 1 with its row.
func TestCheckAPICommand(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	t.Cleanup(fake.Close)
	res := run(t, cli.Env{Getenv: fakeEnv(fake)}, "check-api", "--yes", "-o", "json")
	if res.code != cli.ExitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", res.code, res.stdout, res.stderr)
	}
	var out []checkapi.Result
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("output: %v\n%s", err, res.stdout)
	}
	if len(out) != 21 || out[0].ID != "A1" || out[20].ID != "A16" {
		t.Errorf("%d results, want A1..A16 and A2's five list checks", len(out))
	}
	for _, r := range out {
		if r.Verdict == checkapi.Skipped && len(r.Skips) == 0 {
			t.Errorf("%s skipped without a reason", r.ID)
		}
	}
	for _, want := range []string{"into organisation " + fake.OrganisationID(), "Removed every scratch object"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
		}
	}

	broken := hoxtontest.NewServerVariant(hoxtontest.Options{}, hoxtontest.DeletedIDsReusable())
	t.Cleanup(broken.Close)
	res = run(t, cli.Env{Getenv: fakeEnv(broken)}, "check-api", "--yes")
	if res.code != cli.ExitFindings || !regexp.MustCompile(`(?m)^A8\s+FAILS\s`).MatchString(res.stdout) ||
		!regexp.MustCompile(`(?m)^\s+FAIL\s+PUT /sites -> 204`).MatchString(res.stdout) {
		t.Errorf("exit %d, want 1 with A8's row and request\n%s\n%s", res.code, res.stdout, res.stderr)
	}
}

// TestCheckAPIAsksBeforeWriting: without --yes and without a terminal to ask
// on, check-api sends nothing, says how to proceed and exits 2 at once,
// even when stdin holds a "y".
func TestCheckAPIAsksBeforeWriting(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	t.Cleanup(fake.Close)
	res := run(t, cli.Env{Getenv: fakeEnv(fake), In: strings.NewReader("y\n")}, "check-api")
	if res.code != cli.ExitError {
		t.Fatalf("exit %d, want 2\n%s", res.code, res.stderr)
	}
	for _, want := range []string{"--yes", "--read-only", "nothing was sent"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
		}
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("%d API requests without consent", n)
	}
}

// TestCheckAPIReadOnly writes nothing, asks nothing, and skips the checks
// that must write.
func TestCheckAPIReadOnly(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	t.Cleanup(fake.Close)
	res := run(t, cli.Env{Getenv: fakeEnv(fake)}, "check-api", "--read-only", "-o", "json")
	if res.code != cli.ExitOK {
		t.Fatalf("exit %d\nstderr: %s", res.code, res.stderr)
	}
	if n := fake.CountWrites(); n != 0 {
		t.Errorf("%d writes with --read-only", n)
	}
	var out []checkapi.Result
	_ = json.Unmarshal([]byte(res.stdout), &out)
	for _, r := range out {
		if slices.Contains(strings.Fields("A4 A5 A8 A9 A10 A11 A12 A13 A15"), r.ID) && r.Verdict != checkapi.Skipped {
			t.Errorf("%s: %s with --read-only, want skipped", r.ID, r.Verdict)
		}
	}
}
