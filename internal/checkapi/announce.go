package checkapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// announce says, before anything is sent, where check-api goes and what it
// would write.
func (c *checker) announce() {
	w := c.cfg.Log
	fmt.Fprintf(w, "Checking the assumptions of docs/api-assumptions.md against %s, organisation %s (credentials from %s).\n",
		c.cfg.APIURL, c.org, c.cfg.Origin)
	if c.cfg.ReadOnly {
		fmt.Fprintln(w, "--read-only: nothing will be written.")
		return
	}
	fmt.Fprintf(w, "This writes scratch objects named %s into organisation %s, and deletes them at the end:\n", c.scratchName(), c.org)
	for _, s := range c.plannedWrites() {
		fmt.Fprintf(w, "  - %s\n", s)
	}
	if c.cfg.Creds.Grant == auth.GrantRefreshToken {
		fmt.Fprintln(w, "The token checks may rotate the refresh token; a new one is written back to the Connection's Secret.")
	}
}

// plannedWrites lists what the write checks create or change.
func (c *checker) plannedWrites() []string {
	out := []string{
		"a site, a people-count monitor on it and a people_count alert of that monitor",
		"a camera-position link of that monitor, when the organisation has a camera",
		"two notification groups (one with a webhook to an .invalid address) and a link between them",
		"an OAuth client (client_credentials only), whose secret is rotated once and never shown",
	}
	if c.cfg.Camera != "" {
		out = append(out,
			"an annotation on camera "+c.cfg.Camera+"'s position",
			"camera "+c.cfg.Camera+" is renamed to "+c.scratchName()+", then its name and direction labels are restored")
	}
	return out
}

// consent makes sure the user allowed the writes: --yes, or a yes on the
// terminal. Without a terminal it refuses rather than waits.
func (c *checker) consent() error {
	if c.cfg.ReadOnly || c.cfg.Yes {
		return nil
	}
	how := "run again with --yes to allow them, or with --read-only to check without writing"
	if c.cfg.Confirm == nil {
		return fmt.Errorf("%w: nothing was sent; there is no terminal to ask on: %s", ErrNoConsent, how)
	}
	ok, err := c.cfg.Confirm(fmt.Sprintf("Write these scratch objects into organisation %s? [y/N] ", c.org))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoConsent, err)
	}
	if !ok {
		return fmt.Errorf("%w: nothing was sent; %s", ErrNoConsent, how)
	}
	return nil
}

// tokenChecks runs A6 and leaves cfg.Creds with the newest refresh token.
func (c *checker) tokenChecks(ctx context.Context) error {
	creds := &c.cfg.Creds
	if creds.Grant == auth.GrantRefreshToken {
		switch {
		case c.cfg.ReadOnly:
			c.res.skip("A6", "a refresh may rotate the refresh token, which is a write: not with --read-only")
			return nil
		case c.cfg.StoreRefreshToken == nil:
			c.res.skip("A6", "a refresh may rotate the refresh token given by flag or variable, which could not be stored: use --connection")
			return nil
		}
	}
	newest, err := c.checkTokenEndpoint(ctx, c.cfg.HTTPClient, *creds)
	if newest != creds.RefreshToken && c.cfg.StoreRefreshToken != nil {
		creds.RefreshToken = newest
		if serr := c.cfg.StoreRefreshToken(context.WithoutCancel(ctx), newest); serr != nil {
			err = errors.Join(err, serr)
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

// leftError names what could not be undone.
func leftError(left []Scratch) error {
	names := make([]string, 0, len(left))
	for _, s := range left {
		names = append(names, s.String())
	}
	return fmt.Errorf("could not undo every scratch write; by hand: %s", strings.Join(names, "; "))
}
