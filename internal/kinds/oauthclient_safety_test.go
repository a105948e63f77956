package kinds_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// confirmAdoption sets what adopting by spec.externalID needs besides the id: an
// OAuthClient in Manage mode must say adoptExisting.
func confirmAdoption(o managed.Object) {
	if c, ok := o.(*v1alpha1.OAuthClient); ok {
		c.Spec.AdoptExisting = true
	}
}

// seedForeignClient puts an OAuth client that no object created into the fake.
func seedForeignClient(t testing.TB, name string) string {
	t.Helper()
	id := strings.ReplaceAll(uuid.NewString(), "-", "")
	env.API.SetObject("oauth-clients", map[string]any{"clientId": id, "name": name, "clientSecret": "foreign-secret-" + id,
		"organisationId": env.API.OrganisationID(), "grantTypes": []any{"client_credentials"}})
	return id
}

// untouched fails if any request since calls reached the client id.
func untouched(t testing.TB, calls apiCalls, id, secret string) {
	t.Helper()
	if reqs := calls.requests(func(r hoxtontest.Request) bool { return strings.HasPrefix(r.Path, "/oauth-clients/"+id) }); len(reqs) > 0 {
		t.Fatalf("requests reached OAuth client %s:\n  %s", id, describeRequests(reqs))
	}
	if got := fakeSecretOf(t, id); got != secret {
		t.Fatalf("the secret of OAuth client %s changed", id)
	}
}

// TestOAuthClientDoesNotAdoptByName: a client of the organisation named like the
// spec is someone else's, even when the object's Secret exists without credentials
// (the trace of a crash before the 201): a new client is created, and the namesake
// is neither read, rotated nor delivered.
func TestOAuthClientDoesNotAdoptByName(t *testing.T) {
	startManager(t, operator.Options{PollInterval: longPollInterval})
	ns := newConnectedNamespace(t)
	o := newOAuthClient(ns, "namesake")
	foreign := seedForeignClient(t, o.Spec.Name)
	secret := fakeSecretOf(t, foreign)
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: o.Spec.WriteCredentialsToSecretRef.Name,
		Annotations: map[string]string{managed.AnnotationCredentialsOf: "OAuthClient/" + o.Name}}})
	calls := countCalls()

	create(t, o)
	waitReady(t, o)
	waitDelivered(t, o)
	if o.Status.ExternalID == foreign {
		t.Fatalf("the OAuthClient took over client %s, created by someone else under the same name", foreign)
	}
	untouched(t, calls, foreign, secret)
	if n := len(activeObjects("oauth-clients", map[string]string{"name": o.Spec.Name})); n != 2 {
		t.Fatalf("%d clients named %q, want the namesake and the object's own", n, o.Spec.Name)
	}
}

// TestOAuthClientRefusesConnectionClient: the client a Connection authenticates with
// is not adopted, even with adoptExisting: the object is Terminal naming the
// Connection, and neither managing nor deleting it sends anything to HoxtonAi.
func TestOAuthClientRefusesConnectionClient(t *testing.T) {
	startManager(t, operator.Options{PollInterval: longPollInterval})
	ns := newConnectedNamespace(t)
	waitDefaultConnectionReady(t, ns)
	secret := fakeSecretOf(t, hoxtontest.DefaultClientID)
	o := newOAuthClient(ns, "takeover")
	o.Spec.ExternalID, o.Spec.AdoptExisting = hoxtontest.DefaultClientID, true
	calls := countCalls()

	create(t, o)
	waitSyncedFalse(t, o, conditions.ReasonTerminal)
	if msg := cond(o, conditions.TypeSynced).Message; !strings.Contains(msg, `Connection "default"`) {
		t.Fatalf("the Terminal message %q does not name the Connection using the client", msg)
	}
	waitEvent(t, ns, o.Name, managed.ReasonTerminalError)

	// Deleting it (deletionPolicy Delete) must not delete the Connection's client.
	deleteObject(t, o)
	waitFor(t, o, "the deletion refused", func(m *v1alpha1.OAuthClient) bool {
		c := cond(m, conditions.TypeSynced)
		return m.DeletionTimestamp != nil && c != nil && strings.HasPrefix(c.Message, "delete: ") && strings.Contains(c.Message, `Connection "default"`)
	})
	update(t, o, func(m *v1alpha1.OAuthClient) { m.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan })
	waitGone(t, o)
	if w := calls.writes(); w != 0 {
		t.Fatalf("refusing the Connection's client wrote to the API:\n  %s", describeRequests(calls.requests(nil)))
	}
	untouched(t, calls, hoxtontest.DefaultClientID, secret)
	waitDefaultConnectionReady(t, ns)
}

// TestOAuthClientAdoptionDoesNotRotate: adopting a client leaves its secret alone,
// and the Secret gets none, until the rotate-secret annotation asks for one.
func TestOAuthClientAdoptionDoesNotRotate(t *testing.T) {
	startManager(t, operator.Options{PollInterval: longPollInterval})
	ns := newConnectedNamespace(t)
	o := newOAuthClient(ns, "adopter")
	id := seedForeignClient(t, "Built by hand")
	secret := fakeSecretOf(t, id)
	o.Spec.ExternalID, o.Spec.AdoptExisting = id, true
	calls := countCalls()

	create(t, o)
	waitReady(t, o)
	if n := rotations(calls, id); n != 0 || fakeSecretOf(t, id) != secret {
		t.Fatalf("adopting the client rotated its secret (%d rotations)", n)
	}
	s := &corev1.Secret{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: o.Spec.WriteCredentialsToSecretRef.Name}, s); client.IgnoreNotFound(err) != nil || len(s.Data) > 0 {
		t.Fatalf("the adopted client's credentials were delivered without a request (%v)", err)
	}

	update(t, o, func(m *v1alpha1.OAuthClient) {
		m.Annotations = map[string]string{v1alpha1.AnnotationRotateSecret: time.Now().UTC().Format(time.RFC3339)}
	})
	waitDelivered(t, o)
	if n := rotations(calls, id); n != 1 {
		t.Fatalf("%d rotations for one rotate-secret request, want 1", n)
	}
}

// conflictOnFirstDelivery builds manager clients whose first write of a client secret
// in namespace ns finds the Secret changed since it was read (another writer, such as
// a Connection adding its finalizer), so that the API server answers Conflict.
type conflictOnFirstDelivery struct {
	ns      atomic.Value // string
	touched atomic.Int32
}

func (f *conflictOnFirstDelivery) newClient(cfg *rest.Config, opts client.Options) (client.Client, error) {
	return interceptDeliveries(&f.ns, func(ctx context.Context, s *corev1.Secret) error {
		if f.touched.Add(1) != 1 {
			return nil
		}
		other := &corev1.Secret{}
		if err := env.Client.Get(ctx, client.ObjectKeyFromObject(s), other); err != nil {
			return err
		}
		other.SetLabels(map[string]string{"example.com/touched": "true", v1alpha1.LabelConnectionSecret: "true"})
		return env.Client.Update(ctx, other)
	})(cfg, opts)
}

// TestOAuthClientSecretConflictDoesNotRotate: a conflict on the write delivering the
// secret of the 201 is retried on a fresh read; it never costs a rotation.
func TestOAuthClientSecretConflictDoesNotRotate(t *testing.T) {
	conflict := &conflictOnFirstDelivery{}
	conflict.ns.Store("")
	startManager(t, operator.Options{PollInterval: longPollInterval, NewClient: conflict.newClient})
	ns := newConnectedNamespace(t)
	conflict.ns.Store(ns)
	o := newOAuthClient(ns, "contended")
	calls := countCalls()

	create(t, o)
	waitReady(t, o)
	waitDelivered(t, o)
	if conflict.touched.Load() == 0 {
		t.Fatal("no Secret write was made to conflict; the test would prove nothing")
	}
	if n := rotations(calls, o.Status.ExternalID); n != 0 {
		t.Fatalf("%d rotations after a conflicting Secret write, want 0", n)
	}
	s := &corev1.Secret{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: o.Spec.WriteCredentialsToSecretRef.Name}, s); err != nil {
		t.Fatal(err)
	}
	if s.Labels["example.com/touched"] != "true" {
		t.Fatal("the retried write dropped the other writer's change")
	}
}
