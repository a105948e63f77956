package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hoxton-operator/hoxton-operator/internal/cli"
)

// TestCommandName: installed as kubectl-hoxton the tool is `kubectl hoxton`.
func TestCommandName(t *testing.T) {
	for argv0, want := range map[string]string{
		"hoxtonctl":                     "hoxtonctl",
		"/usr/local/bin/hoxtonctl":      "hoxtonctl",
		"/usr/local/bin/kubectl-hoxton": "kubectl hoxton",
		`C:\bin\kubectl-hoxton.exe`:     "kubectl hoxton",
		"kubectl-":                      "hoxtonctl",
	} {
		if got := cli.CommandName(strings.ReplaceAll(argv0, `\`, "/")); got != want {
			t.Errorf("CommandName(%q) = %q, want %q", argv0, got, want)
		}
	}
}

// TestPluginUsage: the plugin's help and errors speak of `kubectl hoxton`.
func TestPluginUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	env := &cli.Env{Out: &out, ErrOut: &errOut, Getenv: func(string) string { return "" }}
	if code := cli.Run(context.Background(), "/usr/local/bin/kubectl-hoxton", []string{"report", "dwell-time", "--help"}, env); code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "kubectl hoxton report dwell-time --from") {
		t.Errorf("usage does not name the plugin:\n%s", out.String())
	}
	out.Reset()
	if code := cli.Run(context.Background(), "kubectl-hoxton", []string{"nope"}, env); code != cli.ExitError || !strings.HasPrefix(errOut.String(), "kubectl hoxton: ") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}
