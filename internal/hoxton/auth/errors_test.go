package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"golang.org/x/oauth2"
)

func TestErrorClassification(t *testing.T) {
	tests := []struct {
		name       string
		reply      reply
		wantKind   ErrorKind
		wantStatus int
		wantCode   string
	}{
		{"invalid_grant", reply{status: 400, code: "invalid_grant", desc: "Wrong email or password."}, KindRejected, 400, "invalid_grant"},
		{"invalid_client", reply{status: 401, code: "invalid_client"}, KindRejected, 401, "invalid_client"},
		{"unauthorized_client", reply{status: 400, code: "unauthorized_client"}, KindRejected, 400, "unauthorized_client"},
		{"access_denied", reply{status: 403, code: "access_denied"}, KindRejected, 403, "access_denied"},
		{"401 without body", reply{status: 401, raw: "nope"}, KindRejected, 401, ""},
		{"other 4xx does not retry forever", reply{status: 400, code: "invalid_request"}, KindRejected, 400, "invalid_request"},
		{"429", reply{status: 429, raw: "slow down"}, KindUnavailable, 429, ""},
		{"500", reply{status: 500, raw: "oops"}, KindUnavailable, 500, ""},
		{"503 with OAuth2 code", reply{status: 503, code: "temporarily_unavailable"}, KindUnavailable, 503, "temporarily_unavailable"},
		{"200 without access token", reply{status: 200, raw: "<html>portal</html>"}, KindUnavailable, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := newEndpoint(t, tt.reply)
			_, err := newTestCache(t, nil, Options{}).Source(clientCreds(ep), nil).Token(context.Background())
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if e.Kind != tt.wantKind || e.StatusCode != tt.wantStatus || e.Code != tt.wantCode {
				t.Errorf("got kind %q status %d code %q, want %q %d %q", e.Kind, e.StatusCode, e.Code, tt.wantKind, tt.wantStatus, tt.wantCode)
			}
			if IsRejected(err) != (tt.wantKind == KindRejected) || IsUnavailable(err) != (tt.wantKind == KindUnavailable) {
				t.Errorf("IsRejected = %v, IsUnavailable = %v for kind %q", IsRejected(err), IsUnavailable(err), e.Kind)
			}
			if tt.wantStatus != 0 {
				var re *oauth2.RetrieveError
				if !errors.As(err, &re) || re.Response.StatusCode != tt.wantStatus {
					t.Errorf("underlying *oauth2.RetrieveError missing or wrong: %v", re)
				}
			}
			if tt.reply.desc != "" && !strings.Contains(err.Error(), tt.reply.desc) {
				t.Errorf("error %q lacks the server's description", err)
			}
		})
	}

	t.Run("network error", func(t *testing.T) {
		ep := newEndpoint(t)
		ep.srv.Close()
		_, err := newTestCache(t, nil, Options{}).Source(clientCreds(ep), nil).Token(context.Background())
		if !IsUnavailable(err) {
			t.Errorf("error %v, want Unavailable", err)
		}
	})
}

func TestUnavailableBackoff(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
		wait1      time.Duration // quiet period after the first failure
		wait2      time.Duration // and after the second
	}{
		{"exponential from one second", "", time.Second, 2 * time.Second},
		{"Retry-After seconds", "120", 2 * time.Minute, 2 * time.Minute},
		// The date lies 5 minutes after the first failure; at the second it
		// has passed, so the exponential backoff applies again.
		{"Retry-After date", "Fri, 02 Jan 2026 03:09:05 GMT", 5 * time.Minute, 2 * time.Second},
		{"Retry-After capped", "999999", maxRetryAfter, maxRetryAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fail := reply{status: 503, raw: "maintenance", retryAfter: tt.retryAfter}
			ep := newEndpoint(t, fail, fail)
			clk := newClock()
			s := newTestCache(t, clk, Options{}).Source(clientCreds(ep), nil)
			for i, st := range []struct {
				advance      time.Duration
				wantErr      bool
				wantRequests int
			}{
				{0, true, 1},
				{tt.wait1 - time.Millisecond, true, 1}, // still backing off: no request
				{time.Millisecond, true, 2},
				{tt.wait2 - time.Millisecond, true, 2},
				{time.Millisecond, false, 3},
			} {
				clk.Advance(st.advance)
				_, err := s.Token(context.Background())
				if (err != nil) != st.wantErr || (err != nil && !IsUnavailable(err)) {
					t.Fatalf("step %d: err = %v, want error %v", i, err, st.wantErr)
				}
				if r := ep.requests(); r != st.wantRequests {
					t.Fatalf("step %d: requests = %d, want %d", i, r, st.wantRequests)
				}
			}
		})
	}
}

func TestFormEncodedResponse(t *testing.T) {
	ep := newEndpoint(t, reply{form: true, expiresIn: 600})
	clk := newClock()
	s := newTestCache(t, clk, Options{}).Source(clientCreds(ep), nil)
	if tok := mustToken(t, s); tok != "tok-1" {
		t.Fatalf("token = %q", tok)
	}
	if want := clk.Now().Add(600 * time.Second); !s.Expiry().Equal(want) {
		t.Errorf("Expiry = %v, want %v", s.Expiry(), want)
	}
}

func TestMetrics(t *testing.T) {
	ep := newEndpoint(t, reply{}, reply{status: 401}, reply{status: 503})
	cache := newTestCache(t, nil, Options{})
	count := func(result string) float64 {
		return testutil.ToFloat64(tokenRequests.WithLabelValues(string(GrantClientCredentials), string(DialectStandard), result))
	}
	before := map[string]float64{}
	for _, r := range []string{resultSuccess, resultRejected, resultUnavailable} {
		before[r] = count(r)
	}
	s := cache.Source(clientCreds(ep), nil)
	s.Invalidate(mustToken(t, s))
	_, _ = s.Token(context.Background())
	_, _ = s.Token(context.Background())
	for _, r := range []string{resultSuccess, resultRejected, resultUnavailable} {
		if got := count(r) - before[r]; got != 1 {
			t.Errorf("%s: counted %v, want 1", r, got)
		}
	}
	if again := registerCounter(tokenRequests); again != tokenRequests {
		t.Error("registering twice did not reuse the registered collector")
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := map[string]time.Duration{
		"":     0,
		"30":   30 * time.Second,
		"-5":   0,
		"soon": 0,
		now.Add(time.Minute).UTC().Format(http.TimeFormat):  time.Minute,
		now.Add(-time.Minute).UTC().Format(http.TimeFormat): 0,
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			if got := parseRetryAfter(in, now); got != want {
				t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
			}
		})
	}
}
