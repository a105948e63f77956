package auth

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/retryafter"
)

// ErrorKind classifies why a token could not be obtained, so that callers can
// choose between retrying (Unavailable), surfacing a condition to the user
// (Rejected, CircuitOpen) and fixing their configuration (Misconfigured).
type ErrorKind string

const (
	// KindRejected means the token endpoint refused the credentials: HTTP 400
	// with an OAuth2 error code such as invalid_grant or invalid_client, 401,
	// 403, or the API rejected freshly fetched tokens (see Source.ReportRejected).
	KindRejected ErrorKind = "Rejected"
	// KindUnavailable means the token endpoint could not be reached or was
	// unhealthy: network error, timeout, HTTP 5xx or 429.
	KindUnavailable ErrorKind = "Unavailable"
	// KindCircuitOpen means repeated rejections of unchanged credentials opened
	// the circuit breaker; the Source fails fast without contacting the endpoint.
	KindCircuitOpen ErrorKind = "CircuitOpen"
	// KindMisconfigured means Credentials.Validate failed; no request was made.
	KindMisconfigured ErrorKind = "Misconfigured"
)

// Error is the error returned by every operation of this package that talks
// to the token endpoint. Its text never contains secrets, tokens or request
// bodies.
type Error struct {
	// Kind classifies the failure.
	Kind ErrorKind
	// StatusCode is the token endpoint's HTTP status, or 0 if there was none.
	StatusCode int
	// Code is the OAuth2 error code, e.g. invalid_client.
	Code string
	// Description is the server's error_description, or for
	// KindMisconfigured the names of the missing fields.
	Description string
	// Err is the underlying error. A *oauth2.RetrieveError kept here is
	// stripped of the request that produced it, because that request's body
	// carries the client secret, password or refresh token.
	Err error

	// retryAfter is the server's Retry-After hint for KindUnavailable.
	retryAfter time.Duration
}

// Error describes the failure without secrets.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("hoxton auth: ")
	switch e.Kind {
	case KindRejected:
		b.WriteString("token request rejected")
	case KindUnavailable:
		b.WriteString("token endpoint unavailable")
	case KindCircuitOpen:
		b.WriteString("circuit open after repeated rejections of unchanged credentials; not contacting the token endpoint")
	case KindMisconfigured:
		b.WriteString("invalid credentials")
	default:
		b.WriteString(string(e.Kind))
	}
	var detail []string
	if e.StatusCode != 0 {
		detail = append(detail, "HTTP "+strconv.Itoa(e.StatusCode))
	}
	if e.Code != "" {
		detail = append(detail, e.Code)
	}
	if len(detail) > 0 {
		b.WriteString(" (" + strings.Join(detail, ", ") + ")")
	}
	if e.Description != "" {
		b.WriteString(": " + e.Description)
	}
	// A RetrieveError's text repeats the response body, which is already
	// summarised above; other causes (network errors, the rejection behind
	// an open circuit) are worth showing.
	var retrieve *oauth2.RetrieveError
	if e.Err != nil && !errors.As(e.Err, &retrieve) {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// IsRejected reports whether err is an *Error of kind KindRejected.
func IsRejected(err error) bool { return hasKind(err, KindRejected) }

// IsUnavailable reports whether err is an *Error of kind KindUnavailable.
func IsUnavailable(err error) bool { return hasKind(err, KindUnavailable) }

// IsCircuitOpen reports whether err is an *Error of kind KindCircuitOpen.
func IsCircuitOpen(err error) bool { return hasKind(err, KindCircuitOpen) }

// hasKind checks the outermost *Error only: a CircuitOpen error wraps the
// rejection that opened it, and must not also report as Rejected.
func hasKind(err error, k ErrorKind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

// maxRetryAfter bounds a server's Retry-After hint so a bogus value cannot
// silence a Source for days.
const maxRetryAfter = retryafter.Max

// classify turns an error from x/oauth2 into an *Error. now is used to
// interpret a Retry-After date.
func classify(err error, now time.Time) *Error {
	if err == nil {
		return nil
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		// Transport failures, timeouts, cancelled contexts and unparsable
		// 2xx bodies: none of them says anything about the credentials.
		return &Error{Kind: KindUnavailable, Err: err}
	}
	e := &Error{
		Code:        re.ErrorCode,
		Description: re.ErrorDescription,
		Err:         sanitize(re),
	}
	if re.Response != nil {
		e.StatusCode = re.Response.StatusCode
	}
	switch {
	case re.ErrorCode == "server_error" || re.ErrorCode == "temporarily_unavailable":
		e.Kind = KindUnavailable
	case e.StatusCode == http.StatusTooManyRequests, e.StatusCode == http.StatusRequestTimeout, e.StatusCode >= 500:
		e.Kind = KindUnavailable
	case e.StatusCode >= 400, re.ErrorCode != "":
		// 400 invalid_grant/invalid_client/unauthorized_client/access_denied,
		// 401 and 403 are the documented rejections. Other 4xx answers
		// (invalid_request, invalid_scope, unsupported_grant_type) will not
		// change on retry either, so they go through the breaker too instead
		// of being retried forever.
		e.Kind = KindRejected
	default:
		e.Kind = KindUnavailable
	}
	if e.Kind == KindUnavailable && re.Response != nil {
		e.retryAfter = parseRetryAfter(re.Response.Header.Get("Retry-After"), now)
	}
	return e
}

// sanitize copies a RetrieveError without the request: http.Response.Request
// still holds the form body (client_secret, password, refresh_token) through
// GetBody, and a deep printer or a careless errors.As caller could reveal it.
func sanitize(re *oauth2.RetrieveError) *oauth2.RetrieveError {
	out := *re
	if re.Response != nil {
		resp := *re.Response
		resp.Request = nil
		resp.Body = http.NoBody
		resp.TLS = nil
		out.Response = &resp
	}
	return &out
}

// parseRetryAfter reads a Retry-After header in seconds or as an HTTP date, with the
// API client's parser and cap.
func parseRetryAfter(v string, now time.Time) time.Duration {
	return retryafter.Parse(v, now)
}

// misconfigured builds the error returned by Validate.
func misconfigured(format string, args ...any) *Error {
	return &Error{Kind: KindMisconfigured, Description: fmt.Sprintf(format, args...)}
}
