package connection

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// The Connection check, against the fake API over HTTP: what it reports and when it
// looks again.

func TestConnectionCheckReady(t *testing.T) {
	e := newConnEnv(t, hoxtontest.Options{})
	e.create(credentials(shop, hoxtontest.DefaultClientID, hoxtontest.DefaultClientSecret), e.connection("default"))

	res, err := e.check(shop, "default")
	if err != nil || res.RequeueAfter != testPollEach {
		t.Fatalf("check = %+v, %v; want the next check after the poll interval", res, err)
	}
	conn := e.connection("default")
	e.get(conn)
	c := conditions.Get(conn.Status.Conditions, conditions.TypeReady)
	if c == nil || c.Status != metav1.ConditionTrue || c.Reason != conditions.ReasonAvailable || !strings.Contains(c.Message, hoxtontest.DefaultOrganisationName) {
		t.Fatalf("Ready = %+v, want True/Available naming the organisation", c)
	}
	if conn.Status.OrganisationName != hoxtontest.DefaultOrganisationName || conn.Status.TokenExpiresAt == nil || conn.Status.ObservedGeneration != conn.Generation {
		t.Errorf("status = %+v", conn.Status)
	}
	if !controllerutil.ContainsFinalizer(conn, InUseFinalizer) {
		t.Error("no in-use finalizer")
	}
	if ev := e.events(); len(ev) != 1 || !strings.HasPrefix(ev[0], "Normal Available") {
		t.Errorf("events = %q, want one Normal Available", ev)
	}
	if n := e.api.TokenRequests("client_credentials"); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}

	// Checked again with nothing changed: the client, its token and the Secret are kept.
	reads := e.secretReads.Load()
	if _, err := e.check(shop, "default"); err != nil {
		t.Fatal(err)
	}
	if n := e.api.TokenRequests("client_credentials"); n != 1 {
		t.Errorf("%d token requests after a second check, want the first token reused", n)
	}
	if n := e.secretReads.Load() - reads; n != 0 {
		t.Errorf("the second check read the Secret %d times, want none (unchanged resourceVersion)", n)
	}
	if ev := e.events(); len(ev) != 0 {
		t.Errorf("a check that changed nothing emitted %q", ev)
	}
}

// otherOrg is an organisation the fake knows, which the test client may not use.
const otherOrg = "5c3e8a1d-4b2f-4e6a-9d0c-7f1e2a3b4c5d"

func TestConnectionCheckFailures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setup   func(e *connEnv, conn *v1alpha1.Connection)
		reason  string
		requeue time.Duration
		msg     string
	}{
		{"no Secret", func(e *connEnv, _ *v1alpha1.Connection) {}, conditions.ReasonSecretNotFound, retrySecretNotFound, "Secret shop/credentials not found"},
		{"a key missing", func(e *connEnv, _ *v1alpha1.Connection) {
			s := credentials(shop, hoxtontest.DefaultClientID, "")
			e.create(s)
		}, conditions.ReasonSecretKeyMissing, 0, `has no key "clientSecret"`},
		{"a wrong secret", func(e *connEnv, _ *v1alpha1.Connection) {
			e.create(credentials(shop, hoxtontest.DefaultClientID, "wrong-secret"))
		}, conditions.ReasonCredentialsRejected, testPollEach, "rejected the credentials in Secret shop/credentials"},
		{"an unknown organisation", func(e *connEnv, conn *v1alpha1.Connection) {
			e.create(credentials(shop, hoxtontest.DefaultClientID, hoxtontest.DefaultClientSecret))
			conn.Spec.OrganisationID = "7d1f7d3c-2a8e-4a51-9b1e-5d7f1b1c2e3f"
		}, conditions.ReasonOrganisationNotFound, testPollEach, "organisation 7d1f7d3c-2a8e-4a51-9b1e-5d7f1b1c2e3f not found"},
		{"another organisation", func(e *connEnv, conn *v1alpha1.Connection) {
			e.create(credentials(shop, hoxtontest.DefaultClientID, hoxtontest.DefaultClientSecret))
			conn.Spec.OrganisationID = otherOrg
		}, conditions.ReasonCredentialsRejected, testPollEach, "refused these credentials access to organisation " + otherOrg},
		{"the API failing", func(e *connEnv, _ *v1alpha1.Connection) {
			e.create(credentials(shop, hoxtontest.DefaultClientID, hoxtontest.DefaultClientSecret))
			e.api.AddFault(hoxtontest.Fault{PathPrefix: "/organisations", Status: http.StatusInternalServerError})
		}, conditions.ReasonAPIUnavailable, firstUnavailableRetry, "HoxtonAi API"},
		{"the token endpoint down", func(e *connEnv, _ *v1alpha1.Connection) {
			e.create(credentials(shop, hoxtontest.DefaultClientID, hoxtontest.DefaultClientSecret))
			e.api.SetTokenOutage(true)
		}, conditions.ReasonTokenEndpointUnavailable, firstUnavailableRetry, "token endpoint"},
		{"plain HTTP not allowed", func(e *connEnv, conn *v1alpha1.Connection) {
			e.create(credentials(shop, hoxtontest.DefaultClientID, hoxtontest.DefaultClientSecret))
			conn.Spec.AllowInsecureHTTP = false
		}, conditions.ReasonInvalidConfiguration, 0, "spec.apiURL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newConnEnv(t, hoxtontest.Options{OtherOrganisations: map[string]string{otherOrg: "Other"}})
			conn := e.connection("default")
			tc.setup(e, conn)
			e.create(conn)
			res, err := e.check(shop, "default")
			// A check that could not reach HoxtonAi is retried after a jittered second.
			if err != nil || res.RequeueAfter < tc.requeue || res.RequeueAfter > tc.requeue+tc.requeue/5 {
				t.Errorf("check = %+v, %v; want the next check after %v", res, err, tc.requeue)
			}
			e.get(conn)
			c := conditions.Get(conn.Status.Conditions, conditions.TypeReady)
			if c == nil || c.Status != metav1.ConditionFalse || (tc.reason != "" && c.Reason != tc.reason) || !strings.Contains(c.Message, tc.msg) {
				t.Fatalf("Ready = %+v, want False/%s containing %q", c, tc.reason, tc.msg)
			}
			ev := e.events()
			if len(ev) != 1 || !strings.HasPrefix(ev[0], "Warning "+c.Reason) {
				t.Errorf("events = %q, want one Warning %s", ev, c.Reason)
			}
			wantNoSecret(t, append(ev, c.Message)...)
			if _, err := e.res.ClientFor(t.Context(), shop, conn.Reference()); err == nil || !strings.Contains(err.Error(), "is not Ready ("+c.Reason) {
				t.Errorf("ClientFor a Connection that is not Ready = %v, want refused naming %s", err, c.Reason)
			}
		})
	}
}

// TestClientForServesOnlyACheckedConnection: objects get a client only from a
// Connection whose current settings passed their check.
func TestClientForServesOnlyACheckedConnection(t *testing.T) {
	e := newConnEnv(t, hoxtontest.Options{})
	e.create(credentials(shop, hoxtontest.DefaultClientID, hoxtontest.DefaultClientSecret), e.connection("default"))
	ref := v1alpha1.ConnectionReference{Kind: v1alpha1.ConnectionKindNamespaced, Name: "default"}

	if _, err := e.res.ClientFor(t.Context(), shop, ref); err == nil || !strings.Contains(err.Error(), "not checked yet") {
		t.Errorf("before the check: %v", err)
	}
	if _, err := e.res.ClientFor(t.Context(), shop, v1alpha1.ConnectionReference{Name: "absent"}); err == nil || !strings.Contains(err.Error(), `"absent" not found`) {
		t.Errorf("a Connection that does not exist: %v", err)
	}
	if _, err := e.check(shop, "default"); err != nil {
		t.Fatal(err)
	}
	c, err := e.res.ClientFor(t.Context(), shop, ref)
	if err != nil {
		t.Fatalf("after the check: %v", err)
	}
	if org, err := c.GetOrganisation(t.Context(), e.api.OrganisationID()); err != nil || org.Name != hoxtontest.DefaultOrganisationName {
		t.Errorf("the client reads %+v, %v", org, err)
	}
	if again, _ := e.res.ClientFor(t.Context(), shop, ref); again != c {
		t.Error("a second ClientFor built another client: its budget and token would not be shared")
	}

	// The spec changed and was not checked yet: its Ready says nothing about it.
	conn := e.connection("default")
	e.get(conn)
	conn.Generation++
	if err := e.c.Update(t.Context(), conn); err != nil {
		t.Fatal(err)
	}
	if _, err := e.res.ClientFor(t.Context(), shop, ref); err == nil || !strings.Contains(err.Error(), "new settings are not checked yet") {
		t.Errorf("a changed Connection: %v", err)
	}
}

// TestDeletingConnectionServesOnlyDeletions: a Connection deleted before its first
// check (an Argo CD Application or a namespace deleted in one go, its seed rotated
// away) must not create objects through credentials that never worked; the objects
// would then need those credentials to be deleted, and their deletion would hang.
// Deletions still get the client it has.
func TestDeletingConnectionServesOnlyDeletions(t *testing.T) {
	e := newConnEnv(t, hoxtontest.Options{})
	conn := e.connection("default")
	conn.Finalizers = []string{InUseFinalizer}
	e.create(credentials(shop, hoxtontest.DefaultClientID, hoxtontest.DefaultClientSecret), conn)
	if err := e.c.Delete(t.Context(), conn); err != nil {
		t.Fatal(err)
	}
	if _, err := e.res.ClientFor(t.Context(), shop, conn.Reference()); err == nil || !strings.Contains(err.Error(), `Connection "default" is being deleted`) {
		t.Errorf("a live object through a Connection being deleted: %v; want refused", err)
	}
	if _, err := e.res.ClientForDeletion(t.Context(), shop, conn.Reference()); err != nil {
		t.Errorf("a deletion through a Connection being deleted: %v; want its client", err)
	}
}

// TestClusterConnectionServesAdmittedNamespaces: a ClusterConnection serves the
// namespaces its conditions admit; tenants learn nothing of its settings.
func TestClusterConnectionServesAdmittedNamespaces(t *testing.T) {
	e := newConnEnv(t, hoxtontest.Options{})
	e.create(credentials(operatorNS, hoxtontest.DefaultClientID, hoxtontest.DefaultClientSecret), e.clusterConnection("shared"))
	ref := v1alpha1.ConnectionReference{Kind: v1alpha1.ConnectionKindCluster, Name: "shared"}
	if _, err := e.check("", "shared"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.res.ClientFor(t.Context(), shop, ref); err != nil {
		t.Errorf("an admitted namespace: %v", err)
	}
	_, err := e.res.ClientFor(t.Context(), "other", ref)
	if err == nil || !strings.Contains(err.Error(), `does not admit namespace other`) || strings.Contains(err.Error(), e.api.OrganisationID()) {
		t.Errorf("a namespace not admitted: %v", err)
	}
	if _, err := e.res.ClientFor(t.Context(), shop, v1alpha1.ConnectionReference{Kind: v1alpha1.ConnectionKindCluster, Name: "absent"}); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("a ClusterConnection that does not exist: %v", err)
	}

	e.res.SetTenancy(Tenancy{ClusterResourceNamespace: operatorNS, NamespaceScoped: true})
	if _, err := e.res.ClientFor(t.Context(), shop, ref); err == nil || !strings.Contains(err.Error(), "installed for some namespaces only") {
		t.Errorf("a namespace-scoped install: %v", err)
	}
}

// TestAuthFailureWakesItsConnection: a 401 seen by a managed object wakes the
// Connection's controller, and never blocks the object's reconcile.
func TestAuthFailureWakesItsConnection(t *testing.T) {
	e := newConnEnv(t, hoxtontest.Options{})
	e.res.ReportAuthFailure(shop, v1alpha1.ConnectionReference{Kind: v1alpha1.ConnectionKindNamespaced, Name: "default"})
	e.res.ReportAuthFailure(shop, v1alpha1.ConnectionReference{Kind: v1alpha1.ConnectionKindCluster, Name: "shared"})
	if ev := <-e.res.authFailures; ev.Object.GetNamespace() != shop || ev.Object.GetName() != "default" {
		t.Errorf("Connection woken: %s/%s", ev.Object.GetNamespace(), ev.Object.GetName())
	}
	if ev := <-e.res.clusterAuthFailures; ev.Object.GetNamespace() != "" || ev.Object.GetName() != "shared" {
		t.Errorf("ClusterConnection woken: %s/%s", ev.Object.GetNamespace(), ev.Object.GetName())
	}
	done := make(chan struct{})
	go func() {
		for range cap(e.res.authFailures) + 1 {
			e.res.ReportAuthFailure(shop, v1alpha1.ConnectionReference{Name: "default"})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("ReportAuthFailure blocked on a full queue")
	}
	if got := len(e.res.authFailures); got != cap(e.res.authFailures) {
		t.Errorf("%d wake-ups queued, want the queue full and the rest dropped", got)
	}
}

// TestCheckFailingOnKubernetesShowsTheReasonOnly: the message of a failed Secret read
// may quote the Secret; the status and events name the API's reason only.
func TestCheckFailingOnKubernetesShowsTheReasonOnly(t *testing.T) {
	e := newConnEnv(t, hoxtontest.Options{})
	e.create(credentials(shop, hoxtontest.DefaultClientID, hoxtontest.DefaultClientSecret), e.connection("default"))
	e.secretErr = apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, "credentials",
		errors.New("clientSecret: "+hoxtontest.DefaultClientSecret))
	if _, err := e.check(shop, "default"); err == nil {
		t.Error("a failed Secret read is not retried")
	}
	conn := e.connection("default")
	e.get(conn)
	c := conditions.Get(conn.Status.Conditions, conditions.TypeReady)
	if c == nil || c.Reason != ReasonCheckFailed || !strings.Contains(c.Message, "Forbidden") {
		t.Fatalf("Ready = %+v, want False/%s naming the reason", c, ReasonCheckFailed)
	}
	wantNoSecret(t, append(e.events(), c.Message)...)
}
