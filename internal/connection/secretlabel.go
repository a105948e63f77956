package connection

import (
	"context"
	"encoding/json"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// SecretLabel marks the Secrets Connections use. The manager's cache holds (the
// metadata of) these Secrets only, so its memory does not grow with the Secrets of
// the cluster, and it learns of no other. The operator adds the label to a Secret the
// first time a Connection names it; users may set it themselves.
const SecretLabel = v1alpha1.LabelConnectionSecret

// secretMetadata returns the metadata of the Secret at key from the cache. A Secret
// the cache does not hold yet (no label) is read once, uncached, and labelled, so
// that the cache holds it from then on and its changes wake the Connection. The
// cache of a shard holds only the Secrets of its shard, so the Secret is labelled
// with shard, the shard of the Connection that reads it, too; a shard label it
// already has is left alone (two Connections of different shards would otherwise
// take it from each other in turn): the Secret is then read uncached at each check.
func (r *Resolver) secretMetadataOf(ctx context.Context, key types.NamespacedName, shard string) (*metav1.PartialObjectMetadata, error) {
	meta := secretMetadata()
	err := r.cache.Get(ctx, key, meta)
	if err == nil || !apierrors.IsNotFound(err) {
		return meta, err
	}
	meta = secretMetadata()
	if err := r.secrets.Get(withoutBodyLogging(ctx), key, meta); err != nil {
		return nil, err
	}
	add := map[string]string{}
	if meta.GetLabels()[SecretLabel] != "true" {
		add[SecretLabel] = "true"
	}
	if _, labelled := meta.GetLabels()[managed.LabelShard]; shard != "" && !labelled {
		add[managed.LabelShard] = shard
	}
	if len(add) == 0 {
		return meta, nil // labelled, but the cache has not seen it yet (or another shard's)
	}
	if !r.tenancy.SecretWrites.Allowed(key.Namespace) {
		// Read only here: the Secret is read at each check, and its changes are
		// seen at the next one unless the user labels it.
		return meta, nil
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"labels": add}})
	if err != nil {
		return nil, err
	}
	if err := r.writer.Patch(withoutBodyLogging(ctx), meta, client.RawPatch(types.MergePatchType, patch)); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, err
		}
		return nil, &ConfigError{Reason: conditions.ReasonInvalidConfiguration,
			Message: fmt.Sprintf("cannot label Secret %s with %s (%v); label it yourself", key, labelList(add), apierrors.ReasonForError(err))}
	}
	return meta, nil
}

// labelList writes labels as kubectl takes them: a=b,c=d, in a stable order.
func labelList(set map[string]string) string {
	return labels.SelectorFromSet(set).String()
}
