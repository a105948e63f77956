package kinds_test

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/connection"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// waitCredentialsCopy waits until the token state Secret of the Connection
// "default" of ns holds the copy of its credentials.
func waitCredentialsCopy(t *testing.T, ns string) {
	t.Helper()
	eventually(t, "the copy of the credentials in the token state Secret", func() (bool, string) {
		state := &corev1.Secret{}
		if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: stateSecretName}, state); err != nil {
			return false, err.Error()
		}
		return len(state.Data["credentials."+v1alpha1.SecretKeyClientSecret]) > 0, "no copy yet"
	})
}

// TestDeletingEverythingWhileTheManagerIsDown: the Secret, the Connection and a Site
// are deleted together while the manager is down. The Secret goes at once (the
// operator puts no finalizer on it); the restarted manager still has the
// credentials, from the copy in the Connection's token state Secret: the Site is
// deleted in HoxtonAi, then the Connection goes; nothing hangs.
func TestDeletingEverythingWhileTheManagerIsDown(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	site, id := doomedSite(t, ns)
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName + "-credentials"}}
	get(t, secret)
	if len(secret.Finalizers) > 0 {
		t.Errorf("the Connection's Secret carries finalizers %v", secret.Finalizers)
	}

	stopManager(t)
	conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName}}
	deleteObject(t, secret)
	deleteObject(t, conn)
	deleteObject(t, site)
	waitGone(t, secret)
	restartManager(t, operator.Options{PollInterval: pollInterval})

	waitGone(t, site)
	if got := fakeField(fakeObject(t, "sites", id), "state"); got != "deleted" {
		t.Fatalf("the site is %q in HoxtonAi after its object was deleted, want deleted", got)
	}
	waitGone(t, conn)
}

// TestNamespaceDeletedAfterTheOperatorIsGone: the manager is gone (uninstalled,
// scaled to zero) and a namespace with a Connection, its Secret and an object with
// deletionPolicy Orphan is deleted. The Secret goes: nothing of the operator's holds
// it. The Connection's token state stays (being deleted) as long as the Connection,
// which waits for the operator. (envtest runs no namespace controller: the test
// deletes what it would.)
func TestNamespaceDeletedAfterTheOperatorIsGone(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	site := isolationSite(ns, "kept", nil)
	site.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan
	create(t, site)
	waitReady(t, site)
	waitCredentialsCopy(t, ns)
	stopManager(t)

	if err := env.Client.Delete(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatalf("deleting namespace %s: %v", ns, err)
	}
	for _, o := range []client.Object{&corev1.Secret{}, &v1alpha1.Connection{}, &v1alpha1.Site{}} {
		if err := env.Client.DeleteAllOf(ctx, o, client.InNamespace(ns)); err != nil {
			t.Fatalf("deleting the %T of namespace %s: %v", o, ns, err)
		}
	}
	waitGone(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName + "-credentials"}})
	state := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: stateSecretName}}
	get(t, state)
	if state.DeletionTimestamp == nil || !slices.Contains(state.Finalizers, connection.TokenStateFinalizer) {
		t.Errorf("the token state: deletion %v, finalizers %v; want held while its Connection waits", state.DeletionTimestamp, state.Finalizers)
	}

	// The operator back: what waited for it goes, without HoxtonAi for the Orphan.
	restartManager(t, operator.Options{PollInterval: pollInterval})
	waitGone(t, site)
	waitGone(t, &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName}})
	waitGone(t, state)
}

// TestOldSecretFinalizerIsRemoved: Secrets that an earlier version held with
// hoxtonai.dev/connection-secret-in-use lose it when the manager starts.
func TestOldSecretFinalizerIsRemoved(t *testing.T) {
	ns := newNamespace(t)
	secret := credentialsSecret(ns, "held-credentials", map[string]string{v1alpha1.SecretKeyClientID: "id"})
	secret.Labels = map[string]string{connection.SecretLabel: "true"}
	secret.Finalizers = []string{connection.SecretFinalizer, "example.com/someone-elses"}
	create(t, secret)
	t.Cleanup(func() { patchOutFinalizer(t, secret, "example.com/someone-elses") })
	startManager(t, operator.Options{PollInterval: pollInterval})
	waitFor(t, secret, "the old finalizer removed", func(s *corev1.Secret) bool {
		return !slices.Contains(s.Finalizers, connection.SecretFinalizer)
	})
	if !slices.Contains(secret.Finalizers, "example.com/someone-elses") {
		t.Errorf("another finalizer was removed too: %v", secret.Finalizers)
	}
}

// doomedSite creates a Site in ns, waits until it is Ready and its Connection keeps a
// copy of its credentials, and returns it with its HoxtonAi id: the start of the
// tests that delete a Connection's Secret before the objects that need it.
func doomedSite(t *testing.T, ns string) (managed.Object, string) {
	t.Helper()
	site := siteCase.build(newFixture(t, ns), "doomed")
	create(t, site)
	waitReady(t, site)
	waitCredentialsCopy(t, ns)
	return site, site.GetManagedStatus().ExternalID
}
