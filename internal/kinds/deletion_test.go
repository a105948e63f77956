package kinds_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// TestDeletingEverythingAtOnce: deleting the Secret, the Connection and the objects
// that use them in one go (kubectl delete -f on a folder, deleting an Argo CD
// application) still deletes the objects in HoxtonAi, because the Connection waits
// for the objects that use it and keeps the credentials it had; then it goes too.
func TestDeletingEverythingAtOnce(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	waitDefaultConnectionReady(t, ns)
	site := siteCase.build(fixture{ns: ns}, "hq").(*v1alpha1.Site)
	create(t, site)
	waitReady(t, site)
	id := site.Status.ExternalID

	conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName}}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName + "-credentials"}}
	// In file order, as kubectl does: credentials first.
	deleteObject(t, secret)
	deleteObject(t, conn)
	deleteObject(t, site)

	waitGone(t, site)
	if state := fakeField(fakeObject(t, "sites", id), "state"); state != "deleted" {
		t.Fatalf("site %s in HoxtonAi: state %q, want deleted", id, state)
	}
	waitGone(t, conn)
}
