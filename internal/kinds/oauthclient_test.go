package kinds_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// newOAuthClient returns a client_credentials OAuthClient delivering into name-credentials.
func newOAuthClient(ns, name string) *v1alpha1.OAuthClient {
	return oauthClientCase.build(fixture{ns: ns}, name).(*v1alpha1.OAuthClient)
}

// fakeSecretOf returns the client secret the fake holds for the OAuth client id.
func fakeSecretOf(t testing.TB, id string) string {
	t.Helper()
	return fakeField(fakeObject(t, "oauth-clients", id), "clientSecret")
}

// waitDelivered waits until the Secret holds the client's current credentials.
func waitDelivered(t testing.TB, o *v1alpha1.OAuthClient) {
	t.Helper()
	secret := o.Spec.WriteCredentialsToSecretRef.Name
	eventually(t, "the client's current credentials in Secret "+secret, func() (bool, string) {
		get(t, o)
		id := o.Status.ExternalID
		s := &corev1.Secret{}
		if err := env.Client.Get(ctx, client.ObjectKey{Namespace: o.Namespace, Name: secret}, s); err != nil || id == "" {
			return false, fmt.Sprintf("status.externalID %q, Secret: %v", id, err)
		}
		ok := string(s.Data[v1alpha1.SecretKeyClientID]) == id && string(s.Data[v1alpha1.SecretKeyClientSecret]) == fakeSecretOf(t, id)
		return ok, "the Secret does not hold the fake's credentials of " + id
	})
}

// rotations counts the successful rotations of the client id.
func rotations(calls apiCalls, id string) int {
	return len(calls.requests(func(r hoxtontest.Request) bool {
		return r.Method == "PUT" && r.Path == "/oauth-clients/"+id+"/rotate-secret" && r.Status == 200
	}))
}

// assertNowhere fails if any of the secrets shows in the object (spec, status,
// annotations: what kubectl describe shows), in its events or in the manager's log.
func assertNowhere(t testing.TB, o *v1alpha1.OAuthClient, secrets ...string) {
	t.Helper()
	get(t, o)
	obj, _ := json.Marshal(o)
	evs, _ := json.Marshal(events(t, o.Namespace, o.Name))
	log := managerLog.String()
	for _, s := range secrets {
		for where, text := range map[string]string{"the object": string(obj), "its events": string(evs), "the manager log": log} {
			if s != "" && strings.Contains(text, s) {
				t.Fatalf("a client secret appears in %s", where)
			}
		}
	}
}

// TestOAuthClientSecretDelivered: the secret of the 201 is in the Secret, under the
// keys of a Connection's Secret, before the object is Ready; a lost Secret, a
// rotate-secret annotation and a due schedule each rotate it; and no secret ever shows
// in the object, its events or the log.
func TestOAuthClientSecretDelivered(t *testing.T) {
	startManager(t, operator.Options{PollInterval: longPollInterval})
	ns := newConnectedNamespace(t)
	o := newOAuthClient(ns, "delivered")
	o.Spec.RotateEvery = &metav1.Duration{Duration: time.Hour}
	create(t, o)
	waitReady(t, o)
	id := o.Status.ExternalID
	first := secretValue(t, ns, "delivered-credentials", v1alpha1.SecretKeyClientSecret)
	if first == "" || first != fakeSecretOf(t, id) || secretValue(t, ns, "delivered-credentials", v1alpha1.SecretKeyClientID) != id {
		t.Fatalf("when the OAuthClient is Ready, its Secret does not hold the client's credentials")
	}
	if o.Status.Credentials.SecretName != "delivered-credentials" || o.Status.Credentials.IssuedAt == nil {
		t.Fatalf("status.credentials %+v does not record the delivery", o.Status.Credentials)
	}
	seen := []string{first}

	// The Secret is lost: its deletion wakes the object (the poll is long), which
	// rotates and delivers again.
	calls := countCalls()
	deleteObject(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "delivered-credentials"}})
	waitDelivered(t, o)
	if n := rotations(calls, id); n != 1 {
		t.Fatalf("%d rotations after the Secret was lost, want 1", n)
	}
	seen = append(seen, fakeSecretOf(t, id))

	// Rotation on demand.
	calls = countCalls()
	request := time.Now().UTC().Format(time.RFC3339)
	update(t, o, func(o *v1alpha1.OAuthClient) {
		o.SetAnnotations(map[string]string{v1alpha1.AnnotationRotateSecret: request})
	})
	waitFor(t, o, "the rotation request recorded", func(m *v1alpha1.OAuthClient) bool {
		return m.Status.Credentials.RotationRequest == request
	})
	waitDelivered(t, o)
	if n := rotations(calls, id); n != 1 {
		t.Fatalf("%d rotations for one rotate-secret request, want 1", n)
	}
	seen = append(seen, fakeSecretOf(t, id))

	// Rotation on schedule: the secret was issued longer ago than rotateEvery.
	calls = countCalls()
	o.Status.Credentials.IssuedAt = &metav1.Time{Time: time.Now().Add(-2 * time.Hour)}
	if err := env.Client.Status().Update(ctx, o); err != nil {
		t.Fatal(err)
	}
	pokeByAnnotation(t, o)
	waitFor(t, o, "a fresh issuedAt", func(m *v1alpha1.OAuthClient) bool {
		at := m.Status.Credentials.IssuedAt
		return at != nil && time.Since(at.Time) < time.Minute
	})
	waitDelivered(t, o)
	if n := rotations(calls, id); n != 1 {
		t.Fatalf("%d rotations when the schedule was due, want 1", n)
	}
	seen = append(seen, fakeSecretOf(t, id))
	for i := range seen {
		for j := range i {
			if seen[i] == seen[j] {
				t.Fatalf("secret %d equals secret %d: a rotation did not change it", i, j)
			}
		}
	}
	waitReady(t, o)
	assertNowhere(t, o, seen...)
}

// failingCredentialWrites builds manager clients whose writes of a Secret carrying a
// client secret fail in the namespace *ns: the manager behaves as if it crashed
// between the 201 that returned the secret and writing it down.
type failingCredentialWrites struct {
	ns     atomic.Value // string
	failed atomic.Int32
}

func (f *failingCredentialWrites) newClient(cfg *rest.Config, opts client.Options) (client.Client, error) {
	return interceptDeliveries(&f.ns, func(context.Context, *corev1.Secret) error {
		f.failed.Add(1)
		return errCrashed
	})(cfg, opts)
}

// interceptDeliveries builds manager clients that call intercept before each write of
// a Secret carrying a client secret in the namespace *ns; its error is the write's.
func interceptDeliveries(ns *atomic.Value, intercept func(context.Context, *corev1.Secret) error) func(*rest.Config, client.Options) (client.Client, error) {
	return func(cfg *rest.Config, opts client.Options) (client.Client, error) {
		wc, err := client.NewWithWatch(cfg, opts)
		if err != nil {
			return nil, err
		}
		return interceptor.NewClient(wc, interceptor.Funcs{
			Update: func(ctx context.Context, cl client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
				if s, ok := obj.(*corev1.Secret); ok && s.Namespace == ns.Load() && len(s.Data[v1alpha1.SecretKeyClientSecret]) > 0 {
					if err := intercept(ctx, s); err != nil {
						return err
					}
				}
				return cl.Update(ctx, obj, opts...)
			},
		}), nil
	}
}

// TestOAuthClientCrashBeforeSecretWrite: a manager that created the client but never
// wrote its secret down (nor anything in the status) leaves no unusable client behind:
// the next manager finds the client by the marker written before the create (its
// name until the secret is delivered), rotates its secret, delivers it and gives the
// client its name; no second client is created.
func TestOAuthClientCrashBeforeSecretWrite(t *testing.T) {
	crash := &failingCredentialWrites{}
	crash.ns.Store("")
	startManager(t, operator.Options{PollInterval: pollInterval, NewClient: crash.newClient})
	ns := newConnectedNamespace(t)
	crash.ns.Store(ns)
	o := newOAuthClient(ns, "crash")
	named := func(name string) []map[string]any {
		return activeObjects("oauth-clients", map[string]string{"name": name})
	}
	marker := func() string {
		s := &corev1.Secret{}
		_ = env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "crash-credentials"}, s)
		return s.Annotations[managed.AnnotationCreateMarker]
	}
	create(t, o)
	eventually(t, "the client created under its marker and its Secret write failed", func() (bool, string) {
		return marker() != "" && len(named(marker())) == 1 && crash.failed.Load() > 0,
			fmt.Sprintf("marker %q, %d clients under it, %d failed writes", marker(), len(named(marker())), crash.failed.Load())
	})
	stopManager(t)
	if v := secretValue(t, ns, "crash-credentials", v1alpha1.SecretKeyClientSecret); v != "" {
		t.Fatal("the crashed manager delivered the secret; the test would prove nothing")
	}
	created := named(marker())[0]["clientId"]
	get(t, o)
	// Lose what the status holds, as a crash right after the 201 would.
	o.Status = v1alpha1.OAuthClientStatus{}
	if err := env.Client.Status().Update(ctx, o); err != nil {
		t.Fatal(err)
	}

	calls := countCalls()
	restartManager(t, operator.Options{PollInterval: pollInterval})
	waitReady(t, o)
	waitDelivered(t, o)
	if o.Status.ExternalID != created {
		t.Fatalf("the object manages %s, want the client the crashed manager created (%v)", o.Status.ExternalID, created)
	}
	if n, left := len(named(o.Spec.Name)), len(named(marker())); n != 1 || left != 0 {
		t.Fatalf("%d clients named %q and %d under the marker after the restart, want the one client, renamed", n, o.Spec.Name, left)
	}
	if n := rotations(calls, o.Status.ExternalID); n != 1 {
		t.Fatalf("%d rotations to recover the secret, want 1", n)
	}
	waitEvent(t, ns, o.Name, managed.ReasonAdopted)
	assertNowhere(t, o, fakeSecretOf(t, o.Status.ExternalID))
}

// TestOAuthClientRotationReachesConnection: a Connection using the Secret an
// OAuthClient writes works, and keeps working after a rotation, which makes the old
// secret useless: the new one reaches it at once, with no restart.
func TestOAuthClientRotationReachesConnection(t *testing.T) {
	startManager(t, operator.Options{PollInterval: longPollInterval})
	ns := newConnectedNamespace(t)
	o := newOAuthClient(ns, "dashboard")
	create(t, o)
	waitReady(t, o)

	conn := env.Connection(ns, "dashboard", "dashboard-credentials")
	create(t, conn)
	site := siteCase.build(fixture{ns: ns}, "via-dashboard").(*v1alpha1.Site)
	site.Spec.ConnectionRef = &v1alpha1.ConnectionReference{Name: "dashboard"}
	create(t, site)
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
	waitReady(t, site)

	old := fakeSecretOf(t, o.Status.ExternalID)
	tokens := env.API.TokenRequests("client_credentials")
	update(t, o, func(o *v1alpha1.OAuthClient) {
		o.Annotations = map[string]string{v1alpha1.AnnotationRotateSecret: time.Now().UTC().Format(time.RFC3339)}
	})
	eventually(t, "the annotation to rotate the secret", func() (bool, string) {
		return fakeSecretOf(t, o.Status.ExternalID) != old, "the fake still holds the old secret"
	})
	waitDelivered(t, o)
	eventually(t, "a token request with the rotated secret", func() (bool, string) {
		n := env.API.TokenRequests("client_credentials") - tokens
		return n > 0, fmt.Sprintf("%d token requests", n)
	})
	// Every token the manager holds stops working: only the new secret gets another.
	env.API.RevokeAllTokens()
	update(t, site, func(s *v1alpha1.Site) { siteCase.mutate(s) })
	waitReady(t, site)
	if d := siteCase.mismatch(site, fakeObject(t, "sites", site.Status.ExternalID)); d != "" {
		t.Fatalf("after the rotation the site was not updated through the Connection: %s", d)
	}
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
	assertNowhere(t, o, old, fakeSecretOf(t, o.Status.ExternalID))
}
