package managed

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
)

// LabelShard assigns an object to a manager shard (--shard): a manager with a shard
// key caches only the objects carrying this label with its key, a manager without
// one only the objects without the label. An organisation's Connection and every
// object that uses it carry the same value.
const LabelShard = "hoxtonai.dev/shard"

// ReasonShardMismatch is the Synced reason of an object labelled for another shard
// than its Connection.
const ReasonShardMismatch = "ShardMismatch"

// ShardOf is the shard an object is labelled with ("" for the default shard).
func ShardOf(labelled interface{ GetLabels() map[string]string }) string {
	return labelled.GetLabels()[LabelShard]
}

// connectionShard returns the shard of the Connection o uses, and whether that
// Connection exists. The shard's cache holds only its own Connections, so one
// missing from the cache is read uncached (metadata only): that costs a request
// only while the object waits for a Connection, where caching the metadata of
// every shard's Connections would cost every shard memory for the whole fleet.
func (r *Reconciler[O, S]) connectionShard(ctx context.Context, o O) (string, bool, error) {
	ref := o.GetManagedSpec().GetConnectionRef()
	key := client.ObjectKey{Namespace: o.GetNamespace(), Name: ref.Name}
	var cached client.Object = &v1alpha1.Connection{}
	if ref.Kind == v1alpha1.ConnectionKindCluster {
		key.Namespace, cached = "", &v1alpha1.ClusterConnection{}
	}
	err := r.reader.Get(ctx, key, cached)
	if err == nil {
		return ShardOf(cached), true, nil
	}
	if !apierrors.IsNotFound(err) {
		return "", false, err
	}
	meta := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: string(ref.Kind)}}
	if err := r.secrets.Get(ctx, key, meta); err != nil {
		return "", false, client.IgnoreNotFound(err)
	}
	return ShardOf(meta), true, nil
}

// refuseOtherShard reports, before anything is written, an object labelled for
// another shard than its Connection: each organisation is served by one shard, the
// one its Connection is in, so the object's shard would never get a client and the
// Connection's shard never sees the object. The shard that sees the object says so
// (of an object being deleted too, which would otherwise wait for a Connection its
// shard cannot see, under a message saying it does not exist); it reports handled
// with the result to return. The object waits for either label to change: its own
// takes it out of this shard's cache, the Connection's brings the Connection into
// it, whose watch wakes the object.
func (r *Reconciler[O, S]) refuseOtherShard(ctx context.Context, a *attempt[O, S]) (handled bool, res ctrl.Result, err error) {
	o := a.obj
	if isPaused(o) || (o.GetDeletionTimestamp() != nil && o.GetManagedStatus().ExternalID == "") {
		// Neither calls HoxtonAi nor needs the Connection: a paused object says
		// Paused, and one never created is let go at once.
		return false, ctrl.Result{}, nil
	}
	connShard, exists, err := r.connectionShard(ctx, o)
	if err != nil || !exists || connShard == ShardOf(o) {
		// A missing Connection is reported by the Connection step as usual.
		return err != nil, ctrl.Result{}, err
	}
	ref := o.GetManagedSpec().GetConnectionRef()
	msg := fmt.Sprintf("%s %q is in %s but this %s is in %s: one shard serves an organisation, the shard of its Connection; "+
		"%s (or move the %s and all its objects). Nothing was sent to HoxtonAi",
		ref.Kind, ref.Name, shardName(connShard), r.kind.Name, shardName(ShardOf(o)), labelFix(connShard, r.kind.Name), ref.Kind)
	if !conditions.IsTrue(o.GetManagedStatus().Conditions, conditions.TypeReady) {
		r.setReady(o, false, conditions.ReasonUnavailable, "not available in HoxtonAi yet")
	}
	if r.setSynced(o, false, ReasonShardMismatch, msg) {
		r.event(o, eventWarning, ReasonShardMismatch, "shard", "%s", msg)
	}
	return true, r.requeuePoll(o), nil
}

// shardName names a shard in a message.
func shardName(shard string) string {
	if shard == "" {
		return "the default shard (no label " + LabelShard + ")"
	}
	return fmt.Sprintf("shard %q (label %s=%s)", shard, LabelShard, shard)
}

// labelFix says which label to set on the object to join its Connection's shard.
func labelFix(shard, kind string) string {
	if shard == "" {
		return fmt.Sprintf("remove the label %s from this %s", LabelShard, kind)
	}
	return fmt.Sprintf("set the label %s=%s on this %s", LabelShard, shard, kind)
}

// labelWithShard gives a Secret the operator writes for owner owner's shard, so that
// the shard's cache, which holds only its own Secrets, sees it: the Secret follows
// its owner when the owner moves to another shard.
func labelWithShard(s *corev1.Secret, owner Object) {
	if shard := ShardOf(owner); shard != "" {
		if s.Labels == nil {
			s.Labels = map[string]string{}
		}
		s.Labels[LabelShard] = shard
		return
	}
	delete(s.Labels, LabelShard)
}
