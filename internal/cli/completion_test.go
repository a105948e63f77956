package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/cli"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// completions runs cobra's __complete as the shell script does and returns
// the offered values and the directive line.
func completions(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &cli.Env{Out: &stdout, ErrOut: &stderr, Getenv: func(string) string { return "" }}
	// tree joins the commands as the binary adds it.
	if code := cli.Run(context.Background(), "hoxtonctl", append([]string{"__complete"}, args...), env, cli.NewTreeCommand); code != cli.ExitOK {
		t.Fatalf("__complete %v: exit %d\nstderr: %s", args, code, stderr.String())
	}
	var values []string
	directive := ""
	for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		if strings.HasPrefix(l, ":") {
			directive = l
			continue
		}
		values = append(values, l)
	}
	return values, directive
}

// TestCompletionScripts: the completion command writes each shell's script.
func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		res := run(t, cli.Env{}, "completion", shell)
		if res.code != cli.ExitOK || !strings.Contains(res.stdout, "__complete") {
			t.Errorf("completion %s: exit %d, %d bytes; stderr %s", shell, res.code, len(res.stdout), res.stderr)
		}
	}
}

// TestCompletionOfOutputFormats: -o completes to the formats each command takes.
func TestCompletionOfOutputFormats(t *testing.T) {
	for cmd, want := range map[string]string{
		"version": "table yaml json", "check-api": "table yaml json",
		"login": "yaml json", "export": "", "report dwell-time": "table csv yaml json", "tree": "table wide yaml json",
	} {
		if want == "" {
			continue
		}
		got, directive := completions(t, append(strings.Fields(cmd), "-o", "")...)
		if strings.Join(got, " ") != want || directive != ":4" {
			t.Errorf("%s -o: %q %s, want %q :4", cmd, got, directive, want)
		}
	}
}

// TestCompletionOfConnectionNames completes --connection (and -n) from the
// cluster the kubeconfig names: the Connections of the namespace and every
// ClusterConnection, filtered by what was typed.
func TestCompletionOfConnectionNames(t *testing.T) {
	c := startCluster(t)
	c.namespace(t, "shop")
	c.namespace(t, "warehouse")
	params := v1alpha1.ConnectionParameters{OrganisationID: hoxtontest.DefaultOrganisationID}
	conn := func(ns, name string) *v1alpha1.Connection {
		return &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec: v1alpha1.ConnectionSpec{ConnectionParameters: params, CredentialsSecretRef: v1alpha1.LocalReference{Name: "creds"}}}
	}
	c.create(t, conn("shop", "default"), conn("shop", "hoxton"), conn("warehouse", "elsewhere"),
		&v1alpha1.ClusterConnection{ObjectMeta: metav1.ObjectMeta{Name: "everyone"},
			Spec: v1alpha1.ClusterConnectionSpec{ConnectionParameters: params, CredentialsSecretRef: v1alpha1.ClusterSecretReference{Name: "creds"}}})

	got, directive := completions(t, "report", "dwell-time", "--kubeconfig", c.kubeconfig, "-n", "shop", "--connection", "")
	if strings.Join(got, " ") != "ClusterConnection/everyone default hoxton" || directive != ":4" {
		t.Errorf("--connection: %q %s", got, directive)
	}
	got, _ = completions(t, "export", "--kubeconfig", c.kubeconfig, "-n", "shop", "--connection-ref", "h")
	if strings.Join(got, " ") != "hoxton" {
		t.Errorf("--connection-ref h: %q", got)
	}
	got, _ = completions(t, "export", "--kubeconfig", c.kubeconfig, "-n", "w")
	if strings.Join(got, " ") != "warehouse" {
		t.Errorf("-n w: %q", got)
	}

	// tree completes TYPE/ first, then the names of that type.
	got, directive = completions(t, "tree", "--kubeconfig", c.kubeconfig, "-n", "shop", "conn")
	if strings.Join(got, " ") != "connection/" || directive != ":6" {
		t.Errorf("tree conn: %q %s", got, directive)
	}
	got, _ = completions(t, "tree", "--kubeconfig", c.kubeconfig, "-n", "shop", "connection/")
	if strings.Join(got, " ") != "connection/default connection/hoxton" {
		t.Errorf("tree connection/: %q", got)
	}
	got, _ = completions(t, "tree", "--kubeconfig", c.kubeconfig, "-n", "shop", "clusterconnection/e")
	if strings.Join(got, " ") != "clusterconnection/everyone" {
		t.Errorf("tree clusterconnection/e: %q", got)
	}

	// A command taking Connection names as arguments completes them with CompleteNames.
	named := func(r *cli.Root) *cobra.Command {
		return &cobra.Command{Use: "show NAME", RunE: func(*cobra.Command, []string) error { return nil },
			ValidArgsFunction: r.CompleteNames(func() client.ObjectList { return &v1alpha1.ConnectionList{} })}
	}
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), "hoxtonctl", []string{"__complete", "show", "--kubeconfig", c.kubeconfig, "-n", "warehouse", ""},
		&cli.Env{Out: &stdout, ErrOut: &stderr, Getenv: func(string) string { return "" }}, named)
	if code != cli.ExitOK || stdout.String() != "elsewhere\n:4\n" {
		t.Errorf("show: exit %d, %q; stderr %s", code, stdout.String(), stderr.String())
	}
}
