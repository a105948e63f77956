package kinds_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/connection"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

var clusterConnectionSeq int

// operatorNamespace creates the operator's namespace (the manager's default
// --cluster-resource-namespace) if it does not exist yet.
func operatorNamespace(t *testing.T) string {
	t.Helper()
	ns := operator.DefaultClusterResourceNamespace
	if err := env.CreateNamespace(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("creating namespace %s: %v", ns, err)
	}
	return ns
}

// newClusterConnection creates a ClusterConnection to the fake with the given
// conditions and a Secret in the operator's namespace (none when withSecret is false).
// Both go when the test ends.
func newClusterConnection(t *testing.T, withSecret bool, conds ...v1alpha1.ClusterConnectionCondition) *v1alpha1.ClusterConnection {
	t.Helper()
	clusterConnectionSeq++
	name := fmt.Sprintf("shared-%d-%d", clusterConnectionSeq, time.Now().UnixNano()%100000)
	home := operatorNamespace(t)
	secretName := name + "-credentials"
	if withSecret {
		secret := testenv.ConnectionSecret(home, secretName)
		create(t, secret)
		t.Cleanup(func() { deleteObject(t, secret) })
	}
	cc := &v1alpha1.ClusterConnection{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: v1alpha1.ClusterConnectionSpec{
			ConnectionParameters: env.Connection("x", "x", "x").Spec.ConnectionParameters,
			CredentialsSecretRef: v1alpha1.ClusterSecretReference{Name: secretName},
			Conditions:           conds,
		},
	}
	create(t, cc)
	// Deleted first (cleanups run last-in first-out); its in-use finalizer keeps it
	// serving while the test's namespaces are cleaned.
	t.Cleanup(func() { deleteObject(t, cc) })
	return cc
}

// patchOutFinalizer removes a finalizer from obj, if it still exists.
func patchOutFinalizer(t testing.TB, obj client.Object, finalizer string) {
	t.Helper()
	if err := env.Client.Get(ctx, key(obj), obj); err != nil {
		return
	}
	base := obj.DeepCopyObject().(client.Object)
	if controllerutil.RemoveFinalizer(obj, finalizer) {
		if err := env.Client.Patch(ctx, obj, client.MergeFrom(base)); client.IgnoreNotFound(err) != nil {
			t.Errorf("removing finalizer %s of %s: %v", finalizer, key(obj), err)
		}
	}
}

func clusterRef(cc *v1alpha1.ClusterConnection) *v1alpha1.ConnectionReference {
	return &v1alpha1.ConnectionReference{Kind: v1alpha1.ConnectionKindCluster, Name: cc.Name}
}

// waitClusterConnection waits until the ClusterConnection's Ready condition has the
// status and reason.
func waitClusterConnection(t testing.TB, cc *v1alpha1.ClusterConnection, status metav1.ConditionStatus, reason string) {
	t.Helper()
	waitFor(t, cc, fmt.Sprintf("Ready=%s/%s", status, reason), func(c *v1alpha1.ClusterConnection) bool {
		r := conditions.Get(c.Status.Conditions, conditions.TypeReady)
		return r != nil && r.Status == status && r.Reason == reason
	})
}

// requestsNaming returns the fake's requests since calls began whose body holds s.
func requestsNaming(calls apiCalls, s string) []hoxtontest.Request {
	return calls.requests(func(r hoxtontest.Request) bool { return strings.Contains(string(r.Body), s) })
}

// statusText is everything a tenant reads in a managed object's conditions.
func statusText(o *v1alpha1.Site) string {
	var b strings.Builder
	for _, c := range o.Status.Conditions {
		fmt.Fprintf(&b, "%s %s %s %s\n", c.Type, c.Status, c.Reason, c.Message)
	}
	return b.String()
}

// assertNoClusterDetails fails when text names the ClusterConnection's organisation,
// URLs, Secret or the operator's namespace.
func assertNoClusterDetails(t testing.TB, what, text string, cc *v1alpha1.ClusterConnection) {
	t.Helper()
	for _, detail := range []string{cc.Spec.OrganisationID, cc.Spec.APIURL, cc.Spec.TokenURL,
		strings.TrimPrefix(cc.Spec.APIURL, "http://"), cc.Spec.CredentialsSecretRef.Name, operator.DefaultClusterResourceNamespace} {
		if strings.Contains(text, detail) {
			t.Errorf("%s shows %q of the ClusterConnection: %s", what, detail, text)
		}
	}
}

// TestClusterConnectionAdmitsOnlyItsNamespaces: a ClusterConnection serves the
// namespaces its conditions list or select, and no other. The object of a refused
// namespace is Terminal, with a condition and a Warning event naming the
// ClusterConnection, and not one request is sent for it.
func TestClusterConnectionAdmitsOnlyItsNamespaces(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	listed, selected, refused := newNamespace(t), newNamespace(t), newNamespace(t)
	update(t, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: selected}}, func(n *corev1.Namespace) {
		n.Labels = map[string]string{"hoxtonai.dev/tenant": "retail"}
	})
	cc := newClusterConnection(t, true,
		v1alpha1.ClusterConnectionCondition{Namespaces: []string{listed}},
		v1alpha1.ClusterConnectionCondition{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"hoxtonai.dev/tenant": "retail"}}},
	)
	waitClusterConnection(t, cc, metav1.ConditionTrue, conditions.ReasonAvailable)

	calls := countCalls()
	intruder := isolationSite(refused, "intruder", clusterRef(cc))
	intruder.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan // lets the cleanup go without HoxtonAi
	create(t, intruder)
	for _, ns := range []string{listed, selected} {
		s := isolationSite(ns, "shop", clusterRef(cc))
		create(t, s)
		waitReady(t, s)
	}
	waitSyncedFalse(t, intruder, conditions.ReasonTerminal)
	msg := cond(intruder, conditions.TypeSynced).Message
	if !strings.Contains(msg, cc.Name) || !strings.Contains(msg, refused) {
		t.Errorf("the refusal does not name the ClusterConnection and the namespace: %q", msg)
	}
	if e := waitEvent(t, refused, intruder.Name, "TerminalError"); e.Type != corev1.EventTypeWarning || !strings.Contains(e.Note, cc.Name) {
		t.Errorf("event %s %q, want a Warning naming %s", e.Type, e.Note, cc.Name)
	}
	if reqs := requestsNaming(calls, intruder.Spec.Name); len(reqs) != 0 {
		t.Errorf("requests were sent for the refused object:\n  %s", describeRequests(reqs))
	}
	assertNoClusterDetails(t, "the refused object's status", statusText(intruder), cc)

	// Labelling the namespace later admits it, at the next poll.
	update(t, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: refused}}, func(n *corev1.Namespace) {
		n.Labels = map[string]string{"hoxtonai.dev/tenant": "retail"}
	})
	waitReady(t, intruder)
}

// TestClusterConnectionWithoutConditionsAdmitsNobody: an empty list admits no
// namespace.
func TestClusterConnectionWithoutConditionsAdmitsNobody(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newNamespace(t)
	cc := newClusterConnection(t, true)
	waitClusterConnection(t, cc, metav1.ConditionTrue, conditions.ReasonAvailable)
	calls := countCalls()
	s := isolationSite(ns, "shop", clusterRef(cc))
	s.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan
	create(t, s)
	waitSyncedFalse(t, s, conditions.ReasonTerminal)
	if reqs := requestsNaming(calls, s.Spec.Name); len(reqs) != 0 {
		t.Errorf("requests were sent for the refused object:\n  %s", describeRequests(reqs))
	}
}

// TestClusterConnectionDetailsStayOutOfTenantStatus: when a ClusterConnection is not
// Ready, the objects of an admitted tenant say so by its name and reason only; its
// status (Secret, organisation, URLs) is the administrator's.
func TestClusterConnectionDetailsStayOutOfTenantStatus(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newNamespace(t)
	cc := newClusterConnection(t, false, v1alpha1.ClusterConnectionCondition{Namespaces: []string{ns}})
	waitClusterConnection(t, cc, metav1.ConditionFalse, conditions.ReasonSecretNotFound)
	get(t, cc)
	if c := conditions.Get(cc.Status.Conditions, conditions.TypeReady); !strings.Contains(c.Message, cc.Spec.CredentialsSecretRef.Name) {
		t.Fatalf("the ClusterConnection's own status should name its Secret: %q", c.Message)
	}
	s := isolationSite(ns, "shop", clusterRef(cc))
	create(t, s)
	waitSyncedFalse(t, s, conditions.ReasonReferencesNotReady)
	text := statusText(s)
	if !strings.Contains(text, cc.Name) || !strings.Contains(text, conditions.ReasonSecretNotFound) {
		t.Errorf("the tenant's status should name the ClusterConnection and the reason: %s", text)
	}
	assertNoClusterDetails(t, "the tenant's status", text, cc)
	for _, e := range events(t, ns, s.Name) {
		assertNoClusterDetails(t, "the tenant's event "+e.Reason, e.Note, cc)
	}
}

// TestClusterConnectionSecretOnlyInOperatorNamespace: a ClusterConnection naming a
// Secret of a tenant's namespace is refused; that Secret is neither read nor labelled.
func TestClusterConnectionSecretOnlyInOperatorNamespace(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	tenant := newNamespace(t)
	secret := testenv.ConnectionSecret(tenant, "team-credentials")
	create(t, secret)
	cc := &v1alpha1.ClusterConnection{
		ObjectMeta: metav1.ObjectMeta{Name: "steals-" + tenant},
		Spec: v1alpha1.ClusterConnectionSpec{
			ConnectionParameters: env.Connection("x", "x", "x").Spec.ConnectionParameters,
			CredentialsSecretRef: v1alpha1.ClusterSecretReference{Name: secret.Name, Namespace: tenant},
			Conditions:           []v1alpha1.ClusterConnectionCondition{{Namespaces: []string{tenant}}},
		},
	}
	create(t, cc)
	t.Cleanup(func() { deleteObject(t, cc); patchOutFinalizer(t, cc, connection.InUseFinalizer) })
	waitClusterConnection(t, cc, metav1.ConditionFalse, conditions.ReasonInvalidConfiguration)
	get(t, secret)
	if _, labelled := secret.Labels[connection.SecretLabel]; labelled {
		t.Errorf("the tenant's Secret was labelled for the operator: %v", secret.Labels)
	}
}

// TestTenantCannotBlockClusterConnectionDeletion: objects of tenants, even ones held
// Terminating by a finalizer of their own, keep a deleted ClusterConnection for the
// grace period at most.
func TestTenantCannotBlockClusterConnectionDeletion(t *testing.T) {
	const grace = 3 * time.Second
	startManager(t, operator.Options{PollInterval: pollInterval, Tenancy: operator.Tenancy{ClusterReleaseGrace: grace}})
	ns := newNamespace(t)
	cc := newClusterConnection(t, true, v1alpha1.ClusterConnectionCondition{Namespaces: []string{ns}})
	waitClusterConnection(t, cc, metav1.ConditionTrue, conditions.ReasonAvailable)
	held := isolationSite(ns, "held", clusterRef(cc))
	held.Finalizers = []string{"tenant.example/hold"}
	create(t, held)
	t.Cleanup(func() { patchOutFinalizer(t, held, "tenant.example/hold") })
	waitReady(t, held)
	deleteObject(t, held) // Terminating for as long as the tenant's finalizer stays

	start := time.Now()
	deleteObject(t, cc)
	waitGone(t, cc)
	if took := time.Since(start); took < grace/2 || took > grace+10*time.Second {
		t.Errorf("the ClusterConnection went after %s, want about the grace of %s", took, grace)
	}
	waitEvent(t, operatorNamespace(t), cc.Name, "ReleasedInUse") // the ClusterConnection's events are the administrator's
}

// TestConnectionSecretIsLabelled: the Secret a Connection uses gets the label the
// manager's Secret cache selects on; other Secrets of the namespace do not.
func TestConnectionSecretIsLabelled(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	other := testenv.ConnectionSecret(ns, "unrelated")
	create(t, other)
	waitDefaultConnectionReady(t, ns)
	used := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName + "-credentials"}}
	waitFor(t, used, "labelled "+connection.SecretLabel, func(s *corev1.Secret) bool { return s.Labels[connection.SecretLabel] == "true" })
	get(t, other)
	if _, ok := other.Labels[connection.SecretLabel]; ok {
		t.Errorf("an unused Secret was labelled: %v", other.Labels)
	}
}

// TestNamespacedInstallServesOnlyItsNamespaces: with --watch-namespaces the manager
// reconciles the listed namespaces only, and refuses ClusterConnections there.
func TestNamespacedInstallServesOnlyItsNamespaces(t *testing.T) {
	inside, outside := newConnectedNamespace(t), newConnectedNamespace(t)
	startManager(t, operator.Options{PollInterval: pollInterval, Tenancy: operator.Tenancy{WatchNamespaces: []string{inside}}})
	served := isolationSite(inside, "served", nil)
	viaCluster := isolationSite(inside, "via-cluster", &v1alpha1.ConnectionReference{Kind: v1alpha1.ConnectionKindCluster, Name: "anything"})
	viaCluster.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan
	ignored := isolationSite(outside, "ignored", nil)
	for _, s := range []*v1alpha1.Site{served, viaCluster, ignored} {
		create(t, s)
	}
	waitReady(t, served)
	waitSyncedFalse(t, viaCluster, conditions.ReasonTerminal)
	if msg := cond(viaCluster, conditions.TypeSynced).Message; !strings.Contains(msg, "--watch-namespaces") {
		t.Errorf("the refusal does not say why: %q", msg)
	}
	consistently(t, 3*time.Second, "the Site of an unwatched namespace untouched", func() (bool, string) {
		get(t, ignored)
		return len(ignored.Status.Conditions) == 0 && len(ignored.Finalizers) == 0, describeStatus(ignored)
	})
	// Delete while the manager runs: the namespaces are cleaned after it stops.
	for _, s := range []*v1alpha1.Site{served, viaCluster, ignored} {
		deleteObject(t, s)
		waitGone(t, s)
	}
}
