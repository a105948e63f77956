package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestSingleFlight(t *testing.T) {
	t.Run("100 concurrent callers on a cold source make one request", func(t *testing.T) {
		ep := newEndpoint(t)
		ep.hold = make(chan struct{})
		s := newTestCache(t, newClock(), Options{}).Source(clientCreds(ep), nil)

		const n = 100
		got := make(chan string, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				tok, err := s.Token(context.Background())
				if err != nil {
					t.Errorf("Token: %v", err)
					return
				}
				got <- tok.AccessToken
			})
		}
		<-ep.arrived
		close(ep.hold)
		wg.Wait()
		close(got)
		for tok := range got {
			if tok != "tok-1" {
				t.Errorf("token = %q, want tok-1", tok)
			}
		}
		if r := ep.requests(); r != 1 {
			t.Errorf("requests = %d, want 1", r)
		}
	})

	t.Run("a caller whose ctx ends stops waiting; the fetch fills the cache", func(t *testing.T) {
		ep := newEndpoint(t)
		ep.hold = make(chan struct{})
		s := newTestCache(t, newClock(), Options{}).Source(clientCreds(ep), nil)

		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() {
			_, err := s.Token(ctx)
			errc <- err
		}()
		<-ep.arrived // the caller started the shared request
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("Token error = %v, want context.Canceled", err)
		}
		close(ep.hold)
		if tok := mustToken(t, s); tok != "tok-1" {
			t.Errorf("token = %q, want tok-1", tok)
		}
		if r := ep.requests(); r != 1 {
			t.Errorf("requests = %d, want 1", r)
		}
		ep.mu.Lock()
		defer ep.mu.Unlock()
		if ep.cancelled {
			t.Error("the token request was cancelled with the caller's context")
		}
	})
}

func TestRefreshAhead(t *testing.T) {
	tests := []struct {
		name          string
		expiresIn     int
		refreshBefore time.Duration
		wantWindow    time.Duration
	}{
		{"default is 10% of the lifetime", 3600, 0, 6 * time.Minute},
		{"default is at most 10 minutes", 86400, 0, 10 * time.Minute},
		{"explicit window", 3600, 20 * time.Minute, 20 * time.Minute},
		{"window capped at half the lifetime", 3600, 5 * time.Hour, 30 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := newEndpoint(t, reply{expiresIn: tt.expiresIn}, reply{expiresIn: tt.expiresIn})
			clk := newClock()
			s := newTestCache(t, clk, Options{RefreshBefore: tt.refreshBefore}).Source(clientCreds(ep), nil)
			start := clk.Now()
			if tok := mustToken(t, s); tok != "tok-1" {
				t.Fatalf("token = %q, want tok-1", tok)
			}
			life := time.Duration(tt.expiresIn) * time.Second
			if got := s.Expiry(); !got.Equal(start.Add(life)) {
				t.Errorf("Expiry = %v, want %v", got, start.Add(life))
			}
			clk.Advance(life - tt.wantWindow - time.Second)
			if tok := mustToken(t, s); tok != "tok-1" || ep.requests() != 1 {
				t.Fatalf("before the window: token %q after %d requests, want tok-1 after 1", tok, ep.requests())
			}
			clk.Advance(time.Second)
			if tok := mustToken(t, s); tok != "tok-2" {
				t.Fatalf("inside the window: token = %q, want tok-2", tok)
			}
			if r := ep.requests(); r != 2 {
				t.Errorf("requests = %d, want 2", r)
			}
		})
	}
}

func TestFailedRefreshKeepsValidToken(t *testing.T) {
	tests := []struct {
		name  string
		reply reply
	}{
		{"unavailable", reply{status: 503}},
		{"rejected", reply{status: 400, code: "invalid_client"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := newEndpoint(t, reply{}, tt.reply, tt.reply, tt.reply, tt.reply)
			clk := newClock()
			s := newTestCache(t, clk, Options{}).Source(clientCreds(ep), nil)
			mustToken(t, s)
			clk.Advance(55 * time.Minute) // inside the 6 minute window
			if tok := mustToken(t, s); tok != "tok-1" {
				t.Errorf("token = %q, want the still valid tok-1", tok)
			}
			if ep.requests() != 2 {
				t.Errorf("requests = %d, want 2 (a refresh was attempted)", ep.requests())
			}
			clk.Advance(5 * time.Minute) // past expiry
			if _, err := s.Token(context.Background()); err == nil {
				t.Error("Token after expiry succeeded, want an error")
			}
		})
	}
}

func TestInvalidate(t *testing.T) {
	ep := newEndpoint(t)
	s := newTestCache(t, newClock(), Options{}).Source(clientCreds(ep), nil)
	steps := []struct {
		name         string
		invalidate   string
		wantToken    string
		wantRequests int
	}{
		{"cold fetch", "", "tok-1", 1},
		{"unknown token is ignored", "tok-x", "tok-1", 1},
		{"cached token is dropped", "tok-1", "tok-2", 2},
		{"stale 401 does not drop the newer token", "tok-1", "tok-2", 2},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			s.Invalidate(st.invalidate)
			if tok := mustToken(t, s); tok != st.wantToken {
				t.Errorf("token = %q, want %q", tok, st.wantToken)
			}
			if r := ep.requests(); r != st.wantRequests {
				t.Errorf("requests = %d, want %d", r, st.wantRequests)
			}
		})
	}
}

func TestRefreshTokenRotation(t *testing.T) {
	ep := newEndpoint(t, reply{refresh: "rt-1"}, reply{}, reply{refresh: "rt-3"})
	cache := newTestCache(t, newClock(), Options{})
	creds := Credentials{
		Grant: GrantRefreshToken, TokenURL: ep.url(), Audience: testAudience,
		ClientID: "cli", RefreshToken: testRefreshToken,
	}
	rotated := make(chan string, 10)
	s := cache.Source(creds, func(rt string) { rotated <- rt })

	wantSent := []string{testRefreshToken, "rt-1", "rt-1"}
	wantRotations := []string{"rt-1", "", "rt-3"}
	for i := range wantSent {
		if i > 0 {
			s.Invalidate(mustToken(t, s))
		}
		mustToken(t, s)
		if got := ep.form(i).Get("refresh_token"); got != wantSent[i] {
			t.Errorf("request %d sent refresh_token %q, want %q", i+1, got, wantSent[i])
		}
		if wantRotations[i] == "" {
			continue
		}
		// Rotations are delivered in order, so a duplicate or a call for
		// the response without refresh token would show up here.
		if got := <-rotated; got != wantRotations[i] {
			t.Errorf("onRotate got %q, want %q", got, wantRotations[i])
		}
		next := creds
		next.RefreshToken = wantRotations[i]
		if cache.Source(next, nil) != s {
			t.Errorf("Source(credentials with %s) is a different Source", wantRotations[i])
		}
	}
	// The rotated-away refresh token is forgotten: presenting it (a leaked
	// copy) gets a new Source, which has no token to hand out.
	if cache.Source(creds, nil) == s {
		t.Error("Source(original credentials) is still the rotated Source: the replaced refresh token still gets its tokens")
	}
	if n := cache.Len(); n != 1 {
		t.Errorf("Len = %d, want 1", n)
	}
	if len(rotated) != 0 {
		t.Errorf("unexpected extra rotation %q", <-rotated)
	}
}
