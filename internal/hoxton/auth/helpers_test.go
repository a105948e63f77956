package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// Secrets used by the tests; leak tests look for them in every output.
const (
	testClientSecret = "s3cr3t-client-XYZ"
	testPassword     = "pa55word-XYZ"
	testRefreshToken = "rt-0-secret-XYZ"
	testAudience     = "https://api.hoxton.cloud"
)

// reply scripts one answer of the token endpoint. The zero reply is a
// successful JSON token response.
type reply struct {
	status     int    // default 200
	code       string // OAuth2 error code
	desc       string // error_description
	raw        string // raw body instead of JSON
	refresh    string // refresh_token in a success
	expiresIn  int    // default 3600
	form       bool   // answer form-encoded instead of JSON
	retryAfter string
}

// endpoint is a small scriptable OAuth2 token endpoint. Access tokens are
// "tok-N" for the N-th request (1-based).
type endpoint struct {
	srv     *httptest.Server
	arrived chan struct{} // one value per request, sent before hold is awaited

	mu        sync.Mutex
	forms     []url.Values
	headers   []http.Header
	script    []reply
	hold      chan struct{} // if non-nil, requests wait until it is closed
	cancelled bool          // a request's context was cancelled while held
}

func newEndpoint(t *testing.T, script ...reply) *endpoint {
	t.Helper()
	e := &endpoint{script: script, arrived: make(chan struct{}, 1000)}
	e.srv = httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *endpoint) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost ||
		r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		http.Error(w, "want a form POST", http.StatusUnsupportedMediaType)
		return
	}
	e.mu.Lock()
	e.forms = append(e.forms, r.PostForm)
	e.headers = append(e.headers, r.Header.Clone())
	n := len(e.forms)
	rep := reply{}
	if n <= len(e.script) {
		rep = e.script[n-1]
	}
	hold := e.hold
	e.mu.Unlock()
	e.arrived <- struct{}{}
	if hold != nil {
		<-hold
		if r.Context().Err() != nil {
			e.mu.Lock()
			e.cancelled = true
			e.mu.Unlock()
		}
	}
	write(w, n, rep)
}

func write(w http.ResponseWriter, n int, rep reply) {
	if rep.retryAfter != "" {
		w.Header().Set("Retry-After", rep.retryAfter)
	}
	status := rep.status
	if status == 0 {
		status = http.StatusOK
	}
	if rep.raw != "" {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		fmt.Fprint(w, rep.raw)
		return
	}
	body := map[string]any{}
	if rep.code != "" {
		body["error"] = rep.code
		body["error_description"] = rep.desc
	} else if status == http.StatusOK {
		exp := rep.expiresIn
		if exp == 0 {
			exp = 3600
		}
		body["access_token"] = fmt.Sprintf("tok-%d", n)
		body["token_type"] = "Bearer"
		body["expires_in"] = exp
		if rep.refresh != "" {
			body["refresh_token"] = rep.refresh
		}
	}
	if rep.form {
		v := url.Values{}
		for k, x := range body {
			v.Set(k, fmt.Sprint(x))
		}
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
		w.WriteHeader(status)
		fmt.Fprint(w, v.Encode())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (e *endpoint) url() string { return e.srv.URL + "/oauth/token" }

func (e *endpoint) requests() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.forms)
}

func (e *endpoint) form(i int) url.Values {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.forms[i]
}

// clock is a manually advanced clock for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func clientCreds(e *endpoint) Credentials {
	return Credentials{
		Grant: GrantClientCredentials, TokenURL: e.url(), Audience: testAudience,
		ClientID: "client-1", ClientSecret: testClientSecret,
	}
}

func newTestCache(t *testing.T, clk *clock, opts Options) *Cache {
	t.Helper()
	if clk != nil {
		opts.Now = clk.Now
	}
	return NewCache(t.Context(), opts)
}

// mustToken calls Token and fails the test on error.
func mustToken(t *testing.T, s *Source) string {
	t.Helper()
	tok, err := s.Token(context.Background())
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	return tok.AccessToken
}

func kindOf(err error) ErrorKind {
	if e, ok := err.(*Error); ok {
		return e.Kind
	}
	return ""
}
