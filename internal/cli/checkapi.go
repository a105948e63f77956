package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/hoxton-operator/hoxton-operator/internal/checkapi"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// checkAPIOptions are the flags of `check-api`.
type checkAPIOptions struct {
	api      apiFlags
	readOnly bool
	yes      bool
	camera   string
	output   string
}

func newCheckAPICommand(r *Root) *cobra.Command {
	o := &checkAPIOptions{}
	cmd := &cobra.Command{
		Use:   "check-api",
		Short: "Check that a live HoxtonAi API behaves as hoxton-operator assumes (A1..A16)",
		Long: `check-api checks the assumptions A1 to A16 of docs/api-assumptions.md, and
what the operator relies on in list answers (A2.org, A2.site, A2.owner:
the filters by organisation, site and owner; A2.pages: lists do not page),
against a live endpoint. It reports, for each, whether it holds, with the
evidence: the request and the status or field that decided.

Before it writes it says what, into which organisation, and asks (y/N);
--yes allows it without asking, for scripts. Without a terminal and without
--yes it writes nothing and stops. It only writes scratch objects it creates,
named ` + checkapi.ScratchPrefix + `<random>: a site, a people-count monitor, a
people_count alert, a camera-position link (when the organisation has a
camera), two notification groups and their link, an OAuth client. It deletes
them all at the end, also on a failure or Ctrl-C, and prints whatever it
could not delete. --read-only skips every write and the checks that need one.
--camera ID lets it rename that one camera and restore it (A4) and annotate
it for a moment (A12, A13). A7 (Retry-After) is checked only if the service
throttles during the run; A14's writes never (a user cannot be deleted).

Exit codes: 0 every check that ran holds; 1 an assumption fails; 2 error.
` + apiHelp,
		Example: `  hoxtonctl check-api --connection hoxton
  hoxtonctl check-api --connection hoxton --yes --camera 6f1c... -o json
  hoxtonctl check-api --read-only -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCheckAPI(cmd.Context(), r, o)
		},
	}
	f := cmd.Flags()
	o.api.add(f)
	f.BoolVar(&o.readOnly, "read-only", false, "write nothing: skip the checks that create objects")
	f.BoolVarP(&o.yes, "yes", "y", false, "write the scratch objects without asking (for scripts)")
	f.StringVar(&o.camera, "camera", "", "id of a camera check-api may rename and annotate, and restore (A4, A12, A13)")
	addOutputFlag(f, &o.output, outputTable, dataFormats)
	return cmd
}

func runCheckAPI(ctx context.Context, r *Root, o *checkAPIOptions) error {
	if err := checkOutput(o.output, dataFormats); err != nil {
		return err
	}
	t, err := o.api.resolve(ctx, r)
	if err != nil {
		return err
	}
	cfg := checkapi.Config{
		APIURL: t.APIURL, OrganisationID: t.OrganisationID, Creds: t.Creds, HTTPClient: r.Env.HTTPClient,
		ReadOnly: o.readOnly, Camera: o.camera, Yes: o.yes, Log: r.Env.ErrOut, Origin: t.Origin,
		Confirm: r.terminalConfirm(ctx),
		Tokens: func(ctx context.Context, creds auth.Credentials) (hoxton.TokenSource, error) {
			t.Creds = creds
			_, source, err := r.apiClient(ctx, t)
			return source, err
		},
	}
	if t.persist != nil { // a nil func, not a non-nil func that is nil
		cfg.StoreRefreshToken = t.persist
	}
	rep, err := checkapi.Run(ctx, cfg)
	if rep == nil {
		return err
	}
	// A run that stopped early still shows what it found.
	if perr := checkapi.Print(r.Env.Out, o.output, rep.Results); err != nil || perr != nil {
		return errors.Join(err, perr)
	}
	counts := map[checkapi.Verdict]int{}
	for _, x := range rep.Results {
		counts[x.Verdict]++
	}
	fmt.Fprintf(r.Env.ErrOut, "%d hold, %d fail, %d skipped; %d API requests in %s.\n",
		counts[checkapi.Holds], counts[checkapi.Fails], counts[checkapi.Skipped], rep.Requests, rep.Elapsed.Round(1e6))
	if counts[checkapi.Fails] > 0 {
		fmt.Fprintln(r.Env.ErrOut, "Please report what fails, with this output, to the hoxton-operator project.")
		return ErrFindings
	}
	return nil
}

// terminalConfirm asks on the terminal, when stdin is one; nil otherwise, so
// that check-api refuses to write rather than wait for an answer nobody gives.
// Ctrl-C at the question is a no (the signal cancels ctx rather than the
// process, which would otherwise wait for a line).
func (r *Root) terminalConfirm(ctx context.Context) func(string) (bool, error) {
	f, ok := r.Env.In.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return func(question string) (bool, error) {
		fmt.Fprint(r.Env.ErrOut, question)
		answer := make(chan string, 1)
		go func() {
			line, _ := bufio.NewReader(r.Env.In).ReadString('\n')
			answer <- strings.ToLower(strings.TrimSpace(line))
		}()
		select {
		case <-ctx.Done():
			fmt.Fprintln(r.Env.ErrOut)
			return false, errors.New("interrupted")
		case a := <-answer:
			return a == "y" || a == "yes", nil
		}
	}
}
