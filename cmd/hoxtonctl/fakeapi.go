package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

func init() {
	register(&command{
		name:    "fake-api",
		summary: "serve a fake HoxtonAi API (and token endpoint) for tests and CI",
		run:     runFakeAPI,
	})
}

// shutdownGrace bounds how long in-flight requests may take after a signal.
const shutdownGrace = 10 * time.Second

// runFakeAPI serves the fake until ctx is cancelled, then shuts down
// gracefully. It prints one line with the URLs to stdout (never the client
// secret) and, unless -quiet, one access-log line per request to stderr.
func runFakeAPI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hoxtonctl fake-api", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8089", "`address` to listen on (port 0 picks a free port)")
	orgID := fs.String("organisation-id", hoxtontest.DefaultOrganisationID, "`uuid` of the organisation the client belongs to")
	orgName := fs.String("organisation-name", hoxtontest.DefaultOrganisationName, "`name` of that organisation")
	clientID := fs.String("client-id", hoxtontest.DefaultClientID, "OAuth client `id` accepted by the token endpoint")
	clientSecret := fs.String("client-secret", hoxtontest.DefaultClientSecret, "OAuth client `secret` accepted by the token endpoint")
	lifetime := fs.Duration("token-lifetime", hoxtontest.DefaultTokenLifetime, "access token `lifetime` (expires_in)")
	audience := fs.String("audience", hoxtontest.DefaultAudience, "the only `audience` tokens are issued for")
	dialect := fs.String("token-dialect", hoxtontest.DialectStandard, "token endpoint `dialect`: Standard, CAM2 or CamStreamer")
	quiet := fs.Bool("quiet", false, "do not log requests to stderr")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: hoxtonctl fake-api [flags]")
		fmt.Fprintln(fs.Output(), "\nServes a fake HoxtonAi API until SIGINT or SIGTERM. GET /healthz answers 200 when ready.")
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "hoxtonctl fake-api: unexpected argument %q\n", fs.Arg(0))
		return 2
	case uuid.Validate(*orgID) != nil || len(*orgID) != 36:
		fmt.Fprintf(stderr, "hoxtonctl fake-api: --organisation-id %q is not a uuid\n", *orgID)
		return 2
	case *clientID == "" || *clientSecret == "":
		fmt.Fprintln(stderr, "hoxtonctl fake-api: --client-id and --client-secret must not be empty")
		return 2
	case *lifetime < time.Second:
		fmt.Fprintln(stderr, "hoxtonctl fake-api: --token-lifetime must be at least 1s")
		return 2
	case *dialect != hoxtontest.DialectStandard && *dialect != hoxtontest.DialectCAM2 && *dialect != hoxtontest.DialectCamStreamer:
		fmt.Fprintf(stderr, "hoxtonctl fake-api: --token-dialect %q is not Standard, CAM2 or CamStreamer\n", *dialect)
		return 2
	}
	fake := hoxtontest.NewHandler(hoxtontest.Options{
		OrganisationID: *orgID, OrganisationName: *orgName, Audience: *audience, TokenLifetime: *lifetime,
		Clients: []hoxtontest.OAuthClient{{ID: *clientID, Secret: *clientSecret}}, TokenDialect: *dialect,
	})
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "hoxtonctl fake-api: %v\n", err)
		return 1
	}
	base := "http://" + ln.Addr().String()
	// One line, so that scripts can read every URL from it.
	paths := hoxtontest.DialectPaths(*dialect)
	extra := ""
	if paths.Refresh != "" {
		extra += " refresh URL " + base + paths.Refresh
	}
	if paths.Revoke != "" {
		extra += " revocation URL " + base + paths.Revoke
	}
	fmt.Fprintf(stdout, "hoxtonctl fake-api: API %s/api/v0 token URL %s%s%s organisation %s client %s dialect %s\n",
		base, base, paths.Token, extra, *orgID, *clientID, *dialect)

	handler := fake.Handler()
	if !*quiet {
		handler = accessLog(handler, stderr)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		fmt.Fprintf(stderr, "hoxtonctl fake-api: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintf(stderr, "hoxtonctl fake-api: shutdown: %v\n", err)
		return 1
	}
	return 0
}

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
