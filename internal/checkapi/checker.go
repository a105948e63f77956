package checkapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// Config is one check-api run.
type Config struct {
	APIURL         string
	OrganisationID string
	// Creds are used for the token checks (A6); the scratch OAuth client of
	// A15 is asked for tokens at Creds.TokenURL and Creds.Audience.
	Creds      auth.Credentials
	HTTPClient *http.Client
	// Tokens returns the token source of the API requests. It is called after
	// the token checks, which may have rotated Creds.RefreshToken.
	Tokens func(ctx context.Context, creds auth.Credentials) (hoxton.TokenSource, error)
	// StoreRefreshToken keeps a refresh token the token checks rotated; nil
	// when it cannot be kept (then A6 is not checked for the refresh grant).
	StoreRefreshToken func(ctx context.Context, refreshToken string) error
	// ReadOnly skips every write, and with it the checks that need one.
	ReadOnly bool
	// Camera is the id of a camera the user lets A4 rename and restore, and
	// A12/A13 annotate.
	Camera string
	// Yes allows the scratch writes without asking.
	Yes bool
	// Confirm asks the user whether check-api may write; nil when there is
	// no terminal to ask on (then only Yes allows writes).
	Confirm func(question string) (bool, error)
	// Log receives the announcement, progress and what is left to remove.
	Log io.Writer
	// Origin says where the credentials came from, for the announcement.
	Origin string
}

// Report is what a run found.
type Report struct {
	Results  []Result
	Requests int
	Elapsed  time.Duration
	// Left is what could not be undone; it is to be removed by hand.
	Left []Scratch
}

// ErrNoConsent is returned when writes were neither allowed by Yes nor
// confirmed; nothing was sent.
var ErrNoConsent = errors.New("no consent to write scratch objects")

// cleanupTimeout bounds the undo of the scratch objects after the run.
const cleanupTimeout = time.Minute

// checker runs the checks of one invocation.
type checker struct {
	cfg     Config
	org     string
	probe   *prober
	res     *results
	scratch scratchLog
	// suffix makes this run's scratch names unique.
	suffix string
	// cameraPosition is a camera position of the organisation, for A5's link;
	// cameraSite is the site of the camera listed.
	cameraPosition, cameraSite string
	// sites are the ids of the organisation's sites, as listed.
	sites map[string]bool
	// pagingChecked is set once A2.pages had enough sites to tell.
	pagingChecked bool
}

// phase is one group of checks, run in order.
type phase struct {
	name string
	run  func(ctx context.Context) error
}

// Run checks the API cfg names, undoes every scratch write, and reports.
// An error means the run could not finish (transport failure, cancelled,
// refused consent, something left to remove by hand); the report, when not
// nil, holds what was found until then.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	c, err := prepare(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return c.finish(ctx, c.phases())
}

// prepare announces the run, gets consent for its writes, runs the token
// checks and sets up the prober.
func prepare(ctx context.Context, cfg Config) (*checker, error) {
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	c := &checker{cfg: cfg, org: cfg.OrganisationID, suffix: newSuffix(), res: newResults()}
	c.announce()
	if err := c.consent(); err != nil {
		return nil, err
	}
	if err := c.tokenChecks(ctx); err != nil {
		return nil, err
	}
	tokens, err := cfg.Tokens(ctx, c.cfg.Creds)
	if err != nil {
		return nil, err
	}
	c.probe = &prober{base: cfg.APIURL, http: cfg.HTTPClient, tokens: tokens}
	return c, nil
}

// finish runs phases, undoes the scratch writes and reports.
func (c *checker) finish(ctx context.Context, phases []phase) (*Report, error) {
	start := time.Now()
	err := c.run(ctx, phases)
	c.throttleCheck()
	return &Report{Results: c.res.final(), Requests: c.probe.requests, Elapsed: time.Since(start), Left: c.scratch.left}, err
}

// phases are the read checks, then (unless read-only) the write checks.
func (c *checker) phases() []phase {
	ps := make([]phase, 0, 9)
	ps = append(ps,
		phase{"lists", c.checkLists},
		phase{"cameras", c.checkCameras},
		phase{"list filters", c.checkFilters},
		phase{"users", c.checkUsers},
	)
	if c.cfg.ReadOnly {
		for _, id := range []string{"A4", "A5", "A8", "A9", "A10", "A11", "A12", "A13", "A15"} {
			c.res.skip(id, "--read-only")
		}
		return ps
	}
	return append(ps,
		phase{"scratch site", c.checkSiteLifecycle},
		phase{"notification groups", c.checkNotificationGroups},
		phase{"annotation", c.checkAnnotation},
		phase{"oauth client", c.checkOAuthClient},
		phase{"camera update", c.checkCameraUpdate},
	)
}

// run runs phases and then undoes the scratch writes, also when a phase
// fails, panics or the context is cancelled.
func (c *checker) run(ctx context.Context, phases []phase) (err error) {
	current := ""
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("check %q stopped on a bug: %v", current, p)
		}
		if left := c.undoAll(); len(left) > 0 {
			err = errors.Join(err, leftError(left))
		}
	}()
	for _, p := range phases {
		if err := ctx.Err(); err != nil {
			return err
		}
		current = p.name
		if err := p.run(ctx); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
	}
	return nil
}

func newSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ScratchPrefix starts the name of every object check-api creates.
const ScratchPrefix = "hoxtonctl-check-"

func (c *checker) scratchName() string { return ScratchPrefix + c.suffix }
