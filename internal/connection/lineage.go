package connection

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
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
