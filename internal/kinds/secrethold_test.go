package kinds_test

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/connection"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// TestDeletingEverythingWhileTheManagerIsDown: the Secret, the Connection and a Site
// are deleted together while the manager is down. The Connection's Secret is held by
// a finalizer, so the restarted manager still has the credentials: the Site is
// deleted in HoxtonAi, then the Connection and the Secret go; nothing hangs.
func TestDeletingEverythingWhileTheManagerIsDown(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	f := newFixture(t, ns)
	site := siteCase.build(f, "doomed")
	create(t, site)
	waitReady(t, site)
	id := site.GetManagedStatus().ExternalID
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName + "-credentials"}}
	waitFor(t, secret, "the Connection's hold on its Secret", func(s *corev1.Secret) bool {
		return slices.Contains(s.Finalizers, connection.SecretFinalizer)
	})

	stopManager(t)
	conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName}}
	deleteObject(t, secret)
	deleteObject(t, conn)
	deleteObject(t, site)
	restartManager(t, operator.Options{PollInterval: pollInterval})

	waitGone(t, site)
	if got := fakeField(fakeObject(t, "sites", id), "state"); got != "deleted" {
		t.Fatalf("the site is %q in HoxtonAi after its object was deleted, want deleted", got)
	}
	waitGone(t, conn)
	waitGone(t, secret)
}
