package hoxton

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

func TestEveryGrantReachesTheAPI(t *testing.T) {
	tests := []struct {
		name      string
		wireGrant string
		creds     func(srv *hoxtontest.Server) auth.Credentials
		// wantUser is the e-mail GET /users/me answers, "" when the token has no user.
		wantUser string
	}{
		{"client credentials", "client_credentials", clientCredentials, ""},
		{"password", "password", func(srv *hoxtontest.Server) auth.Credentials {
			c := clientCredentials(srv)
			c.Grant, c.Username, c.Password = auth.GrantPassword, "user@example.com", "password"
			return c
		}, "user@example.com"},
		{"refresh token", "refresh_token", func(srv *hoxtontest.Server) auth.Credentials {
			c := clientCredentials(srv)
			c.Grant, c.RefreshToken = auth.GrantRefreshToken, srv.IssueRefreshToken("test-client")
			return c
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newFakeEnv(t, hoxtontest.Options{})
			ctx := testContext(t, time.Minute)
			creds := tt.creds(e.srv)
			rotated := make(chan string, 1)
			c := e.client(t, e.cache.Source(creds, func(rt string) { rotated <- rt }))

			if _, err := Sites.List(ctx, c); err != nil {
				t.Fatalf("ListSites: %v", err)
			}
			if n := e.srv.TokenRequests(tt.wireGrant); n != 1 {
				t.Errorf("token requests with grant %s = %d, want 1", tt.wireGrant, n)
			}
			me, err := c.GetCurrentUser(ctx)
			switch {
			case tt.wantUser == "" && !IsNotFound(err):
				t.Errorf("GetCurrentUser = %+v, %v; want NotFound for a token without a user", me, err)
			case tt.wantUser != "" && (err != nil || me.Email != tt.wantUser):
				t.Errorf("GetCurrentUser = %+v, %v; want %s", me, err, tt.wantUser)
			}
			if creds.Grant != auth.GrantRefreshToken {
				return
			}
			select {
			case rt := <-rotated:
				if rt == "" || rt == creds.RefreshToken {
					t.Errorf("rotated refresh token is empty or unchanged")
				}
			case <-ctx.Done():
				t.Fatal("the rotated refresh token never reached the callback")
			}
		})
	}
}

func TestConcurrentCallsOnColdCacheShareOneToken(t *testing.T) {
	e := newFakeEnv(t, hoxtontest.Options{})
	ctx := testContext(t, time.Minute)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Go(func() {
			if _, err := Sites.List(ctx, e.c); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent call: %v", err)
	}
	if n := e.srv.TokenRequests(""); n != 1 {
		t.Errorf("token requests = %d, want exactly 1", n)
	}
	if n := e.srv.CountRequests(http.MethodGet, "/sites"); n != 100 {
		t.Errorf("API requests = %d, want 100", n)
	}
}

func TestRevokedTokenIsRefreshedAndRetriedOnce(t *testing.T) {
	e := newFakeEnv(t, hoxtontest.Options{})
	ctx := testContext(t, time.Minute)
	if _, err := Sites.List(ctx, e.c); err != nil {
		t.Fatal(err)
	}
	e.srv.RevokeAllTokens()
	e.srv.ResetRequests()
	before := e.srv.TokenRequests("")

	if _, err := Sites.List(ctx, e.c); err != nil {
		t.Fatalf("call after revocation: %v", err)
	}
	if n := e.srv.TokenRequests("") - before; n != 1 {
		t.Errorf("token requests after revocation = %d, want 1", n)
	}
	var statuses []int
	for _, r := range e.srv.Requests() {
		statuses = append(statuses, r.Status)
	}
	if len(statuses) != 2 || statuses[0] != http.StatusUnauthorized || statuses[1] != http.StatusOK {
		t.Errorf("API answers = %v, want [401 200]", statuses)
	}
}

func TestCircuitBreakerOpensAndNewCredentialsRecover(t *testing.T) {
	e := newFakeEnv(t, hoxtontest.Options{})
	ctx := testContext(t, time.Minute)
	if _, err := Sites.List(ctx, e.c); err != nil {
		t.Fatal(err)
	}
	// The secret changes server-side and the cached token stops working.
	e.srv.SetClientSecret("test-client", "new-secret")
	e.srv.RevokeAllTokens()

	var err error
	for i := 0; i < 10 && !auth.IsCircuitOpen(err); i++ {
		_, err = Sites.List(ctx, e.c)
		if !IsAuth(err) {
			t.Fatalf("call %d with a revoked secret = %v, want Auth", i, err)
		}
	}
	if !auth.IsCircuitOpen(err) {
		t.Fatalf("circuit still closed after repeated rejections: %v", err)
	}
	tokensBefore, apiBefore := e.srv.TokenRequests(""), len(e.srv.Requests())
	for range 5 {
		if _, err := Sites.List(ctx, e.c); !IsAuth(err) || !auth.IsCircuitOpen(err) {
			t.Fatalf("call with an open circuit = %v, want a fast Auth failure", err)
		}
	}
	if n := e.srv.TokenRequests("") - tokensBefore; n != 0 {
		t.Errorf("open circuit sent %d token requests", n)
	}
	if n := len(e.srv.Requests()) - apiBefore; n != 0 {
		t.Errorf("open circuit sent %d API requests", n)
	}

	creds := clientCredentials(e.srv)
	creds.ClientSecret = "new-secret"
	if _, err := Sites.List(ctx, e.client(t, e.cache.Source(creds, nil))); err != nil {
		t.Errorf("call with the new secret: %v", err)
	}
}

func TestRetryAfterIsHonouredAcrossCalls(t *testing.T) {
	e := newFakeEnv(t, hoxtontest.Options{})
	ctx := testContext(t, time.Minute)
	if _, err := Sites.List(ctx, e.c); err != nil { // warm the token cache
		t.Fatal(err)
	}
	e.srv.AddFault(hoxtontest.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second, Count: 1})

	_, err := Sites.List(ctx, e.c)
	if ra, ok := RetryAfter(err); !IsThrottled(err) || !ok || ra != time.Second {
		t.Fatalf("throttled call = %v (RetryAfter %v, %v), want Throttled with 1s", err, ra, ok)
	}
	end := e.budget.PausedUntil()
	if time.Until(end) <= 0 {
		t.Fatal("budget not paused by Retry-After")
	}
	if _, err := Sites.List(ctx, e.c); err != nil {
		t.Fatalf("call after the pause: %v", err)
	}
	reqs := e.srv.Requests()
	if last := reqs[len(reqs)-1]; last.Time.Before(end) {
		t.Errorf("next request reached the server at %v, before the pause ended at %v", last.Time, end)
	}
}

// TestTokensNeverInErrors checks that neither the access token nor the client secret
// appears in the error texts of a failed call.
func TestTokensNeverInErrors(t *testing.T) {
	e := newFakeEnv(t, hoxtontest.Options{})
	ctx := testContext(t, time.Minute)
	src := e.cache.Source(clientCredentials(e.srv), nil)
	tok, err := src.AccessToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e.srv.AddFault(hoxtontest.Fault{Status: http.StatusInternalServerError, Count: 1})
	_, apiErr := Sites.Get(ctx, e.client(t, src), "00000000-0000-4000-8000-000000000000")
	e.srv.SetClientSecret("test-client", "changed")
	e.srv.RevokeAllTokens()
	_, authErr := Sites.List(ctx, e.client(t, src))
	for _, err := range []error{apiErr, authErr} {
		if err == nil {
			t.Fatal("want an error")
		}
		for _, secret := range []string{tok, "test-secret"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q contains a secret", err)
			}
		}
	}
}
