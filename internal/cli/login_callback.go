package cli

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// callbackPath is where the loopback listener receives the browser.
const callbackPath = "/callback"

// authorize runs the browser part of the login and the code exchange: a
// loopback listener on 127.0.0.1 and a random port (RFC 8252 section 7.3:
// an IP literal, not "localhost", which may resolve elsewhere), the
// authorization URL with the S256 challenge, and the exchange of the code
// with the verifier. Codes and tokens are never printed.
func authorize(ctx context.Context, r *Root, o *loginOptions) (*oauth2.Token, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("loopback listener: %w", err)
	}
	defer ln.Close()
	flow := auth.AuthCodeFlow{
		AuthURL: o.authorizeURL, TokenURL: o.tokenURL, ClientID: o.clientID, ClientSecret: o.clientSecret,
		RedirectURL: "http://" + ln.Addr().String() + callbackPath, Audience: o.audience,
		Scopes: o.scopes, HTTPClient: r.Env.HTTPClient, Dialect: auth.Dialect(o.tokenDialect),
	}
	authURL, state, verifier := flow.Start()

	codes := make(chan callbackResult, 1)
	srv := &http.Server{Handler: callbackHandler(state, codes), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Close() }() // the callback has answered; nothing left to serve

	opened := false
	if !o.noBrowser {
		opened = r.Env.OpenBrowser(ctx, authURL) == nil
	}
	if opened {
		fmt.Fprintf(r.Env.ErrOut, "Opened a browser to log in. If none appeared, open:\n\n  %s\n\n", authURL)
	} else {
		fmt.Fprintf(r.Env.ErrOut, "Open this URL in a browser to log in:\n\n  %s\n\n", authURL)
	}
	fmt.Fprintf(r.Env.ErrOut, "Waiting for the browser on %s (up to %s)...\n", flow.RedirectURL, o.timeout)

	wait, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	var res callbackResult
	select {
	case res = <-codes:
	case <-wait.Done():
		if ctx.Err() != nil {
			return nil, ctx.Err() // interrupted
		}
		return nil, fmt.Errorf("no login within %s", o.timeout)
	}
	if res.err != nil {
		return nil, res.err
	}
	tok, err := flow.Exchange(ctx, res.code, verifier)
	if err != nil {
		return nil, fmt.Errorf("exchanging the authorization code: %w", err)
	}
	fmt.Fprintln(r.Env.ErrOut, "Logged in.")
	return tok, nil
}

// callbackResult is what the browser brought back: a code, or why not.
type callbackResult struct {
	code string
	err  error
}

// callbackHandler answers the browser's redirect and hands the first answer
// carrying the right state to codes. A request without the state (a stray
// visit, or a forged redirect) is refused and changes nothing.
func callbackHandler(state string, codes chan<- callbackResult) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(callbackPath, func(w http.ResponseWriter, req *http.Request) {
		q := req.URL.Query()
		if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
			http.Error(w, "unexpected state: this is not the login hoxtonctl started", http.StatusBadRequest)
			return
		}
		var res callbackResult
		switch {
		case q.Get("error") != "":
			// error and error_description are the server's words (RFC 6749
			// 4.1.2.1), no secret.
			res.err = fmt.Errorf("the authorization server refused the login: %s: %s", q.Get("error"), q.Get("error_description"))
		case q.Get("code") == "":
			res.err = errors.New("the authorization server sent no code")
		default:
			res.code = q.Get("code")
		}
		select {
		case codes <- res:
		default: // a second answer: the first one decides
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if res.err != nil {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintln(w, "Login failed; see the terminal.")
			return
		}
		fmt.Fprintln(w, "Logged in to HoxtonAi. You can close this window and return to the terminal.")
	})
	return mux
}
