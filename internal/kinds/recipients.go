package kinds

import (
	"fmt"
	"slices"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/safeurl"
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
// webhook's shape open; the operator sends {"url": …}. The URL, inline or from a
// Secret, must pass safeurl.Webhook: HoxtonAi would otherwise post to a metadata or
// loopback address of its own. The CRD checks an inline URL at apply time; this
// check covers the Secret's value, and inline URLs stored before that rule. The
// refusal is Terminal, comes before any write and never repeats the URL.
func webhookOf(w *v1alpha1.Webhook, refs managed.Refs) (map[string]any, error) {
	if w == nil {
		return nil, nil
	}
	url, source := w.URL, "spec.webhook.url"
	if sel := w.URLSecretRef; sel != nil {
		url, source = refs.Secret(*sel), fmt.Sprintf("the webhook URL in Secret %q key %q", sel.Name, sel.Key)
		if url == "" {
			// Only a plan lacks the Secret (it says so); the reconciler waits for it.
			return map[string]any{"url": url}, nil
		}
	}
	if err := safeurl.Webhook(url); err != nil {
		return nil, managed.Terminal("%s %v; nothing was written to HoxtonAi", source, err)
	}
	return map[string]any{"url": url}, nil
}
