package kinds_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// Client secrets the Connection tests put in Secrets, besides the fake's own.
const (
	rotatedClientSecret = "rotating-secret-two-3f8a"
	wrongClientSecret   = "wrong-secret-7c2e91d4"
)

// credentialsSecret returns a Secret with the given keys.
func credentialsSecret(ns, name string, data map[string]string) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, StringData: data}
}

// secretValue reads one key of a Secret.
func secretValue(t testing.TB, ns, name, k string) string {
	t.Helper()
	s := &corev1.Secret{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, s); err != nil {
		t.Fatalf("reading Secret %s/%s: %v", ns, name, err)
	}
	return string(s.Data[k])
}

// TestConnectionSecretRotation: a new client secret written to the Secret is used at
// once by the running manager, without a restart.
func TestConnectionSecretRotation(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newNamespace(t)
	secret := credentialsSecret(ns, "rotating-credentials", map[string]string{
		v1alpha1.SecretKeyClientID: rotatingClientID, v1alpha1.SecretKeyClientSecret: rotatingClientSecret,
	})
	create(t, secret)
	conn := env.Connection(ns, v1alpha1.DefaultConnectionName, secret.Name)
	create(t, conn)
	site := siteCase.build(fixture{ns: ns}, "hq").(*v1alpha1.Site)
	create(t, site)
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
	waitReady(t, site)

	// HoxtonAi rotates the client's secret: the old one is refused from now on.
	env.API.SetClientSecret(rotatingClientID, rotatedClientSecret)
	t.Cleanup(func() { env.API.SetClientSecret(rotatingClientID, rotatingClientSecret) })
	tokens := env.API.TokenRequests("client_credentials")
	update(t, secret, func(s *corev1.Secret) {
		s.Data[v1alpha1.SecretKeyClientSecret] = []byte(rotatedClientSecret)
	})
	eventually(t, "a token request with the rotated secret", func() (bool, string) {
		n := env.API.TokenRequests("client_credentials") - tokens
		return n > 0, fmt.Sprintf("%d token requests", n)
	})
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)

	// Every token the manager holds stops working: only the new secret can get another.
	env.API.RevokeAllTokens()
	update(t, site, func(s *v1alpha1.Site) { siteCase.mutate(s) })
	waitReady(t, site)
	if d := siteCase.mismatch(site, fakeObject(t, "sites", site.Status.ExternalID)); d != "" {
		t.Fatalf("after the rotation the site was not updated: %s", d)
	}
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
}

// TestConnectionCredentialsRejected: a Secret the token endpoint refuses gives
// Ready=False/CredentialsRejected, objects using the Connection wait for it and say
// why, and correcting the Secret brings everything back. The poll interval is long:
// all of it must come from watches.
func TestConnectionCredentialsRejected(t *testing.T) {
	startManager(t, operator.Options{PollInterval: longPollInterval})
	ns := newNamespace(t)
	secret := credentialsSecret(ns, "bad-credentials", map[string]string{
		v1alpha1.SecretKeyClientID: hoxtontest.DefaultClientID, v1alpha1.SecretKeyClientSecret: wrongClientSecret,
	})
	// The site first: it is reconciled when the Connection appears, before the
	// Connection is checked, and must still learn why the Connection is not Ready.
	site := siteCase.build(fixture{ns: ns}, "hq").(*v1alpha1.Site)
	create(t, site)
	waitSyncedFalse(t, site, conditions.ReasonReferencesNotReady)
	create(t, secret)
	conn := env.Connection(ns, v1alpha1.DefaultConnectionName, secret.Name)
	create(t, conn)

	waitConnection(t, conn, metav1.ConditionFalse, conditions.ReasonCredentialsRejected)
	waitFor(t, site, "Synced=False/ReferencesNotReady naming the Connection's CredentialsRejected", func(s *v1alpha1.Site) bool {
		c := cond(s, conditions.TypeSynced)
		return c != nil && c.Reason == conditions.ReasonReferencesNotReady && strings.Contains(c.Message, conditions.ReasonCredentialsRejected)
	})

	update(t, secret, func(s *corev1.Secret) {
		s.Data[v1alpha1.SecretKeyClientSecret] = []byte(hoxtontest.DefaultClientSecret)
	})
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
	waitReady(t, site)
}

// TestConnectionCannotReadOtherNamespaceSecret: a Connection names its Secret without
// a namespace (the field does not exist: the API server drops it), so a Secret that
// only exists in another namespace is never found, while a Connection of that other
// namespace uses it fine.
func TestConnectionCannotReadOtherNamespaceSecret(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	nsA, nsB := newNamespace(t), newNamespace(t)
	create(t, testenv.ConnectionSecret(nsB, "shared-credentials"))

	// The Connection of nsA tries to name nsB's Secret.
	conn := env.Connection(nsA, v1alpha1.DefaultConnectionName, "shared-credentials")
	raw, err := json.Marshal(conn)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	if err := json.Unmarshal(raw, &u.Object); err != nil {
		t.Fatal(err)
	}
	u.SetAPIVersion(v1alpha1.GroupVersion.String())
	u.SetKind("Connection")
	if err := unstructured.SetNestedField(u.Object, nsB, "spec", "credentialsSecretRef", "namespace"); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Create(ctx, u); err != nil {
		if !strings.Contains(err.Error(), "namespace") {
			t.Fatalf("creating the Connection with a Secret namespace: %v", err)
		}
		// Refused outright (strict field validation): create it without the field.
		create(t, conn)
	}
	get(t, conn)
	if conn.Spec.CredentialsSecretRef.Name != "shared-credentials" {
		t.Fatalf("the Connection's Secret reference is %+v", conn.Spec.CredentialsSecretRef)
	}
	stored := &unstructured.Unstructured{}
	stored.SetGroupVersionKind(v1alpha1.GroupVersion.WithKind("Connection"))
	if err := env.Client.Get(ctx, key(conn), stored); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := unstructured.NestedString(stored.Object, "spec", "credentialsSecretRef", "namespace"); found {
		t.Fatalf("the API server kept a namespace in the Connection's Secret reference: %v", stored.Object["spec"])
	}

	other := env.Connection(nsB, v1alpha1.DefaultConnectionName, "shared-credentials")
	create(t, other)
	site := siteCase.build(fixture{ns: nsA}, "hq").(*v1alpha1.Site)
	create(t, site)

	waitConnection(t, conn, metav1.ConditionFalse, conditions.ReasonSecretNotFound)
	if msg := cond(conn, conditions.TypeReady).Message; !strings.Contains(msg, nsA+"/shared-credentials") {
		t.Fatalf("the SecretNotFound message %q does not name the Secret of the Connection's own namespace", msg)
	}
	waitConnection(t, other, metav1.ConditionTrue, conditions.ReasonAvailable)
	waitSyncedFalse(t, site, conditions.ReasonReferencesNotReady)
	if site.Status.ExternalID != "" {
		if _, ok := env.API.Object("sites", site.Status.ExternalID); ok {
			t.Fatalf("a site was created through a Connection without credentials")
		}
	}
}

// TestConnectionRefreshTokenRotation: with the RefreshToken grant and
// writeBackRefreshToken, a refresh token the authorization server rotates is written
// back to the Secret, writing it back costs no extra token request, and a restarted
// manager logs in with it (the old one no longer works). Without writeBackRefreshToken
// the Secret is never written (TestForegroundDeletionKeepsTheTokenState).
func TestConnectionRefreshTokenRotation(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newNamespace(t)
	first := env.API.IssueRefreshToken(hoxtontest.DefaultClientID)
	secret := credentialsSecret(ns, "refresh-credentials", map[string]string{
		v1alpha1.SecretKeyClientID: hoxtontest.DefaultClientID, v1alpha1.SecretKeyClientSecret: hoxtontest.DefaultClientSecret,
		v1alpha1.SecretKeyRefreshToken: first,
	})
	conn := env.Connection(ns, v1alpha1.DefaultConnectionName, secret.Name)
	conn.Spec.Grant = v1alpha1.GrantRefreshToken
	conn.Spec.WriteBackRefreshToken = true
	grants := env.API.TokenRequests("refresh_token")
	create(t, secret)
	create(t, conn)
	site := siteCase.build(fixture{ns: ns}, "hq").(*v1alpha1.Site)
	create(t, site)

	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
	var second string
	eventually(t, "the rotated refresh token in the Secret", func() (bool, string) {
		second = secretValue(t, ns, secret.Name, v1alpha1.SecretKeyRefreshToken)
		return second != "" && second != first, "still the first refresh token"
	})
	waitReady(t, site)
	if n := env.API.TokenRequests("refresh_token") - grants; n != 1 {
		t.Fatalf("%d refresh_token grants, want 1: writing the rotated token back must not cost another", n)
	}

	// A new manager (empty token cache) logs in with what the Secret holds now.
	stopManager(t)
	restartManager(t, operator.Options{PollInterval: pollInterval})
	update(t, site, func(s *v1alpha1.Site) { siteCase.mutate(s) })
	waitReady(t, site)
	if d := siteCase.mismatch(site, fakeObject(t, "sites", site.Status.ExternalID)); d != "" {
		t.Fatalf("the restarted manager did not update the site: %s", d)
	}
	eventually(t, "the next rotated refresh token in the Secret", func() (bool, string) {
		third := secretValue(t, ns, secret.Name, v1alpha1.SecretKeyRefreshToken)
		return third != "" && third != second, "still the second refresh token"
	})
}
