package checkapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// maxRetryWait caps how long the prober honours a Retry-After before its one
// retry: a check run should not stall for minutes on one answer.
const maxRetryWait = 30 * time.Second

// prober sends raw API requests for check-api. It does not use the typed
// client on purpose: the checks must see the wire (a 200 with state deleted
// and a 404 are different answers, both of which the client maps to "gone").
// It never records headers or bodies of requests, where tokens travel.
type prober struct {
	base   string
	http   *http.Client
	tokens hoxton.TokenSource
	// throttled collects every 429 and 503 seen, for A7.
	throttled []throttleSeen
	// requests counts the requests sent, retries included.
	requests int
}

// throttleSeen is one 429 or 503 answer.
type throttleSeen struct {
	request    string
	status     int
	retryAfter string
}

// reply is one answer, read in full.
type reply struct {
	status int
	header http.Header
	body   []byte
	// request is "METHOD /path?query", as the evidence shows it.
	request string
}

// json decodes the body into v, reporting whether it could.
func (r *reply) json(v any) bool { return json.Unmarshal(r.body, v) == nil }

// do sends one request (body as JSON when non-nil). A 401 is retried once
// with a new token; a 429 or 503 is recorded and retried once after its
// Retry-After, when that is short enough. Errors are transport failures only:
// every HTTP answer is a reply.
func (p *prober) do(ctx context.Context, method, path string, query url.Values, body any) (*reply, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	shown := method + " " + path
	if len(query) > 0 {
		shown += "?" + query.Encode()
	}
	target := strings.TrimRight(p.base, "/") + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var rep *reply
	retriedAuth, retriedThrottle := false, false
	for {
		tok, err := p.tokens.AccessToken(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: obtaining an access token: %w", shown, err)
		}
		rep, err = p.send(ctx, method, target, payload, tok)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", shown, err)
		}
		rep.request = shown
		switch {
		case rep.status == http.StatusUnauthorized && !retriedAuth:
			retriedAuth = true
			p.tokens.Invalidate(tok)
			continue
		case rep.status == http.StatusTooManyRequests || rep.status == http.StatusServiceUnavailable:
			ra := rep.header.Get("Retry-After")
			p.throttled = append(p.throttled, throttleSeen{request: shown, status: rep.status, retryAfter: ra})
			wait, ok := parseRetryAfter(ra, time.Now())
			if !ok {
				// A missing or unreadable Retry-After is waited out like the
				// operator does; A7 reports it, and the throttled check is
				// not failed for it as well.
				wait = hoxton.DefaultRetryAfter
			}
			if retriedThrottle || wait > maxRetryWait {
				return rep, nil
			}
			retriedThrottle = true
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(wait):
			}
			continue
		}
		return rep, nil
	}
}

func (p *prober) send(ctx context.Context, method, target string, payload []byte, tok string) (*reply, error) {
	var reader io.Reader
	if payload != nil {
		reader = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "hoxtonctl check-api")
	req.Header.Set("Authorization", "Bearer "+tok)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	p.requests++
	resp, err := p.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, hoxton.MaxResponseBytes))
	if err != nil {
		return nil, err
	}
	return &reply{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// parseRetryAfter reads Retry-After as delay-seconds or an HTTP date (RFC
// 9110 section 10.2.3); ok is false when the value is neither.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
