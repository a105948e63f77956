// Package hoxton is the typed client of the HoxtonAi REST API.
//
// Contract of the package:
//   - It has no Kubernetes imports; controller-runtime's metrics registry is the one
//     exception, so that the request metrics appear on the manager's endpoint.
//   - Every request goes through one helper, Client.do, which waits on the shared request
//     Budget, attaches a bearer token, sends and decodes JSON with bodies bounded on the
//     wire and once decoded (decode.go), records metrics, retries exactly once after a 401 with a fresh token, pauses the Budget on
//     429 (and 503 with Retry-After), and turns every failure into an *APIError. It never
//     logs, and no error it returns contains a token or a request body.
//   - Errors are classified (Classify, IsNotFound, IsGone, IsTerminal, IsConflict, IsForbidden, IsAuth,
//     IsThrottled, IsTransient) so that controllers decide what to do from the class,
//     never from status codes.
//   - The wire structs follow internal/hoxton/openapi.yaml exactly. Every call that relies
//     on an item marked x-inferred there, or on an assumption of docs/api-assumptions.md,
//     names it in a comment beside the call ("Assumption A3: ...", "Inferred ...").
package hoxton

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MaxResponseBytes bounds how much of a response body the client reads.
const MaxResponseBytes = 4 << 20

// DefaultTimeout is the timeout of the HTTP client used when Config.HTTPClient is nil.
const DefaultTimeout = 30 * time.Second

// DefaultUserAgent is sent when Config.UserAgent is empty.
const DefaultUserAgent = "hoxton-operator"

// Configuration error messages.
const (
	msgBaseURL  = "hoxton: BaseURL must be an absolute http or https URL"
	msgEmptyID  = "empty id"
	msgBadState = "invalid camera state"
)

// ErrInvalidArgument is wrapped by errors for calls rejected before any request is sent
// (for example an empty id). Such errors are classified as Terminal.
var ErrInvalidArgument = errors.New("hoxton: invalid argument")

// TokenSource supplies bearer tokens to the client. The auth package implements it.
type TokenSource interface {
	// AccessToken returns a valid access token, obtaining one if needed.
	AccessToken(ctx context.Context) (string, error)
	// Invalidate tells the source the service answered 401 to accessToken, so that the
	// next AccessToken call obtains a new one.
	Invalidate(accessToken string)
	// ReportRejected tells the source a freshly obtained accessToken was refused too, so
	// that repeated rejections can open its circuit breaker.
	ReportRejected(accessToken string)
}

// Config configures a Client.
type Config struct {
	// BaseURL is the API root, for example https://hoxton.cloud/api/v0.
	BaseURL string
	// OrganisationID is the organisation the client acts for; it fills organisationId in
	// request bodies left empty by the caller and scopes list queries.
	OrganisationID string
	// HTTPClient is the transport (custom CA and so on); nil means a client with a 30s
	// timeout.
	HTTPClient *http.Client
	// Tokens supplies bearer tokens; nil sends no Authorization header (tests only).
	Tokens TokenSource
	// Budget is the request budget shared by every user of the same Connection; nil means
	// unlimited.
	Budget *Budget
	// UserAgent is sent on every request; empty means DefaultUserAgent.
	UserAgent string
	// UserRoles limits the roles the client's caller may give users (see
	// UserRoleLimit); nil limits nothing.
	UserRoles *UserRoleLimit
}

// Client is a HoxtonAi API client acting for one organisation. It is safe for concurrent
// use.
type Client struct {
	base      string
	org       string
	http      *http.Client
	tokens    TokenSource
	budget    *Budget
	userAgent string
	userRoles *UserRoleLimit
	// sweeps are the lists that answer polls (sweep.go).
	sweeps sweeps
}

// PutResult reports the outcome of an upsert: Created is true when the service answered
// 201 (new object) and false when it answered 204 (existing object updated).
type PutResult struct{ Created bool }

// New returns a Client for cfg. It fails only when cfg.BaseURL is not an absolute http or
// https URL.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New(msgBaseURL)
	}
	registerMetrics()
	c := &Client{
		base:      strings.TrimRight(cfg.BaseURL, "/"),
		org:       cfg.OrganisationID,
		http:      cfg.HTTPClient,
		tokens:    cfg.Tokens,
		budget:    cfg.Budget,
		userAgent: cfg.UserAgent,
		userRoles: cfg.UserRoles,
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: DefaultTimeout}
	}
	c.http = WithoutRedirects(c.http)
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	return c, nil
}

// OrganisationID returns the organisation the client acts for.
func (c *Client) OrganisationID() string { return c.org }

// response is one HTTP answer, read in full (up to MaxResponseBytes).
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends one API call and is the only code that builds HTTP requests. It encodes body
// as JSON (when non-nil), decodes a success body into out (when non-nil and the body is
// not empty; a GET must answer one) unless it would cost too much decoded (checkCost),
// and returns the HTTP status of the final attempt. Every failure is an
// *APIError, except token errors, which wrap the auth package's error.
func (c *Client) do(ctx context.Context, method, resource, path string, query url.Values, body, out any) (int, error) {
	if method != http.MethodGet {
		// Done or failed, a write makes the object's polls read it directly until
		// the next list of its collection (sweep.go).
		defer c.sweeps.wroteAt(path)
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return 0, &APIError{Method: method, Path: path, Resource: resource, Message: MsgEncode,
				Err: fmt.Errorf("%w: %w", ErrInvalidArgument, err)}
		}
	}
	target := c.base + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}

	tok, err := c.token(ctx, method, path)
	if err != nil {
		return 0, err
	}
	resp, err := c.send(ctx, method, resource, path, target, payload, tok)
	if err == nil && resp.status == http.StatusUnauthorized && c.tokens != nil {
		// The token was refused: drop it, fetch a new one and retry exactly once.
		c.tokens.Invalidate(tok)
		if tok, err = c.token(ctx, method, path); err != nil {
			return 0, err
		}
		resp, err = c.send(ctx, method, resource, path, target, payload, tok)
		if err == nil && resp.status == http.StatusUnauthorized {
			c.tokens.ReportRejected(tok)
		}
	}
	if err != nil {
		return 0, err
	}
	return resp.status, c.decode(method, resource, path, resp, out)
}

// token returns an access token, or "" when the client has no TokenSource.
func (c *Client) token(ctx context.Context, method, path string) (string, error) {
	if c.tokens == nil {
		return "", nil
	}
	tok, err := c.tokens.AccessToken(ctx)
	if err != nil {
		return "", fmt.Errorf("hoxton: %s %s: %s: %w", method, path, MsgToken, withoutURLs(err, "the token endpoint"))
	}
	return tok, nil
}

// send performs one HTTP exchange after waiting on the budget, and records its metrics.
func (c *Client) send(ctx context.Context, method, resource, path, target string, payload []byte, tok string) (*response, error) {
	fail := func(msg string, err error) error {
		return &APIError{Method: method, Path: path, Resource: resource, Message: msg, Err: err}
	}
	if err := c.budget.Wait(ctx); err != nil {
		apiErr := &APIError{Method: method, Path: path, Resource: resource, Message: MsgBudget, Err: err}
		var wait *WaitError
		if errors.As(err, &wait) {
			apiErr.RetryAfter = wait.Wait // the reconciler requeues after it
		}
		return nil, apiErr
	}
	var reader io.Reader
	if payload != nil {
		reader = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return nil, fail("", fmt.Errorf("%w: %w", ErrInvalidArgument, err))
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", c.authorization(tok))
	}

	start := time.Now()
	httpResp, err := c.http.Do(req)
	if err != nil {
		observe(resource, method, codeError, start)
		return nil, fail("", withoutURLs(err, path))
	}
	defer httpResp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(httpResp.Body, MaxResponseBytes+1))
	observe(resource, method, fmt.Sprint(httpResp.StatusCode), start)
	if err != nil {
		return nil, fail("", err)
	}
	return &response{status: httpResp.StatusCode, header: httpResp.Header, body: data}, nil
}

// observe records one request in the metrics.
func observe(resource, method, code string, start time.Time) {
	requestsTotal.WithLabelValues(resource, method, code).Inc()
	requestDuration.WithLabelValues(resource, method).Observe(time.Since(start).Seconds())
}

// decode turns a response into the caller's output or an *APIError.
func (c *Client) decode(method, resource, path string, resp *response, out any) error {
	apiErr := &APIError{StatusCode: resp.status, Method: method, Path: path, Resource: resource}
	if resp.status < 200 || resp.status > 299 {
		var body struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(resp.body, &body) == nil {
			// Only the service's own {code, message} reaches conditions and events,
			// bounded: never the rest of a body (an HTML error page, a proxy's dump).
			apiErr.Code, apiErr.Message = body.Code, serviceMessage(body.Message)
		}
		if resp.status >= 300 && resp.status < 400 {
			apiErr.Message = MsgRedirect
		}
		if resp.status < 400 && apiErr.Message == "" {
			apiErr.Message = MsgUnexpectedStatus
		}
		// Capped at retryafter.Max: a server cannot pause a Connection for years.
		apiErr.RetryAfter = parseRetryAfter(resp.header.Get("Retry-After"), time.Now())
		if resp.status == http.StatusTooManyRequests && apiErr.RetryAfter == 0 {
			// Assumption A7: 429 may come without Retry-After; back off by a default.
			apiErr.RetryAfter = DefaultRetryAfter
		}
		if apiErr.RetryAfter > 0 && (resp.status == http.StatusTooManyRequests || resp.status == http.StatusServiceUnavailable) {
			// Assumption A7: honour Retry-After for every user of this Connection.
			c.budget.Pause(apiErr.RetryAfter)
		}
		return apiErr
	}
	if len(resp.body) > MaxResponseBytes {
		apiErr.Message, apiErr.Err = MsgBodyTooLarge, errors.New(MsgBodyTooLarge)
		return apiErr
	}
	data := bytes.TrimSpace(resp.body)
	if method == http.MethodGet && out != nil && len(data) == 0 {
		return refused(method, path, resource, resp.status, MsgEmptyAnswer)
	}
	if msg := checkCost(data); msg != "" {
		return refused(method, path, resource, resp.status, msg)
	}
	if method == http.MethodGet && isDeletedObject(data) {
		// Assumption A1: a soft-deleted object may be answered with 200 and state
		// deleted; report it as Gone, like a 410.
		return &APIError{StatusCode: http.StatusGone, Method: method, Path: path, Resource: resource, Message: MsgDeleted}
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		apiErr.Message, apiErr.Err = MsgDecode, err
		return apiErr
	}
	return nil
}

// isDeletedObject reports whether data is a JSON object whose state is "deleted".
func isDeletedObject(data []byte) bool {
	if len(data) == 0 || data[0] != '{' {
		return false
	}
	var probe struct {
		State *string `json:"state"`
	}
	return json.Unmarshal(data, &probe) == nil && probe.State != nil && *probe.State == string(StateDeleted)
}

// itemPath returns the path of one object of a collection, escaping the id.
func itemPath(collection, id string) string {
	return collection + "/" + url.PathEscape(id)
}

// invalid returns the error for a call rejected before sending.
func invalid(method, path, resource, msg string) error {
	return &APIError{Method: method, Path: path, Resource: resource, Message: msg, Err: ErrInvalidArgument}
}
