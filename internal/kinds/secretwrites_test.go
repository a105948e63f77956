package kinds_test

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/connection"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// TestSecretWritesOnlyInNamedNamespaces: with --secret-write-namespaces, the operator
// writes no Secret elsewhere. There a ClientCredentials Connection still works (its
// Secret is read, not labelled, and no copy of it is kept), while a RefreshToken
// Connection and an OAuthClient, which cannot work without writing, say so before any
// request to HoxtonAi.
func TestSecretWritesOnlyInNamedNamespaces(t *testing.T) {
	allowed, denied := newConnectedNamespace(t), newConnectedNamespace(t)
	startManager(t, operator.Options{PollInterval: pollInterval,
		Tenancy: operator.Tenancy{SecretWrites: managed.SecretWrites{Namespaces: []string{allowed}}}})
	refreshGrants, calls := env.API.TokenRequests("refresh_token"), countCalls()

	sites := map[string]*v1alpha1.Site{}
	for _, ns := range []string{allowed, denied} {
		sites[ns] = siteCase.build(fixture{ns: ns}, "hq").(*v1alpha1.Site)
		create(t, sites[ns])
	}
	secret := credentialsSecret(denied, "refresh-credentials", map[string]string{
		v1alpha1.SecretKeyClientID: hoxtontest.DefaultClientID, v1alpha1.SecretKeyClientSecret: hoxtontest.DefaultClientSecret,
		v1alpha1.SecretKeyRefreshToken: env.API.IssueRefreshToken(hoxtontest.DefaultClientID),
	})
	refresh := env.Connection(denied, "refresh", secret.Name)
	refresh.Spec.Grant = v1alpha1.GrantRefreshToken
	oauth := oauthClientCase.build(fixture{ns: denied}, "dashboard").(*v1alpha1.OAuthClient)
	for _, o := range []client.Object{secret, refresh, oauth} {
		create(t, o)
	}

	for _, s := range sites {
		waitReady(t, s)
	}
	waitConnection(t, refresh, metav1.ConditionFalse, managed.ReasonSecretWritesNotAllowed)
	if msg := cond(refresh, conditions.TypeReady).Message; !strings.Contains(msg, "--secret-write-namespaces") {
		t.Errorf("the RefreshToken Connection does not say how to allow it: %q", msg)
	}
	waitSyncedFalse(t, oauth, conditions.ReasonTerminal)
	if msg := cond(oauth, conditions.TypeSynced).Message; !strings.Contains(msg, managed.ReasonSecretWritesNotAllowed+": ") {
		t.Errorf("the OAuthClient does not say why: %q", msg)
	}
	if n := env.API.TokenRequests("refresh_token") - refreshGrants; n != 0 {
		t.Errorf("%d refresh_token grants for a Connection that cannot keep its rotated token", n)
	}
	if n := calls.count("PUT", "/oauth-clients") + calls.count("POST", "/oauth-clients"); n != 0 {
		t.Errorf("%d OAuth client writes for an OAuthClient that cannot deliver its secret", n)
	}

	// Nothing of the operator's in the denied namespace's Secrets; the allowed one's
	// Secret is labelled for the watch as before.
	labelled := func(ns string) bool {
		s := &corev1.Secret{}
		if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: v1alpha1.DefaultConnectionName + "-credentials"}, s); err != nil {
			t.Fatal(err)
		}
		return s.Labels[connection.SecretLabel] == "true"
	}
	eventually(t, "the allowed namespace's Secret labelled", func() (bool, string) { return labelled(allowed), "not labelled" })
	consistently(t, 2*time.Second, "no write to the denied namespace's Secrets", func() (bool, string) {
		if labelled(denied) {
			return false, "the Connection's Secret was labelled"
		}
		list := &corev1.SecretList{}
		if err := env.Client.List(ctx, list, client.InNamespace(denied), client.HasLabels{connection.LabelTokenState}); err != nil {
			t.Fatal(err)
		}
		if len(list.Items) > 0 {
			return false, "a token state Secret was written: " + list.Items[0].Name
		}
		err := env.Client.Get(ctx, client.ObjectKey{Namespace: denied, Name: oauth.Spec.WriteCredentialsToSecretRef.Name}, &corev1.Secret{})
		if !apierrors.IsNotFound(err) {
			return false, "the OAuthClient's credentials Secret was written"
		}
		return true, ""
	})
}
