package auth

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func refreshCreds(ep *endpoint) Credentials {
	return Credentials{
		Grant: GrantRefreshToken, TokenURL: ep.url(), Audience: testAudience,
		ClientID: "cli", ClientSecret: testClientSecret, RefreshToken: testRefreshToken,
	}
}

// TestRotationSavedBeforeTheTokenIsHandedOut: no caller sees the access token of a
// rotation before Persist has returned; a failing Persist is retried until it works,
// callers keep the previous token meanwhile, and PersistError and the metrics say so.
func TestRotationSavedBeforeTheTokenIsHandedOut(t *testing.T) {
	ep := newEndpoint(t, reply{refresh: "rt-1"}, reply{refresh: "rt-2"})
	clk := newClock()
	cache := newTestCache(t, clk, Options{})
	var saved atomic.Value
	var failures atomic.Int32
	failing := atomic.Bool{}
	persist := func(_ context.Context, r Rotation) error {
		if failing.Load() {
			failures.Add(1)
			return errors.New("the Secret write was refused")
		}
		saved.Store(r)
		return nil
	}
	s, _ := cache.SourceFor("conn", refreshCreds(ep), SourceOptions{Persist: persist})
	if got := mustToken(t, s); got != "tok-1" {
		t.Fatalf("first token %q", got)
	}
	if r, _ := saved.Load().(Rotation); r.RefreshToken != "rt-1" || r.Previous != testRefreshToken {
		t.Fatalf("saved %+v before handing out tok-1, want rt-1 replacing the seed", r)
	}

	failing.Store(true)
	unsaved := testutil.ToFloat64(unsavedRotations)
	failedBefore := testutil.ToFloat64(persistFailures.WithLabelValues(string(DialectStandard)))
	clk.Advance(3300 * time.Second) // inside the refresh window of tok-1, before its expiry
	tok, err := s.Token(context.Background())
	if err != nil || tok.AccessToken != "tok-1" {
		t.Fatalf("Token while the save fails = %v, %v; want the still valid tok-1", tok, err)
	}
	waitUntil(t, "PersistError set", func() bool { return s.PersistError() != nil })
	if got := testutil.ToFloat64(unsavedRotations) - unsaved; got != 1 {
		t.Errorf("hoxton_refresh_tokens_unsaved rose by %v, want 1", got)
	}
	if got := testutil.ToFloat64(persistFailures.WithLabelValues(string(DialectStandard))) - failedBefore; got < 1 {
		t.Errorf("hoxton_refresh_token_save_failures_total rose by %v, want >= 1", got)
	}
	if ep.requests() != 2 {
		t.Fatalf("%d token requests, want 2: a pending save must not cause more", ep.requests())
	}
	failing.Store(false)
	waitUntil(t, "the retried save", func() bool { r, _ := saved.Load().(Rotation); return r.RefreshToken == "rt-2" })
	waitUntil(t, "the new token handed out", func() bool { return mustToken(t, s) == "tok-2" })
	if s.PersistError() != nil {
		t.Errorf("PersistError = %v after the save worked", s.PersistError())
	}
	if got := testutil.ToFloat64(unsavedRotations) - unsaved; got != 0 {
		t.Errorf("hoxton_refresh_tokens_unsaved is %v above its start after the save", got)
	}
	if err := cache.Flush(context.Background()); err != nil {
		t.Errorf("Flush: %v", err)
	}
}

// TestPreviousRefreshTokenTriedOnce: a saved refresh token the server refuses (the
// rotation never completed there) is followed by one try of the one it replaced.
func TestPreviousRefreshTokenTriedOnce(t *testing.T) {
	ep := newEndpoint(t, reply{status: 400, code: "invalid_grant"}, reply{refresh: "rt-9"})
	creds := refreshCreds(ep)
	creds.RefreshToken, creds.PreviousRefreshToken = "rt-unknown-to-the-server", testRefreshToken
	var saved atomic.Value
	s, _ := newTestCache(t, nil, Options{}).SourceFor("conn", creds, SourceOptions{
		Persist: func(_ context.Context, r Rotation) error { saved.Store(r); return nil },
	})
	if got := mustToken(t, s); got != "tok-2" {
		t.Fatalf("token %q, want tok-2", got)
	}
	if a, b := ep.form(0).Get("refresh_token"), ep.form(1).Get("refresh_token"); a != "rt-unknown-to-the-server" || b != testRefreshToken {
		t.Errorf("sent %q then %q, want the saved token then the previous one", a, b)
	}
	if r, _ := saved.Load().(Rotation); r.RefreshToken != "rt-9" || r.Previous != testRefreshToken {
		t.Errorf("saved %+v, want rt-9 replacing the previous token", r)
	}
}

// TestOneSourcePerOwner: two owners with the same credentials get their own Sources
// (a leaked copy of one Connection's refresh token in another Connection gets nothing
// from the cache), a rotated owner continues with its current or previous refresh
// token, and other credentials replace its Source, which Forget also hands back.
func TestOneSourcePerOwner(t *testing.T) {
	ep := newEndpoint(t, reply{refresh: "rt-1"})
	cache := newTestCache(t, nil, Options{})
	noop := SourceOptions{Persist: func(context.Context, Rotation) error { return nil }}
	a, _ := cache.SourceFor("a", refreshCreds(ep), noop)
	mustToken(t, a)
	b, _ := cache.SourceFor("b", refreshCreds(ep), noop)
	if a == b {
		t.Fatal("two owners share a Source")
	}
	if _, err := b.Token(context.Background()); err == nil && ep.requests() < 2 {
		t.Error("the second owner got a token without asking the server")
	}
	for _, rt := range []string{"rt-1", testRefreshToken} {
		next := refreshCreds(ep)
		next.RefreshToken = rt
		if got, replaced := cache.SourceFor("a", next, noop); got != a || replaced != nil {
			t.Errorf("refresh token %s: a new Source, want the owner's (continued)", rt)
		}
	}
	other := refreshCreds(ep)
	other.RefreshToken = "a-new-login"
	got, replaced := cache.SourceFor("a", other, noop)
	if got == a || replaced != a {
		t.Error("new credentials did not replace the owner's Source")
	}
	if cache.Forget("a") != got || cache.Forget("a") != nil {
		t.Error("Forget did not hand back and drop the owner's Source")
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
