package auth

import (
	"context"
	"errors"
	"net/url"
)

// ErrRevocationUnsupported is returned by Revoke when the dialect has no
// revocation endpoint (CAM2) or none is configured (Standard without
// RevocationURL). Nothing was sent.
var ErrRevocationUnsupported = errors.New("hoxton auth: the token endpoint has no revocation")

// CanRevoke reports whether Revoke would contact a revocation endpoint.
func (s *Source) CanRevoke() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.creds.RevocationURL != "" && s.invalid == nil && s.dialect() != DialectCAM2
}

// Revoke cancels the tokens this Source obtained, for credentials that are
// being deleted or replaced: with RFC 7009 for Standard (the refresh token,
// then the access token), with the revoke endpoint for CamStreamer (the
// access token, which cancels its refresh token too). Afterwards the Source
// hands out no token. It runs under ctx: the caller decides how long a
// revocation may take. Errors are *Error or ErrRevocationUnsupported.
func (s *Source) Revoke(ctx context.Context) error {
	s.mu.Lock()
	creds, access := s.creds, ""
	if s.tok != nil {
		access = s.tok.AccessToken
	}
	s.revoked = true
	s.tok = nil
	s.mu.Unlock()
	if !s.CanRevoke() {
		return ErrRevocationUnsupported
	}
	now := s.opts.Now()
	var err error
	switch s.dialect() {
	case DialectCamStreamer:
		err = s.revokeCamStreamer(ctx, creds, access)
	default:
		err = s.revokeRFC7009(ctx, creds, access)
	}
	e := asError(err, now)
	observeRevocation(s.dialect(), e)
	if e != nil {
		return e
	}
	return nil
}

// revokeCamStreamer revokes the access token. Without one (nothing fetched
// since the manager started), a refresh gets one first: revoking it is the
// only way to cancel the refresh token.
func (s *Source) revokeCamStreamer(ctx context.Context, c Credentials, access string) error {
	if access == "" {
		if c.RefreshToken == "" {
			return nil
		}
		tok, err := retrieveCamStreamer(ctx, s.httpClient(), c, c.RefreshToken, s.opts.Now())
		if err != nil {
			return err
		}
		access = tok.AccessToken
	}
	a, err := post(ctx, s.httpClient(), c.RevocationURL, url.Values{"access_token": {access}}, true)
	if err != nil {
		return err
	}
	if e := a.failure(s.opts.Now()); e != nil {
		return e
	}
	if ok := false; a.field("success", &ok) != nil || !ok {
		msg := a.str("message")
		if msg == "" {
			msg = "the revoke endpoint did not answer success"
		}
		return &Error{Kind: KindRejected, StatusCode: a.status, Description: truncate(msg)}
	}
	return nil
}

// revokeRFC7009 revokes the refresh token (which, by RFC 7009, may cancel
// the access tokens issued with it) and the access token.
func (s *Source) revokeRFC7009(ctx context.Context, c Credentials, access string) error {
	var errs []error
	for _, t := range []struct{ token, hint string }{{c.RefreshToken, "refresh_token"}, {access, "access_token"}} {
		if t.token == "" {
			continue
		}
		a, err := post(ctx, s.httpClient(), c.RevocationURL, url.Values{
			"token": {t.token}, "token_type_hint": {t.hint}, "client_id": {c.ClientID}, "client_secret": {c.ClientSecret},
		}, false)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if e := a.failure(s.opts.Now()); e != nil {
			if t.hint == "access_token" && e.Code == "unsupported_token_type" {
				// RFC 7009 section 2.2.1: a server may not revoke access
				// tokens (Auth0 revokes refresh tokens only); they expire.
				continue
			}
			errs = append(errs, e)
		}
	}
	return errors.Join(errs...)
}
