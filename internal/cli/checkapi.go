package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// checkAPIOptions are the flags of `check-api`.
type checkAPIOptions struct {
	api      apiFlags
	readOnly bool
	camera   string
	output   string
}

func newCheckAPICommand(r *Root) *cobra.Command {
	o := &checkAPIOptions{}
	cmd := &cobra.Command{
		Use:   "check-api",
		Short: "Check that a live HoxtonAi API behaves as hoxton-operator assumes (A1..A8)",
		Long: `check-api checks the assumptions A1 to A8 of docs/api-assumptions.md against a
live endpoint and reports, for each, whether it holds, with the evidence: the
request and the status or field that decided.

Before it starts it says what it will write. It only writes scratch objects it
creates, named ` + scratchPrefix + `<random>: a site, a people-count monitor on
it and, when the organisation has a camera, a link of that monitor to the
camera's position; it deletes them all at the end. --read-only skips every
write (and with it A4, A5 and A8). --camera ID lets it rename that one camera
and restore its name and labels, to check A4; without it A4 is only probed.
A7 (Retry-After) is checked only if the service throttles during the run.

Exit codes: 0 every check that ran holds; 1 an assumption fails; 2 error.
` + apiHelp,
		Example: `  hoxtonctl check-api --connection hoxton
  hoxtonctl check-api --read-only -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCheckAPI(cmd.Context(), r, o)
		},
	}
	f := cmd.Flags()
	o.api.add(f)
	f.BoolVar(&o.readOnly, "read-only", false, "write nothing: skip the checks that create objects")
	f.StringVar(&o.camera, "camera", "", "id of a camera check-api may rename and restore (for A4)")
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
	c := &checker{org: t.OrganisationID, readOnly: o.readOnly, camera: o.camera, suffix: newSuffix(), res: newResults()}
	announce(r, t, c)

	if err := c.tokenChecks(ctx, r, t); err != nil {
		return err
	}
	_, source, err := r.apiClient(ctx, t)
	if err != nil {
		return err
	}
	c.probe = &prober{base: t.APIURL, http: r.Env.HTTPClient, tokens: source}
	start := time.Now()
	var created []scratch
	runErr := c.runReadChecks(ctx)
	if runErr == nil && !o.readOnly {
		runErr = c.runWriteChecks(ctx, &created)
		if runErr == nil {
			runErr = c.checkCameraUpdate(ctx)
		}
	}
	if o.readOnly {
		for _, id := range []string{"A4", "A5", "A8"} {
			c.res.skip(id, "--read-only")
		}
	}
	left := c.cleanup(context.WithoutCancel(ctx), created)
	c.throttleCheck()
	if runErr != nil {
		return errors.Join(runErr, leftError(left))
	}
	res := c.res.final()
	if err := printResults(r.Env.Out, o.output, res); err != nil {
		return err
	}
	counts := map[Verdict]int{}
	for _, x := range res {
		counts[x.Verdict]++
	}
	fmt.Fprintf(r.Env.ErrOut, "%d hold, %d fail, %d skipped; %d API requests in %s.\n",
		counts[Holds], counts[Fails], counts[Skipped], c.probe.requests, time.Since(start).Round(time.Millisecond))
	if !o.readOnly {
		if len(left) == 0 {
			fmt.Fprintf(r.Env.ErrOut, "Deleted every scratch object (%s*).\n", scratchPrefix)
		} else {
			return leftError(left)
		}
	}
	if counts[Fails] > 0 {
		fmt.Fprintln(r.Env.ErrOut, "Please report what fails, with this output, to the hoxton-operator project.")
		return ErrFindings
	}
	return nil
}

func leftError(left []string) error {
	if len(left) == 0 {
		return nil
	}
	return fmt.Errorf("could not delete scratch objects, delete them by hand: %s", strings.Join(left, ", "))
}

// announce says, before anything is sent, where check-api goes and what it writes.
func announce(r *Root, t *target, c *checker) {
	w := r.Env.ErrOut
	fmt.Fprintf(w, "Checking assumptions A1..A8 against %s, organisation %s (credentials from %s).\n", t.APIURL, t.OrganisationID, t.Origin)
	if c.readOnly {
		fmt.Fprintln(w, "--read-only: nothing will be written.")
		return
	}
	fmt.Fprintf(w, "This creates scratch objects named %s (a site, a people-count monitor and a camera-position link) and deletes them at the end.\n", c.scratchName())
	if c.camera != "" {
		fmt.Fprintf(w, "It renames camera %s to %s and then restores its name and direction labels.\n", c.camera, c.scratchName())
	}
	if t.Creds.Grant == auth.GrantRefreshToken {
		fmt.Fprintln(w, "The token checks may rotate the refresh token; a new one is written back to the Connection's Secret.")
	}
}

// tokenChecks runs A6 and leaves t with the newest refresh token.
func (c *checker) tokenChecks(ctx context.Context, r *Root, t *target) error {
	if t.Creds.Grant == auth.GrantRefreshToken {
		switch {
		case c.readOnly:
			c.res.skip("A6", "a refresh may rotate the refresh token, which is a write: not with --read-only")
			return nil
		case t.persist == nil:
			c.res.skip("A6", "a refresh may rotate the refresh token given by flag or variable, which could not be stored: use --connection")
			return nil
		}
	}
	newest, err := c.checkTokenEndpoint(ctx, r.Env.HTTPClient, t.Creds)
	if newest != t.Creds.RefreshToken && t.persist != nil {
		t.Creds.RefreshToken = newest
		if perr := t.persist(context.WithoutCancel(ctx), newest); perr != nil {
			err = errors.Join(err, perr)
		}
	}
	return err
}

// throttleCheck judges A7 from the 429 and 503 answers seen during the run.
func (c *checker) throttleCheck() {
	if len(c.probe.throttled) == 0 {
		c.res.skip("A7", "no 429 or 503 during the run: throttling cannot be provoked safely, so A7 is checked only when it happens")
		return
	}
	for _, th := range c.probe.throttled {
		rep := &reply{status: th.status, request: th.request}
		_, ok := parseRetryAfter(th.retryAfter, time.Now())
		switch {
		case th.retryAfter == "":
			c.res.add("A7", rep, true, "no Retry-After (allowed; the operator then waits %s)", hoxton.DefaultRetryAfter)
		case ok:
			c.res.add("A7", rep, true, "Retry-After %q", th.retryAfter)
		default:
			c.res.add("A7", rep, false, "Retry-After %q is neither seconds nor an HTTP date", th.retryAfter)
		}
	}
}
