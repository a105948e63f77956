package connection

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// ReasonRevocationSkipped is the event of a deleted Connection whose tokens were
// not revoked because it went with its CustomResourceDefinition, or because that
// could not be told.
const ReasonRevocationSkipped = "RevocationSkipped"

// revokeUnlessUninstalled revokes the tokens of a deleted Connection's credentials,
// unless the Connection goes because its CustomResourceDefinition does. An uninstall
// changes nothing in HoxtonAi (see managed.CRDs), and a revoked refresh token, the
// one the user's Secret holds since its rotation was copied there, would lock out
// the Connection applied again after a reinstall. When the CRD cannot be read,
// nothing is revoked either: the tokens expire on their own, and the deletion never
// waits for this.
func (r *Reconciler[C]) revokeUnlessUninstalled(ctx context.Context, conn C, src *auth.Source) {
	if src == nil || !src.CanRevoke() {
		return
	}
	crd, going, err := r.crds.Going(ctx, conn)
	switch {
	case err != nil:
		r.recorder.Eventf(conn, nil, corev1.EventTypeWarning, ReasonRevocationSkipped, "Revoke",
			"did not revoke the tokens of the deleted Connection's credentials: cannot tell whether CustomResourceDefinition %s is being deleted (%s); they expire on their own",
			crd, managed.DescribeCRDError(err))
	case going:
		r.recorder.Eventf(conn, nil, corev1.EventTypeWarning, ReasonRevocationSkipped, "Revoke",
			"did not revoke the tokens of the deleted Connection's credentials: it is deleted because its CustomResourceDefinition %s is, and uninstalling changes nothing in HoxtonAi", crd)
	default:
		r.resolver.revoke(conn, src, "deleted Connection's")
	}
}
