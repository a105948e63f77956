package hoxton

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/retryafter"
)

// Error message strings used by the client. They never carry tokens or request bodies.
const (
	// MsgDeleted is the message of the 410 APIError returned when a GET answers 200 with
	// an object whose state is deleted (Assumption A1).
	MsgDeleted = "object is deleted"
	// MsgNoCameraWithSerial is the message of the 404 APIError returned by
	// FindCameraBySerial when no camera of the organisation has the serial number.
	MsgNoCameraWithSerial = "no camera with this serial number in the organisation"
	// MsgBodyTooLarge is the message used when a response body exceeds MaxResponseBytes.
	MsgBodyTooLarge = "response body too large"
	// MsgDecode is the message used when a response body cannot be decoded.
	MsgDecode = "cannot decode response body"
	// MsgUnexpectedStatus is the message used when a success status other than the
	// documented ones arrives with no error body.
	MsgUnexpectedStatus = "unexpected status"
	// MsgToken prefixes errors raised while obtaining an access token.
	MsgToken = "obtaining access token"
	// MsgBudget prefixes errors raised while waiting for the request budget.
	MsgBudget = "waiting for request budget"
	// MsgEncode prefixes errors raised while encoding a request body.
	MsgEncode = "cannot encode request body"
	// MsgRedirect is the message of a 3xx answer: redirects are never followed, so
	// that credentials only ever go to the configured URLs.
	MsgRedirect = "redirect refused: credentials are sent only to the configured apiURL and tokenURL"
)

// DefaultRetryAfter is the back-off assumed for a 429 answer without a usable Retry-After
// header (Assumption A7).
const DefaultRetryAfter = time.Second

// APIError is the error returned for every failed API call, whether the service answered
// with an error status (StatusCode set) or the request never completed (StatusCode 0 and
// Err set). It never contains tokens or request bodies.
type APIError struct {
	// StatusCode is the HTTP status, or 0 for a network error or timeout.
	StatusCode int
	// Code is the "code" field of the service's error body, when there was one.
	Code int
	// Message is the "message" field of the service's error body, or a client message.
	Message string
	// Method is the HTTP method of the failed request.
	Method string
	// Path is the request path relative to the base URL, without the query.
	Path string
	// Resource is the resource name used in metrics (for example "sites").
	Resource string
	// RetryAfter is the back-off the service asked for (429 and 503).
	RetryAfter time.Duration
	// Err is the underlying error, if any (network failures, decode failures).
	Err error
}

// Error formats the error as "hoxton: METHOD PATH: STATUS TEXT: MESSAGE".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("hoxton: ")
	b.WriteString(e.Method)
	b.WriteString(" ")
	b.WriteString(e.Path)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *APIError) Unwrap() error { return e.Err }

// Class is the reconciler-facing category of an error.
type Class string

// The error classes. A controller decides from the class whether to requeue, back off,
// wait for new credentials, or give up until the spec changes.
const (
	// ClassNone is the class of a nil error.
	ClassNone Class = ""
	// ClassNotFound means the object does not exist (404).
	ClassNotFound Class = "NotFound"
	// ClassGone means the object was soft-deleted (410, or GET with state deleted).
	ClassGone Class = "Gone"
	// ClassTerminal means retrying the same request cannot succeed (400, 412, 413, 422,
	// 501, any other 4xx, and success bodies that cannot be decoded or are refused:
	// ErrAnswerRefused).
	ClassTerminal Class = "Terminal"
	// ClassConflict means the object is held elsewhere (409: a serial claimed already).
	// Retrying cannot succeed either, but a caller may resolve it (find the holder).
	ClassConflict Class = "Conflict"
	// ClassForbidden means this one object is outside the caller's organisation or role
	// (403). It says nothing about the credentials: other objects of the same
	// Connection are unaffected.
	ClassForbidden Class = "Forbidden"
	// ClassAuth means the credentials were refused (401, or a rejected token grant, an
	// open circuit breaker or incomplete credentials in the auth package).
	ClassAuth Class = "Auth"
	// ClassThrottled means the service asked the caller to slow down (429, 503), or
	// the Connection's request budget would have made the caller wait too long.
	ClassThrottled Class = "Throttled"
	// ClassTransient means the request may succeed later (5xx, network errors,
	// timeouts, an unavailable token endpoint).
	ClassTransient Class = "Transient"
)

// Classify returns the class of err. Errors that are neither APIErrors nor known auth
// errors are classified as Transient.
func Classify(err error) Class {
	if err == nil {
		return ClassNone
	}
	if errors.Is(err, ErrAnswerRefused) {
		return ClassTerminal // a success status, but asking again gets the same answer
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode != 0 {
		return classifyStatus(apiErr.StatusCode)
	}
	var wait *WaitError
	switch {
	case errors.As(err, &wait):
		return ClassThrottled
	case errors.Is(err, ErrInvalidArgument):
		return ClassTerminal
	case auth.IsRejected(err), auth.IsCircuitOpen(err), isMisconfigured(err):
		return ClassAuth
	case auth.IsUnavailable(err):
		return ClassTransient
	}
	return ClassTransient
}

// isMisconfigured reports whether err is the auth package's error for credentials that
// lack a field their grant needs: like a rejection, only new credentials can fix it.
func isMisconfigured(err error) bool {
	var authErr *auth.Error
	return errors.As(err, &authErr) && authErr.Kind == auth.KindMisconfigured
}

// classifyStatus maps an HTTP status to a class. A success status only reaches it when
// the body could not be read as the contract says, which the same request will repeat.
func classifyStatus(status int) Class {
	switch {
	case status == http.StatusNotFound:
		return ClassNotFound
	case status == http.StatusGone:
		return ClassGone
	case status == http.StatusUnauthorized:
		return ClassAuth
	case status == http.StatusForbidden:
		return ClassForbidden
	case status == http.StatusConflict:
		return ClassConflict
	case status == http.StatusTooManyRequests, status == http.StatusServiceUnavailable:
		return ClassThrottled
	case status == http.StatusNotImplemented:
		return ClassTerminal
	case status >= 500:
		return ClassTransient
	}
	return ClassTerminal
}

// IsNotFound reports whether err means the object does not exist.
func IsNotFound(err error) bool { return Classify(err) == ClassNotFound }

// IsGone reports whether err means the object was soft-deleted.
func IsGone(err error) bool { return Classify(err) == ClassGone }

// IsTerminal reports whether retrying the request unchanged cannot succeed.
func IsTerminal(err error) bool { return Classify(err) == ClassTerminal }

// IsConflict reports whether the object is held elsewhere (409).
func IsConflict(err error) bool { return Classify(err) == ClassConflict }

// IsForbidden reports whether this object is outside the caller's organisation or role.
func IsForbidden(err error) bool { return Classify(err) == ClassForbidden }

// IsAuth reports whether the credentials were refused.
func IsAuth(err error) bool { return Classify(err) == ClassAuth }

// IsThrottled reports whether the service asked the caller to slow down.
func IsThrottled(err error) bool { return Classify(err) == ClassThrottled }

// IsTransient reports whether the request may succeed when retried later.
func IsTransient(err error) bool { return Classify(err) == ClassTransient }

// RetryAfter returns the back-off the service asked for, if err carries one.
func RetryAfter(err error) (time.Duration, bool) {
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
		return apiErr.RetryAfter, true
	}
	return 0, false
}

// IgnoreGone returns nil when err means the object no longer exists (NotFound or Gone),
// which is what a finalizer wants, and err otherwise.
func IgnoreGone(err error) error {
	switch Classify(err) {
	case ClassNotFound, ClassGone:
		return nil
	}
	return err
}

// parseRetryAfter reads a Retry-After header as delta-seconds or an HTTP date, capped
// at retryafter.Max. It returns 0 when the header is absent or unusable.
func parseRetryAfter(value string, now time.Time) time.Duration {
	return retryafter.Parse(value, now)
}
