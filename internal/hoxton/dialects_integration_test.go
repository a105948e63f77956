package hoxton

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// dialectCase is one token dialect against a fake serving it.
type dialectCase struct {
	dialect string
	// wireRequests names the fake's counters of a first token request and
	// of a refresh.
	first, refresh string
	scheme         string
}

var dialectCases = []dialectCase{
	{hoxtontest.DialectStandard, "client_credentials", "client_credentials", "Bearer"},
	{hoxtontest.DialectCAM2, "cam2", "cam2_refresh", "JWT"},
	{hoxtontest.DialectCamStreamer, "camstreamer_refresh_token", "camstreamer_refresh_token", "Bearer"},
}

// dialectCredentials are working credentials of srv's dialect.
func dialectCredentials(srv *hoxtontest.Server, dialect string) auth.Credentials {
	c := clientCredentials(srv)
	c.Dialect = auth.Dialect(dialect)
	switch dialect {
	case hoxtontest.DialectStandard:
		c.RevocationURL = srv.RevocationURL()
	case hoxtontest.DialectCAM2:
		c.Audience = ""
	case hoxtontest.DialectCamStreamer:
		c.Audience, c.Grant = "", auth.GrantRefreshToken
		c.RefreshToken = srv.IssueRefreshToken("test-client")
		c.RevocationURL = srv.RevocationURL()
	}
	return c
}

// manualClock is a clock the test moves; the fake keeps real time, so moving
// it makes the Source believe its token is older than the server does.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newDialectEnv(t *testing.T, dialect string, opts hoxtontest.Options) (*fakeEnv, *auth.Source, *manualClock) {
	t.Helper()
	opts.TokenDialect = dialect
	e := newFakeEnv(t, opts)
	clk := &manualClock{t: time.Now()}
	e.cache = auth.NewCache(testContext(t, time.Minute), auth.Options{Now: clk.Now})
	src, _ := e.cache.SourceFor("Connection/ns/"+dialect, dialectCredentials(e.srv, dialect), auth.SourceOptions{
		Persist: func(context.Context, auth.Rotation) error { return nil },
	})
	e.c = e.client(t, src)
	return e, src, clk
}

func TestDialectTokenAndHeader(t *testing.T) {
	for _, tc := range dialectCases {
		t.Run(tc.dialect, func(t *testing.T) {
			e, src, _ := newDialectEnv(t, tc.dialect, hoxtontest.Options{})
			ctx := testContext(t, 30*time.Second)
			if _, err := Sites.List(ctx, e.c); err != nil {
				t.Fatalf("ListSites: %v", err)
			}
			if got := src.TokenType(); got != tc.scheme {
				t.Errorf("TokenType = %q, want %q", got, tc.scheme)
			}
			if n := e.srv.TokenRequests(tc.first); n != 1 {
				t.Errorf("token requests %s = %d, want 1", tc.first, n)
			}
			// The fake accepts a token only with its scheme: the same token
			// under the other scheme is refused, so the client's success
			// above proves it sent the right one.
			tok, err := src.AccessToken(ctx)
			if err != nil {
				t.Fatal(err)
			}
			other := "JWT"
			if tc.scheme == "JWT" {
				other = "Bearer"
			}
			if code := rawGet(t, e.srv.APIURL()+"/sites", other+" "+tok); code != http.StatusUnauthorized {
				t.Errorf("%s scheme answered %d, want 401", other, code)
			}
			if code := rawGet(t, e.srv.APIURL()+"/sites", tc.scheme+" "+tok); code != http.StatusOK {
				t.Errorf("%s scheme answered %d, want 200", tc.scheme, code)
			}
		})
	}
}

func rawGet(t *testing.T, url, authorization string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", authorization)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func TestDialectRefreshAheadOfExpiry(t *testing.T) {
	for _, tc := range dialectCases {
		t.Run(tc.dialect, func(t *testing.T) {
			e, src, clk := newDialectEnv(t, tc.dialect, hoxtontest.Options{TokenLifetime: time.Hour})
			ctx := testContext(t, 30*time.Second)
			first, err := src.AccessToken(ctx)
			if err != nil {
				t.Fatal(err)
			}
			before := e.srv.TokenRequests(tc.refresh)
			// 10% of an hour before expiry the Source refreshes, while the
			// old token is still good.
			clk.Advance(55 * time.Minute)
			second, err := src.AccessToken(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if second == first {
				t.Fatal("no new token inside the refresh window")
			}
			if n := e.srv.TokenRequests(tc.refresh) - before; n != 1 {
				t.Errorf("refresh requests (%s) = %d, want 1", tc.refresh, n)
			}
			if !e.srv.AccessTokenValid(first) && tc.dialect != hoxtontest.DialectCamStreamer {
				t.Error("the old token was already invalid: the refresh was not ahead of expiry")
			}
			if _, err := Sites.List(ctx, e.c); err != nil {
				t.Errorf("ListSites with the refreshed token: %v", err)
			}
		})
	}
}

func TestCAM2FallsBackToClientCredentialsAfterTheRefreshWindow(t *testing.T) {
	t.Run("by the client's clock", func(t *testing.T) {
		// A 48h token is refreshed from 24h on (half its lifetime); by
		// then its chain is a day old, so the Source must not send the
		// refresh the fake (whose clock has not moved) would still accept.
		srvOpts := hoxtontest.Options{TokenLifetime: 48 * time.Hour, TokenDialect: hoxtontest.DialectCAM2}
		e := newFakeEnv(t, srvOpts)
		clk := &manualClock{t: time.Now()}
		cache := auth.NewCache(testContext(t, time.Minute), auth.Options{Now: clk.Now, RefreshBefore: 48 * time.Hour})
		src, _ := cache.SourceFor("c", dialectCredentials(e.srv, hoxtontest.DialectCAM2), auth.SourceOptions{})
		ctx := testContext(t, 30*time.Second)
		if _, err := src.AccessToken(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Advance(24*time.Hour + time.Minute)
		if _, err := src.AccessToken(ctx); err != nil {
			t.Fatal(err)
		}
		if r, c := e.srv.TokenRequests("cam2_refresh"), e.srv.TokenRequests("cam2"); r != 0 || c != 2 {
			t.Errorf("after the day: %d refreshes and %d client-credential requests, want 0 and 2", r, c)
		}
	})
	t.Run("refused by the server", func(t *testing.T) {
		e, src, clk := newDialectEnv(t, hoxtontest.DialectCAM2, hoxtontest.Options{TokenLifetime: time.Hour, RefreshWindow: time.Nanosecond})
		ctx := testContext(t, 30*time.Second)
		if _, err := src.AccessToken(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Advance(55 * time.Minute)
		if _, err := src.AccessToken(ctx); err != nil {
			t.Fatalf("AccessToken after a refused refresh: %v", err)
		}
		if r, c := e.srv.TokenRequests("cam2_refresh"), e.srv.TokenRequests("cam2"); r != 1 || c != 2 {
			t.Errorf("refreshes = %d, client-credential requests = %d; want 1 refused refresh then 2", r, c)
		}
		if _, err := Sites.List(ctx, e.c); err != nil {
			t.Errorf("ListSites: %v", err)
		}
	})
}

func TestCAM2ExpiryFromTheJWTWhenExpiresInIsOdd(t *testing.T) {
	_, src, clk := newDialectEnv(t, hoxtontest.DialectCAM2, hoxtontest.Options{TokenLifetime: 3 * time.Hour, OddExpiresIn: true})
	if _, err := src.AccessToken(testContext(t, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	// Without the exp claim the Source would assume one hour.
	if left := src.Expiry().Sub(clk.Now()); left < 2*time.Hour+50*time.Minute || left > 3*time.Hour {
		t.Errorf("expiry in %v, want about 3h (the JWT's exp)", left)
	}
}

func TestCamStreamerErrorAt200IsATokenError(t *testing.T) {
	srv := hoxtontest.NewServer(hoxtontest.Options{TokenDialect: hoxtontest.DialectCamStreamer})
	t.Cleanup(srv.Close)
	creds := dialectCredentials(srv, hoxtontest.DialectCamStreamer)
	creds.RefreshToken = "not-a-refresh-token"
	cache := auth.NewCache(testContext(t, time.Minute), auth.Options{})
	_, err := cache.Source(creds, nil).Token(testContext(t, 30*time.Second))
	var e *auth.Error
	if !errors.As(err, &e) || !auth.IsRejected(err) {
		t.Fatalf("Token error = %v, want a rejection", err)
	}
	if e.StatusCode != http.StatusOK || !strings.Contains(err.Error(), "Invalid refresh token") {
		t.Errorf("error %q (HTTP %d), want the server's message at HTTP 200", err, e.StatusCode)
	}
	if strings.Contains(err.Error(), "not-a-refresh-token") || strings.Contains(err.Error(), "test-secret") {
		t.Errorf("error %q reveals a secret", err)
	}
}

func TestDialectRevocation(t *testing.T) {
	for _, tc := range dialectCases {
		t.Run(tc.dialect, func(t *testing.T) {
			e, src, _ := newDialectEnv(t, tc.dialect, hoxtontest.Options{})
			ctx := testContext(t, 30*time.Second)
			tok, err := src.AccessToken(ctx)
			if err != nil {
				t.Fatal(err)
			}
			err = src.Revoke(ctx)
			if tc.dialect == hoxtontest.DialectCAM2 {
				if !errors.Is(err, auth.ErrRevocationUnsupported) {
					t.Errorf("Revoke = %v, want ErrRevocationUnsupported", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Revoke: %v", err)
			}
			if e.srv.AccessTokenValid(tok) {
				t.Error("the fake still accepts the revoked token")
			}
			if code := rawGet(t, e.srv.APIURL()+"/sites", tc.scheme+" "+tok); code != http.StatusUnauthorized {
				t.Errorf("the revoked token answered %d, want 401", code)
			}
			if _, err := src.AccessToken(ctx); err == nil {
				t.Error("a revoked Source still hands out tokens")
			}
		})
	}
}

func TestDialectSingleFlight(t *testing.T) {
	for _, tc := range dialectCases {
		t.Run(tc.dialect, func(t *testing.T) {
			e, src, _ := newDialectEnv(t, tc.dialect, hoxtontest.Options{})
			e.srv.SetLatency(50 * time.Millisecond)
			ctx := testContext(t, 30*time.Second)
			var wg sync.WaitGroup
			errs := make(chan error, 100)
			for range 100 {
				wg.Go(func() {
					if _, err := src.AccessToken(ctx); err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if n := e.srv.TokenRequests(""); n != 1 {
				t.Errorf("100 concurrent callers sent %d token requests, want 1", n)
			}
		})
	}
}
