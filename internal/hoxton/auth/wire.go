package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// maxAnswer bounds how much of a token endpoint's answer is read.
const maxAnswer = 1 << 20

// maxDescription bounds a server's error message kept in an *Error.
const maxDescription = 200

// answer is one token endpoint reply, read in full.
type answer struct {
	status int
	header http.Header
	// fields are the members of the answer, each decoded only when read: an
	// endpoint answering a list of a million empty objects in a member costs the
	// member's bytes, not a million maps.
	fields map[string]json.RawMessage // nil when the body is not a JSON object
}

// post sends one POST with params in the form body, or in the URL query when
// inQuery (CamStreamer). The request never carries credentials in a header,
// and redirects are not followed, so credentials cannot travel elsewhere.
func post(ctx context.Context, hc *http.Client, endpoint string, params url.Values, inQuery bool) (*answer, error) {
	var body io.Reader = http.NoBody
	target := endpoint
	if inQuery {
		u, err := url.Parse(endpoint)
		if err != nil {
			return nil, errors.New("invalid endpoint URL")
		}
		q := u.Query()
		for k, v := range params {
			q[k] = v
		}
		u.RawQuery = q.Encode()
		target = u.String()
	} else {
		body = strings.NewReader(params.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, body)
	if err != nil {
		return nil, errors.New("invalid endpoint URL")
	}
	req.Header.Set("Accept", "application/json")
	if !inQuery {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := WithoutRedirects(hc).Do(req)
	if err != nil {
		// *url.Error repeats the URL, which for CamStreamer holds the
		// secrets in its query: keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, fmt.Errorf("POST %s: %w", redactedURL(endpoint), ue.Err)
		}
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("reading the answer of %s: %w", redactedURL(endpoint), err)
	}
	a := &answer{status: resp.StatusCode, header: resp.Header}
	var fields map[string]json.RawMessage
	if json.Unmarshal(data, &fields) == nil {
		a.fields = fields
	}
	return a, nil
}

// redactedURL is the URL without its query, where CamStreamer carries secrets.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the endpoint"
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u.String()
}

// str returns a string field of the answer, or "".
func (a *answer) str(name string) string {
	var s string
	_ = a.field(name, &s)
	return s
}

// field decodes the member name of the answer into v; it fails when there is no
// such member or it does not fit v.
func (a *answer) field(name string, v any) error {
	raw, ok := a.fields[name]
	if !ok {
		return errors.New("no such field")
	}
	return json.Unmarshal(raw, v)
}

// failure classifies a reply that carries no token: an HTTP error, or an
// {"error": ...} body whatever its status (CamStreamer answers errors with
// HTTP 200). It returns nil for a successful reply.
func (a *answer) failure(now time.Time) *Error {
	msg := a.errorMessage()
	ok := a.status >= 200 && a.status < 300
	if ok && msg == "" {
		return nil
	}
	e := &Error{StatusCode: a.status, Description: msg}
	if code := a.str("error"); code != "" && !strings.ContainsAny(code, " .") {
		// An RFC 6749 style code (invalid_grant); a sentence is a message.
		e.Code, e.Description = code, a.str("error_description")
		if e.Description == "" {
			e.Description = code
		}
	}
	switch {
	case e.Code == "server_error" || e.Code == "temporarily_unavailable":
		e.Kind = KindUnavailable
	case a.status == http.StatusTooManyRequests, a.status == http.StatusRequestTimeout, a.status >= 500:
		e.Kind = KindUnavailable
	case ok, a.status >= 400:
		e.Kind = KindRejected
	default:
		e.Kind = KindUnavailable
		e.Description = "unexpected HTTP status"
	}
	if e.Kind == KindUnavailable {
		e.retryAfter = parseRetryAfter(a.header.Get("Retry-After"), now)
	}
	e.Description = truncate(e.Description)
	return e
}

// errorMessage finds the server's error text in the shapes these endpoints
// use: {"error": "..."}, {"detail": "..."} and {"non_field_errors": ["..."]}.
func (a *answer) errorMessage() string {
	if s := a.str("error"); s != "" {
		return s
	}
	if s := a.str("detail"); s != "" {
		return s
	}
	var list []json.RawMessage
	if a.field("non_field_errors", &list) == nil && len(list) > 0 {
		var s string
		if json.Unmarshal(list[0], &s) == nil {
			return s
		}
	}
	return ""
}

func truncate(s string) string {
	if len(s) > maxDescription {
		return s[:maxDescription] + "…"
	}
	return s
}

// seconds reads a positive number of seconds from a JSON field, or 0 when the
// field is missing or odd (a string, zero, negative, not finite).
func (a *answer) seconds(name string) float64 {
	var f float64 // a JSON string, or a number beyond float64, does not decode
	if a.field(name, &f) != nil || f <= 0 {
		return 0
	}
	return f
}

// jwtLifetime reads the exp claim of a JWT (without verifying it: the token
// is the server's to check) and returns how long it has left after now, or 0.
func jwtLifetime(token string, now time.Time) time.Duration {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return 0
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return 0
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.UseNumber()
	if dec.Decode(&claims) != nil {
		return 0
	}
	exp, err := claims.Exp.Float64()
	if err != nil || math.IsNaN(exp) {
		return 0
	}
	// In seconds, before any conversion: an exp centuries ahead does not fit
	// a time.Duration, nor a far one an int64 of seconds.
	left := exp - float64(now.UnixNano())/float64(time.Second)
	if left <= 0 {
		return 0
	}
	return lifetimeOf(left)
}

// tokenOf builds the token of a successful answer. accessField names the
// field holding the access token; lifetimeField the one holding its lifetime
// in seconds (the exp claim is used when it is missing or odd).
func tokenOf(a *answer, d Dialect, accessField, lifetimeField string, now time.Time) (*oauth2.Token, error) {
	access := a.str(accessField)
	if access == "" {
		return nil, &Error{Kind: KindUnavailable, StatusCode: a.status, Description: "the answer holds no " + accessField}
	}
	tok := &oauth2.Token{AccessToken: access, TokenType: a.str("token_type"), RefreshToken: a.str("refresh_token")}
	if tok.TokenType == "" {
		tok.TokenType = d.defaultTokenType()
	}
	secs := a.seconds(lifetimeField)
	if secs == 0 {
		secs = jwtLifetime(access, now).Seconds()
	}
	tok.ExpiresIn = int64(math.Ceil(min(secs, maxLifetime.Seconds())))
	return tok, nil
}
