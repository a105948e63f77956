package kinds

import (
	"slices"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// emailsOf maps the spec's recipients to the wire list.
func emailsOf(emails []v1alpha1.EmailAddress) []string {
	if len(emails) == 0 {
		return nil
	}
	out := make([]string, len(emails))
	for i, e := range emails {
		out[i] = string(e)
	}
	return out
}

// sortedSet compares a list whose order HoxtonAi need not keep.
func sortedSet[T ~string](list []T) []string {
	if len(list) == 0 {
		return nil
	}
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	slices.Sort(out)
	return out
}

// webhookSecrets are the Secret keys a webhook takes its URL from.
func webhookSecrets(w *v1alpha1.Webhook) []v1alpha1.SecretKeySelector {
	if w == nil || w.URLSecretRef == nil {
		return nil
	}
	return []v1alpha1.SecretKeySelector{*w.URLSecretRef}
}

// webhookOf maps a webhook to the wire object. Assumption A10: the contract leaves the
// webhook's shape open; the operator sends {"url": …}.
func webhookOf(w *v1alpha1.Webhook, refs managed.Refs) map[string]any {
	switch {
	case w == nil:
		return nil
	case w.URLSecretRef != nil:
		return map[string]any{"url": refs.Secret(*w.URLSecretRef)}
	}
	return map[string]any{"url": w.URL}
}
