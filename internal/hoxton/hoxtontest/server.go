package hoxtontest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Default values used when the matching Options field is empty.
const (
	DefaultOrganisationID   = "0b0e5a52-6f0a-4c55-9a51-3b1f2f6d7a10"
	DefaultOrganisationName = "Demo Organisation"
	DefaultClientID         = "test-client"
	DefaultClientSecret     = "test-secret"
	DefaultUsername         = "user@example.com"
	DefaultPassword         = "password"
	DefaultAudience         = "https://api.hoxton.cloud"
	DefaultTokenLifetime    = 24 * time.Hour
)

// apiPrefix is the base path of the API, as in the production base URL.
const apiPrefix = "/api/v0"

// OAuthClient is an OAuth client known to the fake's token endpoint. It is also
// visible through the /oauth-clients API of its organisation.
type OAuthClient struct {
	ID, Secret     string
	OrganisationID string // empty = Options.OrganisationID
}

// User is a Control Room user who can log in with the password grant. It is
// also visible through the /users API of its organisation.
type User struct {
	Username, Password string
	OrganisationID     string // empty = Options.OrganisationID
}

// Options configures a fake server. The zero value gives one organisation, one
// client ("test-client" / "test-secret") and one user ("user@example.com" /
// "password").
type Options struct {
	OrganisationID   string // default DefaultOrganisationID
	OrganisationName string // default DefaultOrganisationName
	// OtherOrganisations are extra organisations (id -> name), for 403 tests
	// across organisations.
	OtherOrganisations map[string]string
	Clients            []OAuthClient // default: one client "test-client" / "test-secret"
	Users              []User        // default: one user "user@example.com" / "password"
	// Audience is the only audience tokens are issued for; a token request for
	// another audience answers 403 {"error":"access_denied"}.
	Audience string // default DefaultAudience
	// TokenLifetime is how long access tokens stay valid (expires_in).
	TokenLifetime time.Duration // default 24h
	// KeepRefreshTokens disables refresh-token rotation. By default every
	// refresh_token grant returns a new refresh token and invalidates the old one.
	KeepRefreshTokens bool
	// TokenDialect selects the token endpoint TokenURL names: DialectStandard
	// (default), DialectCAM2 or DialectCamStreamer (see dialects.go). The
	// Standard endpoint is always served.
	TokenDialect string
	// RefreshWindow is how long after its first issue a CAM2 token can be
	// refreshed. Default 24h.
	RefreshWindow time.Duration
	// OddExpiresIn makes CAM2 answer "expires in" as a string, so clients
	// must read the expiry from the JWT's exp claim.
	OddExpiresIn bool
}

// Server is a fake HoxtonAi API. Create it with NewServer (listening) or
// NewHandler (bring your own listener). All methods are safe for concurrent use.
type Server struct {
	opts    Options
	handler http.Handler
	ts      *httptest.Server

	// mu guards the object store, the claimed serials and all token state.
	mu     sync.Mutex
	store  map[string]map[string]map[string]any // collection -> id -> object
	claims map[string]bool                      // serial numbers claimed by anyone
	tok    tokenState

	faultMu sync.Mutex
	faults  []*Fault
	latency time.Duration

	logMu    sync.Mutex
	requests []Request
}

// NewServer starts a fake on 127.0.0.1 with httptest. The caller must Close it.
func NewServer(opts Options) *Server {
	s := NewHandler(opts)
	s.ts = httptest.NewServer(s.handler)
	return s
}

// NewHandler builds a fake without starting it; serve (*Server).Handler() with
// your own listener. URL and the derived URLs are empty for such a server.
func NewHandler(opts Options) *Server {
	s := &Server{
		opts:   withDefaults(opts),
		store:  map[string]map[string]map[string]any{},
		claims: map[string]bool{},
		tok:    newTokenState(),
	}
	s.seed()
	s.handler = s.routes()
	return s
}

func withDefaults(o Options) Options {
	if o.OrganisationID == "" {
		o.OrganisationID = DefaultOrganisationID
	}
	if o.OrganisationName == "" {
		o.OrganisationName = DefaultOrganisationName
	}
	if o.Clients == nil {
		o.Clients = []OAuthClient{{ID: DefaultClientID, Secret: DefaultClientSecret}}
	}
	if o.Users == nil {
		o.Users = []User{{Username: DefaultUsername, Password: DefaultPassword}}
	}
	if o.Audience == "" {
		o.Audience = DefaultAudience
	}
	if o.TokenLifetime <= 0 {
		o.TokenLifetime = DefaultTokenLifetime
	}
	if o.TokenDialect == "" {
		o.TokenDialect = DialectStandard
	}
	if o.RefreshWindow <= 0 {
		o.RefreshWindow = DefaultRefreshWindow
	}
	return o
}

// seed puts the configured organisations, clients and users into the store, so
// that the API shows them and the token endpoint authenticates against the same
// records the API changes (PUT /oauth-clients, rotate-secret, DELETE).
func (s *Server) seed() {
	now := timestamp(time.Now())
	addOrg := func(id, name string) {
		if _, ok := s.store["organisations"][id]; ok {
			return
		}
		s.put("organisations", map[string]any{
			"id": id, "name": name, "createdAt": now, "licence": []any{},
			"maxAdminSeats": 5.0, "maxUserSeats": 50.0, "processingGroup": 1.0, "state": "active",
		})
	}
	addOrg(s.opts.OrganisationID, s.opts.OrganisationName)
	for id, name := range s.opts.OtherOrganisations {
		addOrg(id, name)
	}
	orgOr := func(id string) string {
		if id == "" {
			id = s.opts.OrganisationID
		}
		addOrg(id, "Organisation "+id)
		return id
	}
	for _, c := range s.opts.Clients {
		s.put("oauth-clients", map[string]any{
			"clientId": c.ID, "clientSecret": c.Secret, "name": c.ID,
			"organisationId": orgOr(c.OrganisationID), "createdAt": now,
			"grantTypes": []any{"authorization_code", "client_credentials", "password", "refresh_token"},
			"callbacks":  []any{},
		})
	}
	for _, u := range s.opts.Users {
		org := orgOr(u.OrganisationID)
		s.put("users", map[string]any{
			"id": newUserID(), "email": u.Username, "firstName": "Test", "lastName": "User",
			"name": "Test User", "organisationId": org, "organisationName": s.organisationName(org),
			"roles": []any{"admin"}, "siteIds": []any{}, "createdAt": now,
		})
	}
}

// Handler returns the fake's HTTP handler: /oauth/token, /authorize, /healthz
// and everything under /api/v0.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops a server started by NewServer. It is a no-op for NewHandler servers.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

// URL returns the root URL, e.g. http://127.0.0.1:41234, or "" for a server
// built with NewHandler.
func (s *Server) URL() string {
	if s.ts == nil {
		return ""
	}
	return s.ts.URL
}

// APIURL returns the API base URL, URL() + "/api/v0".
func (s *Server) APIURL() string { return s.URL() + apiPrefix }

// TokenURL returns the token endpoint of Options.TokenDialect: URL() +
// "/oauth/token" for Standard (see dialectPaths for the others).
func (s *Server) TokenURL() string { return s.URL() + dialectPaths[s.opts.TokenDialect].token }

// AuthorizeURL returns the authorization endpoint, URL() + "/authorize".
func (s *Server) AuthorizeURL() string { return s.URL() + "/authorize" }

// OrganisationID returns the id of the default organisation.
func (s *Server) OrganisationID() string { return s.opts.OrganisationID }

// routes wires the top-level endpoints. Everything under /api/v0 goes through
// the API middleware (latency, authentication, faults, request log).
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/oauth/token", s.handleToken)
	s.dialectRoutes(mux)
	mux.HandleFunc("/authorize", s.handleAuthorize)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, http.MethodGet, http.MethodHead)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle(apiPrefix+"/", s.apiMiddleware(s.routeAPI))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such path: "+r.URL.Path)
	})
	return mux
}
