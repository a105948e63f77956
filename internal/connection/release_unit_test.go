package connection

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// A deleted Connection waits for its users; which Connections use an OAuth client;
// what the metrics and hoxtonctl's probe see.

// TestDeletedConnectionWaitsForItsUsers: the finalizer stays while objects use the
// Connection, which says so by condition and event, and goes once they are gone.
func TestDeletedConnectionWaitsForItsUsers(t *testing.T) {
	e := newConnEnv(t, hoxtontest.Options{})
	e.create(credentials(shop, hoxtontest.DefaultClientID, hoxtontest.DefaultClientSecret), e.connection("default"))
	if _, err := e.check(shop, "default"); err != nil {
		t.Fatal(err)
	}
	e.events()
	conn := e.connection("default")
	e.get(conn)
	if err := e.c.Delete(t.Context(), conn); err != nil {
		t.Fatal(err)
	}
	e.users = []managed.ConnectionUser{{Kind: "Site", Namespace: shop, Name: "hq"}, {Kind: "Camera", Namespace: shop, Name: "door"}}

	res, err := e.check(shop, "default")
	if err != nil || res.RequeueAfter != releaseCheckInterval {
		t.Fatalf("release with users = %+v, %v; want a look again after %v", res, err, releaseCheckInterval)
	}
	if !e.get(conn) {
		t.Fatal("the Connection went while objects use it")
	}
	c := conditions.Get(conn.Status.Conditions, TypeDeleting)
	if c == nil || c.Status != metav1.ConditionTrue || c.Reason != ReasonInUse || !strings.Contains(c.Message, "2 objects") || !strings.Contains(c.Message, "Site hq, Camera door") {
		t.Errorf("Deleting = %+v, want True/InUse naming both objects", c)
	}
	if !conditions.IsTrue(conn.Status.Conditions, conditions.TypeReady) {
		t.Error("a Connection waiting for its users is no longer Ready: they could not be deleted")
	}
	if _, err := e.res.ClientForDeletion(t.Context(), shop, conn.Reference()); err != nil {
		t.Errorf("a deleted Connection refuses the deletions of the objects still using it: %v", err)
	}
	if _, err := e.res.ClientFor(t.Context(), shop, conn.Reference()); err == nil || !strings.Contains(err.Error(), "is being deleted") {
		t.Errorf("a deleted Connection serves a live object: %v; want refused as being deleted", err)
	}
	if ev := e.events(); len(ev) != 1 || !strings.HasPrefix(ev[0], "Warning InUse") {
		t.Errorf("events = %q, want one Warning InUse", ev)
	}
	if _, err := e.check(shop, "default"); err != nil {
		t.Fatal(err)
	}
	if ev := e.events(); len(ev) != 0 {
		t.Errorf("the same users again emitted %q, want nothing new", ev)
	}

	e.users = nil
	if res, err := e.check(shop, "default"); err != nil || res.RequeueAfter != 0 {
		t.Fatalf("release without users = %+v, %v", res, err)
	}
	if e.get(conn) {
		t.Errorf("the Connection is still there with finalizers %v", conn.Finalizers)
	}
	// Gone: what the resolver held for it goes too.
	if _, err := e.check(shop, "default"); err != nil {
		t.Errorf("reconcile of the deleted Connection: %v", err)
	}
	e.res.mu.Lock()
	defer e.res.mu.Unlock()
	if len(e.res.entries) != 0 {
		t.Errorf("the resolver still holds %d clients", len(e.res.entries))
	}
}

// TestDeletedClusterConnectionWaitsOnlyItsGrace: tenants may not keep the
// administrator's ClusterConnection.
func TestDeletedClusterConnectionWaitsOnlyItsGrace(t *testing.T) {
	e := newConnEnv(t, hoxtontest.Options{})
	e.create(credentials(operatorNS, hoxtontest.DefaultClientID, hoxtontest.DefaultClientSecret), e.clusterConnection("shared"))
	if _, err := e.check("", "shared"); err != nil {
		t.Fatal(err)
	}
	e.events()
	cc := e.clusterConnection("shared")
	e.get(cc)
	if err := e.c.Delete(t.Context(), cc); err != nil {
		t.Fatal(err)
	}
	e.users = []managed.ConnectionUser{{Kind: "Site", Namespace: shop, Name: "hq"}}
	e.ccs.releaseGrace = time.Hour
	if res, _ := e.check("", "shared"); res.RequeueAfter != releaseCheckInterval || !e.get(cc) {
		t.Fatalf("within its grace: %+v, present %v; want it to wait", res, e.get(cc))
	}
	if ev := e.events(); len(ev) != 1 || !strings.Contains(ev[0], "Site shop/hq") || !strings.Contains(ev[0], "1h0m0s at most") {
		t.Errorf("events = %q, want the user named by namespace and the grace", ev)
	}

	e.ccs.releaseGrace = time.Nanosecond
	if _, err := e.check("", "shared"); err != nil {
		t.Fatal(err)
	}
	if e.get(cc) {
		t.Error("the ClusterConnection outlived its grace")
	}
	if ev := e.events(); len(ev) != 1 || !strings.HasPrefix(ev[0], "Warning ReleasedInUse") {
		t.Errorf("events = %q, want one Warning ReleasedInUse", ev)
	}
}

// TestConnectionsUsingClient names the Connections whose Secret holds an OAuth client
// id, and reads each Secret once per change.
func TestConnectionsUsingClient(t *testing.T) {
	e := newConnEnv(t, hoxtontest.Options{})
	a, b := e.connection("a"), e.connection("b")
	b.Spec.CredentialsSecretRef.Name = "other"
	other := credentials(shop, "client-2", "s")
	other.Name = "other"
	e.create(credentials(shop, "client-1", "s"), other, a, b, credentials(operatorNS, "client-1", "s"), e.clusterConnection("shared"))

	got, err := e.res.ConnectionsUsingClient(t.Context(), "client-1", types.NamespacedName{})
	want := []managed.ConnectionName{{Kind: v1alpha1.ConnectionKindNamespaced, Namespace: shop, Name: "a"}, {Kind: v1alpha1.ConnectionKindCluster, Name: "shared"}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("users of client-1 = %+v, %v; want %+v", got, err, want)
	}
	reads := e.secretReads.Load()
	got, _ = e.res.ConnectionsUsingClient(t.Context(), "client-1", types.NamespacedName{Namespace: shop, Name: "credentials"})
	if !slices.Equal(got, want[1:]) {
		t.Errorf("users of client-1 but through Secret shop/credentials = %+v, want %+v", got, want[1:])
	}
	if n := e.secretReads.Load() - reads; n != 0 {
		t.Errorf("the second lookup read %d Secrets, want none changed", n)
	}

	e.res.SetTenancy(Tenancy{ClusterResourceNamespace: operatorNS, NamespaceScoped: true})
	if got, _ := e.res.ConnectionsUsingClient(t.Context(), "client-1", types.NamespacedName{}); !slices.Equal(got, want[:1]) {
		t.Errorf("namespace-scoped: %+v, want only the Connection", got)
	}
	if got, _ := e.res.ConnectionsUsingClient(t.Context(), "", types.NamespacedName{}); len(got) != 0 {
		t.Errorf("users of no client id: %+v", got)
	}
}

// TestMetricsReportEveryConnection: ready per Connection, token expiry, breaker and
// budget once it has a client; never a token.
func TestMetricsReportEveryConnection(t *testing.T) {
	e := newConnEnv(t, hoxtontest.Options{})
	e.create(credentials(shop, hoxtontest.DefaultClientID, hoxtontest.DefaultClientSecret), e.connection("default"), e.connection("unchecked"))
	if _, err := e.check(shop, "default"); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(&resolverCollector{resolvers: map[*Resolver]struct{}{e.res: {}}})
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{} // metric/name/kind -> value
	for _, f := range families {
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			got[f.GetName()+"/"+labels["name"]+"/"+labels["kind"]] = m.GetGauge().GetValue() + m.GetCounter().GetValue()
		}
	}
	if got[MetricConnectionReady+"/default/Connection"] != 1 || got[MetricConnectionReady+"/unchecked/Connection"] != 0 {
		t.Errorf("ready = %v, want 1 for the checked Connection and 0 for the other", got)
	}
	if exp := got[MetricTokenExpiry+"/default/Connection"]; exp < float64(time.Now().Unix()) {
		t.Errorf("token expiry = %v, want a time to come", exp)
	}
	if _, ok := got[MetricTokenExpiry+"/unchecked/Connection"]; ok {
		t.Error("a Connection without a token reports an expiry")
	}
	if v, ok := got[MetricCircuitBreakerOpen+"/default/Connection"]; !ok || v != 0 {
		t.Errorf("breaker = %v (present %v), want 0", v, ok)
	}
}

// TestProbeCredentialsAreTheSecrets: hoxtonctl check-api starts from the same
// credentials the token source does.
func TestProbeCredentialsAreTheSecrets(t *testing.T) {
	e := newConnEnv(t, hoxtontest.Options{})
	conn := e.connection("default")
	e.create(credentials(shop, hoxtontest.DefaultClientID, hoxtontest.DefaultClientSecret), conn)
	creds, persist, err := e.res.ProbeCredentials(t.Context(), conn)
	if err != nil || creds.ClientID != hoxtontest.DefaultClientID || creds.TokenURL != e.api.TokenURL() || persist == nil {
		t.Errorf("ProbeCredentials = client %q token URL %q, %v", creds.ClientID, creds.TokenURL, err)
	}
	conn.Spec.CredentialsSecretRef.Name = "absent"
	if _, _, err := e.res.ProbeCredentials(t.Context(), conn); err == nil || !strings.Contains(err.Error(), "reading Secret shop/absent") {
		t.Errorf("no Secret: %v", err)
	}
}
