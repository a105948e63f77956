package connection

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// movedToAnotherShard reports whether a Connection this manager's cache no longer
// holds still exists: relabelled into another shard (managed.LabelShard), whose
// manager serves it from then on with the same credentials. This shard then drops
// its client only; revoking its tokens or releasing its token state, as for a
// deleted Connection, would lock the new shard out (a revoked refresh token, a
// rotated one whose state is gone).
func (r *Resolver) movedToAnotherShard(ctx context.Context, conn Object) (bool, error) {
	meta := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{
		APIVersion: v1alpha1.GroupVersion.String(), Kind: string(conn.Reference().Kind)}}
	err := r.secrets.Get(ctx, client.ObjectKeyFromObject(conn), meta)
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}
