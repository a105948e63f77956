package auth

import "net/http"

// WithoutRedirects returns a copy of c that never follows a redirect: the 3xx answer
// is returned as it is. A token request carries the client secret, a password or a
// refresh token in its body, which Go's client re-sends on a 307 or 308 to wherever
// the server points (another host, a cloud metadata address); an API request carries
// the bearer token. Every token request of this package goes through such a client,
// whatever client its caller configured; the API client (package hoxton) and the
// CLI use the same function.
func WithoutRedirects(c *http.Client) *http.Client {
	out := *c
	out.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &out
}
