package kinds_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/connection"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// TestDeletingTheCRDsDeletesNothingInHoxtonAi: deleting a CRD makes the API server
// delete every object of it; an object that goes with its CRD is orphaned (an
// uninstall deletes nothing in HoxtonAi), and a Connection that goes with its CRD
// revokes no token. Deleting an object or a Connection by itself still deletes in
// HoxtonAi and revokes, here as a control (and in TestLifecycle and
// TestDialectConnections for every kind and dialect).
func TestDeletingTheCRDsDeletesNothingInHoxtonAi(t *testing.T) {
	useOwnControlPlane(t)
	startManager(t, operator.Options{PollInterval: pollInterval})
	const ns = "crd-deletion"
	if err := env.CreateNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	create(t, testenv.ConnectionSecret(ns, "credentials"))
	var conns []*v1alpha1.Connection
	for _, name := range []string{v1alpha1.DefaultConnectionName, "deleted-by-itself"} {
		conn := env.Connection(ns, name, "credentials")
		conn.Spec.RevocationURL = env.API.RevocationURL()
		create(t, conn)
		waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
		conns = append(conns, conn)
	}
	kept, control := dialectSite(ns, "kept"), dialectSite(ns, "deleted-by-itself")
	for _, site := range []*v1alpha1.Site{kept, control} {
		create(t, site)
		waitReady(t, site)
	}

	deleteObject(t, control)
	waitGone(t, control)
	if state := fakeField(fakeObject(t, "sites", control.Status.ExternalID), "state"); state != "deleted" {
		t.Fatalf("control: site %s deleted by itself is %q in HoxtonAi, want deleted", control.Status.ExternalID, state)
	}
	deleteObject(t, conns[1])
	waitGone(t, conns[1])
	eventually(t, "control: the tokens of the Connection deleted by itself revoked", func() (bool, string) {
		return env.API.Revocations() > 0, "no revocation"
	})

	calls, revoked := countCalls(), env.API.Revocations()
	deleteCRD(t, "sites.hoxtonai.dev")
	if state := fakeField(fakeObject(t, "sites", kept.Status.ExternalID), "state"); state != "active" {
		t.Errorf("site %s is %q in HoxtonAi after its CRD was deleted, want active", kept.Status.ExternalID, state)
	}
	ev := waitEvent(t, ns, kept.Name, managed.ReasonOrphanedCRDDeleted)
	if !strings.Contains(ev.Note, "CustomResourceDefinition sites.hoxtonai.dev") {
		t.Errorf("event note %q does not name the CRD", ev.Note)
	}

	deleteCRD(t, "connections.hoxtonai.dev")
	waitEvent(t, ns, conns[0].Name, connection.ReasonRevocationSkipped)
	// The revocation would run in the background: give it time to show.
	consistently(t, time.Second, "no revocation of the Connection that went with its CRD", func() (bool, string) {
		return env.API.Revocations() == revoked, fmt.Sprintf("%d revocations, want %d", env.API.Revocations(), revoked)
	})
	if n := calls.count(http.MethodDelete, ""); n != 0 || len(calls.acceptedWrites()) != 0 {
		t.Errorf("HoxtonAi got %d DELETEs and writes %s after the CRDs were deleted, want none", n, describeRequests(calls.acceptedWrites()))
	}
}

// useOwnControlPlane gives the test a control plane and fake API of its own for its
// duration, for a test that deletes CRDs, which the tests after it need.
func useOwnControlPlane(t *testing.T) {
	t.Helper()
	shared := env
	own, err := testenv.Start(hoxtontest.Options{})
	if err != nil {
		t.Fatalf("starting a control plane of the test's own: %v", err)
	}
	env = own
	// Registered first, so that it runs last: after the test's manager is stopped.
	t.Cleanup(func() {
		env = shared
		if err := own.Stop(); err != nil {
			t.Errorf("stopping the test's control plane: %v", err)
		}
	})
}

// deleteCRD deletes the CRD named name, as `kubectl delete -f crds/` does, and waits
// until it is gone: the API server deletes every object of it first.
func deleteCRD(t *testing.T, name string) {
	t.Helper()
	crd := func() *metav1.PartialObjectMetadata {
		m := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Name: name}}
		m.SetGroupVersionKind(apiextensionsv1.SchemeGroupVersion.WithKind("CustomResourceDefinition"))
		return m
	}
	// Deleted as unstructured: the client's scheme holds no CRD type, and deleting
	// metadata needs one.
	obj := &unstructured.Unstructured{}
	obj.SetGroupVersionKind(apiextensionsv1.SchemeGroupVersion.WithKind("CustomResourceDefinition"))
	obj.SetName(name)
	if err := env.Client.Delete(ctx, obj); err != nil {
		t.Fatalf("deleting CustomResourceDefinition %s: %v", name, err)
	}
	eventually(t, "CustomResourceDefinition "+name+" to be gone", func() (bool, string) {
		err := env.Client.Get(ctx, client.ObjectKey{Name: name}, crd())
		if apierrors.IsNotFound(err) {
			return true, ""
		}
		return false, fmt.Sprintf("still there (%v)", err)
	})
}
