package hoxton

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// maxServiceMessage bounds the service's error message as the client reports it.
const maxServiceMessage = 256

// WithoutRedirects returns a copy of c that never follows a redirect (see
// auth.WithoutRedirects, which the token requests use too).
func WithoutRedirects(c *http.Client) *http.Client { return auth.WithoutRedirects(c) }

// serviceMessage keeps the service's message readable and short: control characters
// become spaces and the text is cut at maxServiceMessage bytes (at a rune boundary).
func serviceMessage(msg string) string {
	msg = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, msg)
	if len(msg) <= maxServiceMessage {
		return msg
	}
	cut := maxServiceMessage
	for cut > 0 && !utf8RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// redactedError is an error whose text had URLs replaced; errors.Is and errors.As
// still see the original chain.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// withoutURLs returns err with the URL of every *url.Error in its chain replaced by
// what: a request URL holds the API's or token endpoint's address and the query
// (organisationId), which the conditions of the objects of a tenant using a
// ClusterConnection must not show.
func withoutURLs(err error, what string) error {
	msg := err.Error()
	changed := false
	for e := err; ; {
		var ue *url.Error
		if !errors.As(e, &ue) {
			break
		}
		if ue.URL != "" {
			msg = strings.ReplaceAll(msg, strconv.Quote(ue.URL), what)
			msg = strings.ReplaceAll(msg, ue.URL, what)
			changed = true
		}
		e = ue.Err
	}
	if !changed {
		return err
	}
	return &redactedError{msg: msg, err: err}
}
