package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/hoxton-operator/hoxton-operator/internal/cli"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// newFakeAPICommand is the fake-api command.
func newFakeAPICommand(_ *cli.Root) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fake-api",
		Short: "Serve a fake HoxtonAi API (and token endpoint) for tests and CI",
		Long:  "Serves a fake HoxtonAi API until SIGINT or SIGTERM. GET /healthz answers 200 when ready.",
		Args:  cobra.NoArgs,
	}
	fs := cmd.Flags()
	listen := fs.String("listen", "127.0.0.1:8089", "`address` to listen on (port 0 picks a free port)")
	orgID := fs.String("organisation-id", hoxtontest.DefaultOrganisationID, "`uuid` of the organisation the client belongs to")
	orgName := fs.String("organisation-name", hoxtontest.DefaultOrganisationName, "`name` of that organisation")
	clientID := fs.String("client-id", hoxtontest.DefaultClientID, "OAuth client `id` accepted by the token endpoint")
	clientSecret := fs.String("client-secret", hoxtontest.DefaultClientSecret, "OAuth client `secret` accepted by the token endpoint")
	lifetime := fs.Duration("token-lifetime", hoxtontest.DefaultTokenLifetime, "access token `lifetime` (expires_in)")
	audience := fs.String("audience", hoxtontest.DefaultAudience, "the only `audience` tokens are issued for")
	dialect := fs.String("token-dialect", hoxtontest.DialectStandard, "token endpoint `dialect`: Standard, CAM2 or CamStreamer")
	quiet := fs.Bool("quiet", false, "do not log requests to stderr")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		opts := fakeAPIOptions{listen: *listen, orgID: *orgID, orgName: *orgName, clientID: *clientID,
			clientSecret: *clientSecret, lifetime: *lifetime, audience: *audience, dialect: *dialect, quiet: *quiet}
		return runFakeAPI(cmd.Context(), opts, cmd.OutOrStdout(), cmd.ErrOrStderr())
	}
	return cmd
}

// fakeAPIOptions are the flags of fake-api.
type fakeAPIOptions struct {
	listen, orgID, orgName, clientID, clientSecret, audience, dialect string
	lifetime                                                          time.Duration
	quiet                                                             bool
}

// shutdownGrace bounds how long in-flight requests may take after a signal.
const shutdownGrace = 10 * time.Second

// runFakeAPI serves the fake until ctx is cancelled, then shuts down
// gracefully. It prints one line with the URLs to stdout (never the client
// secret) and, unless --quiet, one access-log line per request to stderr.
// Bad flags and a failure to serve are errors (exit 2).
func runFakeAPI(ctx context.Context, o fakeAPIOptions, stdout, stderr io.Writer) error {
	switch {
	case uuid.Validate(o.orgID) != nil || len(o.orgID) != 36:
		return fmt.Errorf("--organisation-id %q is not a uuid", o.orgID)
	case o.clientID == "" || o.clientSecret == "":
		return errors.New("--client-id and --client-secret must not be empty")
	case o.lifetime < time.Second:
		return errors.New("--token-lifetime must be at least 1s")
	case o.dialect != hoxtontest.DialectStandard && o.dialect != hoxtontest.DialectCAM2 && o.dialect != hoxtontest.DialectCamStreamer:
		return fmt.Errorf("--token-dialect %q is not Standard, CAM2 or CamStreamer", o.dialect)
	}
	fake := hoxtontest.NewHandler(hoxtontest.Options{
		OrganisationID: o.orgID, OrganisationName: o.orgName, Audience: o.audience, TokenLifetime: o.lifetime,
		Clients: []hoxtontest.OAuthClient{{ID: o.clientID, Secret: o.clientSecret}}, TokenDialect: o.dialect,
	})
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return failure(err)
	}
	base := "http://" + ln.Addr().String()
	// One line, so that scripts can read every URL from it.
	paths := hoxtontest.DialectPaths(o.dialect)
	extra := ""
	if paths.Refresh != "" {
		extra += " refresh URL " + base + paths.Refresh
	}
	if paths.Revoke != "" {
		extra += " revocation URL " + base + paths.Revoke
	}
	fmt.Fprintf(stdout, "hoxtonctl fake-api: API %s/api/v0 token URL %s%s%s organisation %s client %s dialect %s\n",
		base, base, paths.Token, extra, o.orgID, o.clientID, o.dialect)

	handler := fake.Handler()
	if !o.quiet {
		handler = accessLog(handler, stderr)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return failure(err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return failure(fmt.Errorf("shutdown: %w", err))
	}
	return nil
}

// failure names the command in an error of serving.
func failure(err error) error { return fmt.Errorf("fake-api: %w", err) }

// accessLog writes one line per request: method, path, status, duration. It
// deliberately leaves out query strings, headers and bodies, where codes,
// tokens and secrets travel.
func accessLog(next http.Handler, w io.Writer) http.Handler {
	var mu sync.Mutex // lines from concurrent requests must not interleave
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusWriter{ResponseWriter: rw, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, "%s %s %s %d %s\n", start.UTC().Format(time.RFC3339), r.Method, r.URL.Path,
			rec.status, time.Since(start).Round(time.Microsecond))
	})
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wroteHeader {
		s.status, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}
