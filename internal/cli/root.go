// Package cli builds hoxtonctl's command tree: the root command with kubectl's
// kubeconfig, context and namespace flags, and the login, report, check-api,
// export and diff commands. cmd/hoxtonctl only wires it to the process
// (arguments, signals, exit status), so every command can be run in-process by
// tests.
//
// Exit codes follow kubectl diff: 0 success, 1 differences or failed checks,
// 2 any error (bad usage, unreachable endpoint, rejected credentials).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/hoxton-operator/hoxton-operator/internal/version"
)

// Exit codes of every hoxtonctl command.
const (
	// ExitOK: the command did what was asked, and found nothing to report.
	ExitOK = 0
	// ExitFindings: the command ran, and found differences or failed checks.
	ExitFindings = 1
	// ExitError: the command could not do its job.
	ExitError = 2
)

// ErrFindings is returned by a command that ran to the end but found
// differences or failed checks; Run turns it into ExitFindings.
var ErrFindings = errors.New("findings reported")

// Env is what commands take from their surroundings. Tests replace parts of
// it; Run fills the rest with the process's own.
type Env struct {
	In          io.Reader
	Out, ErrOut io.Writer
	// Getenv reads environment variables (credentials may come from them).
	Getenv func(string) string
	// OpenBrowser opens url for an interactive login; it returns an error when
	// no browser can be started, and login then prints the URL instead.
	OpenBrowser func(ctx context.Context, url string) error
	// HTTPClient is used for the HoxtonAi API and token endpoint.
	HTTPClient *http.Client
	// IsTerminal reports whether w is a terminal (progress is only drawn there).
	IsTerminal func(w io.Writer) bool
}

func (e *Env) withDefaults() *Env {
	out := *e
	if out.In == nil {
		out.In = os.Stdin
	}
	if out.Out == nil {
		out.Out = os.Stdout
	}
	if out.ErrOut == nil {
		out.ErrOut = os.Stderr
	}
	if out.Getenv == nil {
		out.Getenv = os.Getenv
	}
	if out.OpenBrowser == nil {
		out.OpenBrowser = openSystemBrowser
	}
	if out.HTTPClient == nil {
		out.HTTPClient = &http.Client{Timeout: defaultHTTPTimeout}
	}
	if out.IsTerminal == nil {
		out.IsTerminal = isTerminal
	}
	return &out
}

// Root is the state shared by every command: the environment and the
// kubeconfig flags.
type Root struct {
	Env  *Env
	Kube *genericclioptions.ConfigFlags
	// Name is how the user invoked the tool: "hoxtonctl", or "kubectl hoxton"
	// for the kubectl plugin.
	Name string
}

// CommandName returns the name to show in usage for a binary invoked as
// argv0: installed as kubectl-hoxton, the tool is the plugin `kubectl hoxton`.
func CommandName(argv0 string) string {
	base := strings.TrimSuffix(filepath.Base(argv0), ".exe")
	if rest, ok := strings.CutPrefix(base, "kubectl-"); ok && rest != "" {
		return "kubectl " + strings.ReplaceAll(rest, "_", "-")
	}
	return "hoxtonctl"
}

// NewRootCommand builds the command tree. extra commands (fake-api, which
// lives with the binary) are added beside the built-in ones.
func NewRootCommand(argv0 string, env *Env, extra ...func(*Root) *cobra.Command) (*cobra.Command, *Root) {
	r := &Root{Env: env.withDefaults(), Name: CommandName(argv0)}
	// Only kubeconfig, context and namespace: credentials for the cluster come
	// from the kubeconfig, and flags such as --token or --server would read as
	// if they were HoxtonAi's.
	kubeconfig, kubeContext, namespace := "", "", ""
	r.Kube = &genericclioptions.ConfigFlags{KubeConfig: &kubeconfig, Context: &kubeContext, Namespace: &namespace}
	cmd := &cobra.Command{
		Use:   "hoxtonctl",
		Short: "Work with HoxtonAi and hoxton-operator from the command line",
		Long: `hoxtonctl logs in to HoxtonAi, exports the organisation as manifests, shows what
manifests would change in it, reads its reports and checks the API behaves as
hoxton-operator assumes. Installed as kubectl-hoxton it runs as "kubectl hoxton".

Exit codes: 0 success; 1 differences or failed checks; 2 error.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// --version prints the version alone; `hoxtonctl version` says more.
		Version:     version.String(),
		Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: r.Name},
		// Without a command there is nothing to do: say how to use the tool, and
		// fail, so a script with a typo does not pass.
		RunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(cmd.ErrOrStderr())
			_ = cmd.Usage()
			return errors.New("no command given")
		},
	}
	cmd.SetIn(r.Env.In)
	cmd.SetOut(r.Env.Out)
	cmd.SetErr(r.Env.ErrOut)
	cmd.SetHelpCommand(helpCommand(cmd))
	cmd.SetVersionTemplate(r.Name + " {{.Version}}\n")
	r.Kube.AddFlags(cmd.PersistentFlags())
	cmd.AddCommand(newLoginCommand(r), newReportCommand(r), newCheckAPICommand(r), newExportCommand(r), newDiffCommand(r), newVersionCommand(r))
	for _, f := range extra {
		cmd.AddCommand(f(r))
	}
	registerCompletions(cmd, r)
	return cmd, r
}

// Run runs the command line args (without the program name) and returns the
// exit status.
func Run(ctx context.Context, argv0 string, args []string, env *Env, extra ...func(*Root) *cobra.Command) int {
	cmd, r := NewRootCommand(argv0, env, extra...)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, ErrFindings):
		return ExitFindings
	}
	fmt.Fprintf(r.Env.ErrOut, "%s: %v\n", r.Name, err)
	return ExitError
}

// helpCommand is cobra's help, except that an unknown topic is an error (exit
// 2) rather than a usage message with exit 0.
func helpCommand(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(_ *cobra.Command, args []string) error {
			target, _, err := root.Find(args)
			if err != nil || (target == root && len(args) > 0) {
				return fmt.Errorf("unknown help topic %q", strings.Join(args, " "))
			}
			return target.Help()
		},
	}
}
