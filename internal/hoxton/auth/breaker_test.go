package auth

import (
	"context"
	"testing"
	"time"
)

// step is one action against a Source in a breaker scenario.
type step struct {
	op   string        // token, report, invalidate, advance
	d    time.Duration // for advance
	want ErrorKind     // for token: "" means success
}

func tok(want ErrorKind) step { return step{op: "token", want: want} }

var (
	ok         = tok("")
	rejected   = tok(KindRejected)
	openErr    = tok(KindCircuitOpen)
	report     = step{op: "report"}
	invalidate = step{op: "invalidate"}
)

func advance(d time.Duration) step { return step{op: "advance", d: d} }

func TestCircuitBreaker(t *testing.T) {
	const cooldown = 15 * time.Minute
	reject := reply{status: 400, code: "invalid_grant", desc: "revoked"}
	unavailable := reply{status: 503}
	tests := []struct {
		name         string
		script       []reply
		steps        []step
		wantOpen     bool
		wantRequests int
	}{{
		name:         "threshold endpoint rejections open it and it fails fast",
		script:       []reply{reject, reject, reject},
		steps:        []step{rejected, rejected, rejected, openErr, openErr},
		wantOpen:     true,
		wantRequests: 3,
	}, {
		name:         "a success resets the count",
		script:       []reply{reject, reject, {}, reject, reject},
		steps:        []step{rejected, rejected, ok, invalidate, rejected, rejected, ok},
		wantRequests: 6,
	}, {
		name:         "unavailable does not count",
		script:       []reply{unavailable, unavailable, unavailable, unavailable},
		steps:        []step{tok(KindUnavailable), advance(time.Minute), tok(KindUnavailable), advance(time.Minute), tok(KindUnavailable), advance(time.Minute), tok(KindUnavailable), advance(time.Minute), ok},
		wantRequests: 5,
	}, {
		name:         "tokens the API rejects open it despite successful fetches",
		steps:        []step{ok, report, ok, report, ok, report, openErr},
		wantOpen:     true,
		wantRequests: 3,
	}, {
		name:         "one token reported many times counts once",
		steps:        []step{ok, report, report, report, ok},
		wantRequests: 2,
	}, {
		name:         "rejections at the endpoint and by the API add up",
		script:       []reply{{}, {}, reject},
		steps:        []step{ok, report, ok, report, rejected, openErr},
		wantOpen:     true,
		wantRequests: 3,
	}, {
		name:         "half-open: no probe before the cooldown, a successful probe closes",
		script:       []reply{reject, reject, reject, {}},
		steps:        []step{rejected, rejected, rejected, advance(cooldown - time.Second), openErr, advance(time.Second), ok, ok},
		wantRequests: 4,
	}, {
		name:         "half-open: a rejected probe re-opens for another cooldown",
		script:       []reply{reject, reject, reject, reject},
		steps:        []step{rejected, rejected, rejected, advance(cooldown), rejected, openErr, advance(cooldown - time.Second), openErr},
		wantOpen:     true,
		wantRequests: 4,
	}, {
		name:         "half-open: a probe token the API rejects re-opens at once",
		steps:        []step{ok, report, ok, report, ok, report, advance(cooldown), ok, report, openErr},
		wantOpen:     true,
		wantRequests: 4,
	}, {
		name:         "an unavailable probe leaves it half-open",
		script:       []reply{reject, reject, reject, unavailable, {}},
		steps:        []step{rejected, rejected, rejected, advance(cooldown), tok(KindUnavailable), advance(time.Second), ok},
		wantRequests: 5,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := newEndpoint(t, tt.script...)
			clk := newClock()
			s := newTestCache(t, clk, Options{BreakerCooldown: cooldown}).Source(clientCreds(ep), nil)
			last := ""
			for i, st := range tt.steps {
				switch st.op {
				case "token":
					got, err := s.Token(context.Background())
					if k := kindOf(err); k != st.want {
						t.Fatalf("step %d: Token error %v (kind %q), want kind %q", i, err, k, st.want)
					}
					if err == nil {
						last = got.AccessToken
					}
				case "report":
					s.ReportRejected(last)
				case "invalidate":
					s.Invalidate(last)
				case "advance":
					clk.Advance(st.d)
				}
			}
			if s.CircuitOpen() != tt.wantOpen {
				t.Errorf("CircuitOpen = %v, want %v", s.CircuitOpen(), tt.wantOpen)
			}
			if r := ep.requests(); r != tt.wantRequests {
				t.Errorf("requests = %d, want %d", r, tt.wantRequests)
			}
		})
	}
}

func TestNewCredentialsCloseTheCircuit(t *testing.T) {
	ep := newEndpoint(t, reply{status: 401}, reply{status: 401}, reply{status: 401})
	cache := newTestCache(t, newClock(), Options{})
	creds := clientCreds(ep)
	old := cache.Source(creds, nil)
	for range 3 {
		_, _ = old.Token(context.Background())
	}
	if !old.CircuitOpen() {
		t.Fatal("circuit not open after 3 rejections")
	}
	_, err := old.Token(context.Background())
	if !IsCircuitOpen(err) || IsRejected(err) {
		t.Errorf("error %v: IsCircuitOpen = %v, IsRejected = %v; want true, false", err, IsCircuitOpen(err), IsRejected(err))
	}

	creds.ClientSecret = "a-new-secret"
	s := cache.Source(creds, nil)
	if s == old || s.CircuitOpen() {
		t.Fatalf("new secret: same Source = %v, CircuitOpen = %v; want a new closed Source", s == old, s.CircuitOpen())
	}
	if tok := mustToken(t, s); tok != "tok-4" {
		t.Errorf("token = %q, want tok-4", tok)
	}
	if n := cache.Len(); n != 1 {
		t.Errorf("Len = %d, want 1 (the old Source was replaced)", n)
	}
}
