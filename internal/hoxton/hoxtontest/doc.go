// Package hoxtontest is a fake HoxtonAi API: a real HTTP server, for Go tests
// (NewServer) and for processes (NewHandler, used by `hoxtonctl fake-api`).
//
// The fake implements the contract in internal/hoxton/openapi.yaml together
// with the assumptions A1–A16 of docs/api-assumptions.md, and it is deliberately
// strict, so that a client that works against it has a good chance of working
// against the real service:
//
//   - Authentication. POST /oauth/token issues opaque bearer tokens bound to an
//     organisation and an expiry (grants client_credentials, password,
//     refresh_token, authorization_code with PKCE; JSON or form bodies; client
//     credentials in the body or HTTP Basic). GET /authorize approves every
//     request and redirects with a code. Every /api/v0 request needs a valid
//     token, under the scheme it was issued for, else 401. POST /oauth/revoke
//     revokes tokens (RFC 7009). Options.TokenDialect adds the token endpoint
//     of CAM2 (/token/, /refresh_token/, JWT tokens) or CamStreamer
//     (/oauth2/token, /oauth2/revoke, errors at HTTP 200); see dialects.go.
//   - Organisations. Every object belongs to an organisation, directly
//     (organisationId) or through the object it hangs off (site, monitor, alert,
//     camera position). Touching another organisation's object answers 403, and
//     so does writing an organisationId other than the caller's. A reference in
//     a body (siteId, alertId, …) to an object that does not exist, is deleted
//     or belongs to another organisation answers 422.
//   - Upsert. PUT /<collection> creates (201, body = stored object, the id is
//     generated when the body has none) or fully replaces the writable fields of
//     an existing object (204, no body; server fields such as createdAt are
//     kept). A PUT naming a soft-deleted object answers 410 (A8).
//   - Soft delete. DELETE answers 204 and sets state "deleted" and deletedAt;
//     DELETE of a deleted object answers 410. Of the two behaviours A1 allows,
//     the fake picks this one: GET of a soft-deleted object answers 200 with
//     state "deleted". Lists only return active objects. OAuth clients are
//     hard-deleted (a second DELETE answers 404).
//   - Validation. Malformed JSON, a body that is not a JSON object, a missing or
//     wrong Content-Type and unknown query parameters answer 400. Missing
//     required fields, wrong types, bad enums, malformed uuids and dates,
//     out-of-range numbers, unknown body fields (a typo must not be silently
//     dropped) and dangling references answer 422 with a message naming the
//     field. Read-only fields sent back in a body (createdAt, deletedAt, …) are
//     accepted and ignored. Unknown paths answer 404, and known paths with the
//     wrong method 405.
//   - Cameras (A3, A4). POST /cameras claims a serial number once (409 for any
//     later claim, by anyone) and creates a camera with a fresh camera position,
//     whose id is a valid cameraPositionId reference everywhere.
//   - Faults. 429 and 503 only come from faults injected with AddFault; the fake
//     never throttles on its own.
//   - GET /healthz answers 200 (outside /api/v0, no token needed), for
//     readiness checks of `hoxtonctl fake-api`.
//
// The test hooks (AddFault, SetLatency, Requests, Object, SetObject, ClaimElsewhere,
// RevokeAllTokens, …) are safe for concurrent use with requests in flight.
// Secrets and tokens never appear in anything the fake logs or records: the
// request log only covers /api/v0 requests, whose bodies carry neither.
package hoxtontest
