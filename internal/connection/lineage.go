package connection

import (
	"context"
	"math/rand/v2"
	"net/http"
	"time"

	"k8s.io/apimachinery/pkg/types"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// lineageBackoff is how long a Connection whose refresh token another manager
// rotated away waits before it uses the token state's newer one (jittered up to
// twice that). Two managers of one Connection (a `make run` beside a deployed
// operator, or leader election turned off) then take turns rarely instead of
// racing each other's rotations.
const lineageBackoff = 10 * time.Second

// rejoinLineage is called when the token endpoint refused old, the refresh token
// source of conn. If the token state holds another refresh token of the same
// lineage (another manager rotated the one old used), the Connection continues
// from it with a new source, without revoking anything, and rejoinLineage
// returns how long to wait before the next check. It returns false when the state
// holds nothing newer: the refusal is real.
func (r *Resolver) rejoinLineage(ctx context.Context, conn Object, old *auth.Source) (time.Duration, bool) {
	if conn.GetParameters().Grant != v1alpha1.GrantRefreshToken {
		return 0, false
	}
	r.mu.Lock()
	if e := r.entries[connectionKey(conn)]; e != nil && e.source == old {
		e.lineageLost, e.secretVersion = true, "" // rebuilt at the next use
	}
	r.mu.Unlock()
	_, source, err := r.Client(ctx, conn)
	if err != nil || source == old {
		return 0, false
	}
	return lineageBackoff + rand.N(lineageBackoff), true
}

// tokenSource returns conn's one token source and the grant it serves. A
// RefreshToken Connection continues from its token state Secret; a source whose
// credentials were replaced has its tokens revoked.
func (r *Resolver) tokenSource(ctx context.Context, conn Object, creds auth.Credentials, httpClient *http.Client,
	secretKey types.NamespacedName, prev *entry) (*auth.Source, string, error) {
	seed := seedOf(creds.RefreshToken)
	creds, continued, err := r.withTokenState(ctx, conn, secretKey.Namespace, creds)
	if err != nil {
		return nil, "", err
	}
	grant := grantOf(creds)
	sameGrant := continued && prev != nil && prev.grant == grant
	if sameGrant && prev.generation == conn.GetGeneration() && !prev.lineageLost {
		// The Secret changed by a rotation of the same lineage: this manager's
		// copy of its own rotation, or another manager's (two managers without
		// leader election). Keep the Source and its access token: a new Source
		// would refresh at once, and two managers would rotate the token in
		// turn for ever. A Source whose token was rotated away rejoins the
		// lineage when the token endpoint refuses it (rejoinLineage).
		return prev.source, grant, nil
	}
	// Token requests carry the client secret: never follow a redirect with them.
	source, replaced := r.tokens.SourceFor(connectionKey(conn), creds, auth.SourceOptions{
		HTTPClient: hoxton.WithoutRedirects(httpClient), Persist: r.saveRotation(conn, seed, secretKey),
	})
	if !sameGrant {
		// Tokens of the same lineage are never revoked: the lineage goes on, and a
		// revoked refresh token may take its whole family with it.
		r.revoke(conn, replaced, "replaced")
	}
	return source, grant, nil
}

// grantOf identifies credentials without their refresh token: two credentials of
// one grant differ at most in how far their lineage of refresh tokens went.
func grantOf(c auth.Credentials) string {
	c.RefreshToken, c.PreviousRefreshToken = "", ""
	return c.Key()
}
