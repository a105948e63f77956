package managed

import corev1 "k8s.io/api/core/v1"

// LabelShard assigns an object to a manager shard (--shard): a manager with a shard
// key caches only the objects carrying this label with its key, a manager without
// one only the objects without the label. An organisation's Connection and every
// object that uses it carry the same value.
const LabelShard = "hoxtonai.dev/shard"

// ShardOf is the shard an object is labelled with ("" for the default shard).
func ShardOf(labelled interface{ GetLabels() map[string]string }) string {
	return labelled.GetLabels()[LabelShard]
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
