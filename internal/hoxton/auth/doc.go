// Package auth obtains OAuth2 access tokens for the HoxtonAi API from its
// Auth0-style authorization server, and from token endpoints that speak other
// dialects (Dialect: CAM2, CamStreamer).
//
// The contract, for an operator manager that runs for months and reconciles
// hundreds of objects against one organisation:
//
//   - One token per set of credentials. A Cache hands out one Source per
//     Credentials; concurrent callers of Source.Token share a single request
//     (single flight) and the cached token until shortly before it expires.
//     Requests run under the long-lived context given to NewCache, never under
//     a caller's context, so a caller that gives up does not cancel a request
//     other callers wait for.
//   - No storms. An unavailable endpoint (network error, 5xx, 429) is retried
//     with exponential backoff from 1s to 1min, longer if the server sends
//     Retry-After; repeated rejections open a circuit breaker that fails fast
//     until a cooldown has passed or new credentials are supplied.
//   - No leaks. Secrets and tokens never appear in error texts, in the
//     formatted or JSON-encoded forms of Credentials, Source or Cache, and the
//     package does not log.
//   - Every request carries the audience parameter; client credentials are
//     sent in the form body. The client_credentials, password and
//     refresh_token grants go through golang.org/x/oauth2/clientcredentials
//     (whose EndpointParams may override grant_type); the authorization code
//     flow with PKCE uses oauth2.Config (AuthCodeFlow).
//   - A refresh may return a new refresh token; it replaces the old one and is
//     handed to the caller's Persist (or onRotate) before the new access token
//     is handed out, retried until saved. The replaced token is kept as
//     PreviousRefreshToken until the new one has been used once, and is
//     forgotten by the Cache: a rotated-away token gets nothing from it.
//   - Cache.SourceFor keeps one Source per owner (a Connection), so no two
//     owners share tokens; Forget and Revoke end a Source's tokens.
//
// Token requests are counted in hoxton_token_requests_total{grant,dialect,result},
// revocations in hoxton_token_revocations_total{dialect,result}.
package auth
