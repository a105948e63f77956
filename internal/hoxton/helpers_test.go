package hoxton

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

const testOrg = "0b0e5a52-6f0a-4c55-9a51-3b1f2f6d7a10"

// fakeTokens is a function-field fake TokenSource that also records calls.
type fakeTokens struct {
	AccessTokenFunc func(ctx context.Context) (string, error)

	mu          sync.Mutex
	calls       int
	invalidated []string
	rejected    []string
}

func (f *fakeTokens) AccessToken(ctx context.Context) (string, error) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	return f.AccessTokenFunc(ctx)
}

func (f *fakeTokens) Invalidate(tok string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.invalidated = append(f.invalidated, tok)
}

func (f *fakeTokens) ReportRejected(tok string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rejected = append(f.rejected, tok)
}

// sequence returns an AccessTokenFunc handing out the given tokens in order, then the
// last one forever.
func sequence(tokens ...string) func(context.Context) (string, error) {
	var mu sync.Mutex
	i := 0
	return func(context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		tok := tokens[min(i, len(tokens)-1)]
		i++
		return tok, nil
	}
}

// recorded is one request seen by a test server.
type recorded struct {
	Method, Path, Query, Auth, ContentType string
	Body                                   []byte
}

// testServer is an httptest server that records requests and answers with handle.
type testServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

func newTestServer(t *testing.T, handle http.HandlerFunc) *testServer {
	t.Helper()
	ts := &testServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts.mu.Lock()
		ts.reqs = append(ts.reqs, recorded{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery,
			Auth: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type"), Body: body})
		ts.mu.Unlock()
		handle(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *testServer) requests() []recorded {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]recorded(nil), ts.reqs...)
}

// newTestClient returns a client for ts acting for testOrg.
func newTestClient(t *testing.T, ts *testServer, tokens TokenSource, budget *Budget) *Client {
	t.Helper()
	c, err := New(Config{BaseURL: ts.URL + "/api/v0", OrganisationID: testOrg, Tokens: tokens, Budget: budget})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// reply writes status with a JSON body (none when body is nil) and optional headers.
func reply(status int, body any, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		if body == nil {
			w.WriteHeader(status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	}
}

// errBody is the service's error body.
func errBody(status int, msg string) map[string]any {
	return map[string]any{"code": status, "message": msg}
}

// testContext returns a context that ends with the test or after d.
func testContext(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// fakeEnv is the client wired to a fake server over real HTTP with real tokens.
type fakeEnv struct {
	srv    *hoxtontest.Server
	cache  *auth.Cache
	budget *Budget
	// http is the API transport of every client of the env (nil = default).
	http *http.Client
	c    *Client
}

// clientCredentials returns the fake's default client-credentials grant.
func clientCredentials(srv *hoxtontest.Server) auth.Credentials {
	return auth.Credentials{Grant: auth.GrantClientCredentials, TokenURL: srv.TokenURL(),
		Audience: "https://api.hoxton.cloud", ClientID: "test-client", ClientSecret: "test-secret"}
}

func newFakeEnv(t *testing.T, opts hoxtontest.Options) *fakeEnv {
	t.Helper()
	return newFakeEnvWith(t, hoxtontest.NewServer(opts), nil)
}

// newFakeEnvWith wires a client to srv, sending API requests through httpClient.
func newFakeEnvWith(t *testing.T, srv *hoxtontest.Server, httpClient *http.Client) *fakeEnv {
	t.Helper()
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e := &fakeEnv{srv: srv, cache: auth.NewCache(ctx, auth.Options{}), budget: NewBudget(0, 1), http: httpClient}
	e.c = e.client(t, e.cache.Source(clientCredentials(srv), nil))
	return e
}

// client returns a client of the fake's organisation using tokens and the env's budget.
func (e *fakeEnv) client(t *testing.T, tokens TokenSource) *Client {
	t.Helper()
	c, err := New(Config{BaseURL: e.srv.APIURL(), OrganisationID: e.srv.OrganisationID(), Tokens: tokens,
		Budget: e.budget, HTTPClient: e.http})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
