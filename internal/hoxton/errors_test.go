package hoxton

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

const siteID = "6f1f7c0e-6d55-4c3c-8f0a-0c9f1d2e3a4b"

func TestClassifyHTTPAnswers(t *testing.T) {
	httpDate := time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantClass  Class
		wantStatus int
		wantMsg    string
		// minRA and maxRA bound RetryAfter; both zero means no RetryAfter.
		minRA, maxRA time.Duration
	}{
		{"400 bad request", reply(400, errBody(400, "malformed")), ClassTerminal, 400, "malformed", 0, 0},
		{"401 without token source", reply(401, errBody(401, "no token")), ClassAuth, 401, "no token", 0, 0},
		{"403 forbidden", reply(403, errBody(403, "other org")), ClassForbidden, 403, "other org", 0, 0},
		{"404 not found", reply(404, errBody(404, "no such site")), ClassNotFound, 404, "no such site", 0, 0},
		{"409 conflict", reply(409, errBody(409, "claimed")), ClassConflict, 409, "claimed", 0, 0},
		{"410 gone", reply(410, errBody(410, "deleted")), ClassGone, 410, "deleted", 0, 0},
		{"412 precondition", reply(412, errBody(412, "precondition")), ClassTerminal, 412, "precondition", 0, 0},
		{"413 too large", reply(413, errBody(413, "too big")), ClassTerminal, 413, "too big", 0, 0},
		{"418 other 4xx", reply(418, nil), ClassTerminal, 418, "", 0, 0},
		{"422 validation", reply(422, errBody(422, "siteId: no such site")), ClassTerminal, 422, "siteId: no such site", 0, 0},
		{"429 without Retry-After", reply(429, errBody(429, "slow down")), ClassThrottled, 429, "slow down", time.Second, time.Second},
		{"429 Retry-After seconds", reply(429, errBody(429, "slow"), "Retry-After", "2"), ClassThrottled, 429, "slow", 2 * time.Second, 2 * time.Second},
		{"429 Retry-After HTTP date", reply(429, nil, "Retry-After", httpDate), ClassThrottled, 429, "", time.Second, 3 * time.Second},
		{"500 server error", reply(500, errBody(500, "boom")), ClassTransient, 500, "boom", 0, 0},
		{"501 not implemented", reply(501, errBody(501, "later")), ClassTerminal, 501, "later", 0, 0},
		{"502 bad gateway", reply(502, nil), ClassTransient, 502, "", 0, 0},
		{"503 without Retry-After", reply(503, errBody(503, "maintenance")), ClassThrottled, 503, "maintenance", 0, 0},
		{"503 with Retry-After", reply(503, nil, "Retry-After", "1"), ClassThrottled, 503, "", time.Second, time.Second},
		{"504 gateway timeout", reply(504, nil), ClassTransient, 504, "", 0, 0},
		{"200 with state deleted", reply(200, map[string]any{"id": siteID, "name": "x", "state": "deleted"}), ClassGone, 410, MsgDeleted, 0, 0},
		{"200 undecodable", reply(200, []string{"not", "a", "site"}), ClassTerminal, 200, MsgDecode, 0, 0},
		{"200 oversized", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"name":"` + strings.Repeat("x", MaxResponseBytes) + `"}`))
		}, ClassTerminal, 200, MsgBodyTooLarge, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, tt.handler)
			budget := NewBudget(0, 1)
			c := newTestClient(t, ts, nil, budget)
			_, err := Sites.Get(testContext(t, 10*time.Second), c, siteID)
			if got := Classify(err); got != tt.wantClass {
				t.Fatalf("Classify = %q, want %q (err %v)", got, tt.wantClass, err)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %T is not an *APIError", err)
			}
			if apiErr.StatusCode != tt.wantStatus || apiErr.Message != tt.wantMsg {
				t.Errorf("StatusCode, Message = %d, %q; want %d, %q", apiErr.StatusCode, apiErr.Message, tt.wantStatus, tt.wantMsg)
			}
			if apiErr.Method != http.MethodGet || apiErr.Path != "/sites/"+siteID || apiErr.Resource != "sites" {
				t.Errorf("Method, Path, Resource = %q, %q, %q", apiErr.Method, apiErr.Path, apiErr.Resource)
			}
			ra, ok := RetryAfter(err)
			if ok != (tt.maxRA > 0) || ra < tt.minRA || ra > tt.maxRA {
				t.Errorf("RetryAfter = %v, %v; want between %v and %v", ra, ok, tt.minRA, tt.maxRA)
			}
			if paused := time.Until(budget.PausedUntil()) > 0; paused != (tt.maxRA > 0) {
				t.Errorf("budget paused = %v, want %v", paused, tt.maxRA > 0)
			}
		})
	}
}

func TestClassifyNetworkFailures(t *testing.T) {
	block := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	tests := []struct {
		name   string
		client func(t *testing.T) *Client
		ctxTTL time.Duration
	}{
		{"connection refused", func(t *testing.T) *Client {
			ts := newTestServer(t, reply(200, nil))
			ts.Close()
			return newTestClient(t, ts, nil, nil)
		}, 10 * time.Second},
		{"client timeout", func(t *testing.T) *Client {
			ts := newTestServer(t, block)
			c, err := New(Config{BaseURL: ts.URL, HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}, 10 * time.Second},
		{"context deadline", func(t *testing.T) *Client {
			return newTestClient(t, newTestServer(t, block), nil, nil)
		}, 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := counter("sites", http.MethodGet, codeError)
			_, err := Sites.Get(testContext(t, tt.ctxTTL), tt.client(t), siteID)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != 0 || apiErr.Err == nil {
				t.Fatalf("want an *APIError with StatusCode 0 and Err set, got %#v", err)
			}
			if !IsTransient(err) {
				t.Errorf("Classify = %q, want Transient", Classify(err))
			}
			if got := counter("sites", http.MethodGet, codeError) - before; got != 1 {
				t.Errorf("requests counted with code %q = %v, want 1", codeError, got)
			}
		})
	}
}

func TestClassifyOtherErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want Class
	}{
		{"nil", nil, ClassNone},
		{"token rejected", &auth.Error{Kind: auth.KindRejected}, ClassAuth},
		{"circuit open", &auth.Error{Kind: auth.KindCircuitOpen, Err: &auth.Error{Kind: auth.KindRejected}}, ClassAuth},
		{"token endpoint unavailable", &auth.Error{Kind: auth.KindUnavailable}, ClassTransient},
		{"credentials misconfigured", &auth.Error{Kind: auth.KindMisconfigured}, ClassAuth},
		{"wrapped token error", fmt.Errorf("hoxton: GET /sites: %s: %w", MsgToken, &auth.Error{Kind: auth.KindRejected}), ClassAuth},
		{"invalid argument", invalid(http.MethodGet, "/sites/", "sites", msgEmptyID), ClassTerminal},
		{"unknown error", errors.New("something"), ClassTransient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.err); got != tt.want {
				t.Errorf("Classify = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPredicatesAndIgnoreGone(t *testing.T) {
	tests := []struct {
		status     int
		want       Class
		ignoreGone bool
	}{
		{404, ClassNotFound, true}, {410, ClassGone, true}, {422, ClassTerminal, false},
		{401, ClassAuth, false}, {429, ClassThrottled, false}, {500, ClassTransient, false},
	}
	preds := map[Class]func(error) bool{
		ClassNotFound: IsNotFound, ClassGone: IsGone, ClassTerminal: IsTerminal,
		ClassAuth: IsAuth, ClassThrottled: IsThrottled, ClassTransient: IsTransient,
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			err := fmt.Errorf("wrapped: %w", &APIError{StatusCode: tt.status})
			for class, pred := range preds {
				if pred(err) != (class == tt.want) {
					t.Errorf("Is%s = %v, want %v", class, pred(err), class == tt.want)
				}
			}
			if got := IgnoreGone(err); (got == nil) != tt.ignoreGone {
				t.Errorf("IgnoreGone = %v, want nil: %v", got, tt.ignoreGone)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
	}{
		{"", 0}, {"5", 5 * time.Second}, {" 7 ", 7 * time.Second}, {"0", 0}, {"-3", 0}, {"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			if got := parseRetryAfter(tt.value, now); got != tt.want {
				t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.value, got, tt.want)
			}
		})
	}
}

func TestAPIErrorText(t *testing.T) {
	err := &APIError{StatusCode: 422, Message: "siteId: no such site", Method: "PUT", Path: "/sites"}
	if got, want := err.Error(), "hoxton: PUT /sites: 422 Unprocessable Entity: siteId: no such site"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	inner := errors.New("dial tcp: refused")
	err = &APIError{Method: "GET", Path: "/sites/x", Err: inner}
	if got, want := err.Error(), "hoxton: GET /sites/x: dial tcp: refused"; got != want || !errors.Is(err, inner) {
		t.Errorf("Error() = %q, want %q, wrapping the cause", got, want)
	}
}
