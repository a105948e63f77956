package kinds_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/connection"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// grantSecretData is what the README puts in a Connection's Secret for grant.
func grantSecretData(grant v1alpha1.Grant) map[string]string {
	data := map[string]string{
		v1alpha1.SecretKeyClientID: hoxtontest.DefaultClientID, v1alpha1.SecretKeyClientSecret: hoxtontest.DefaultClientSecret,
	}
	switch grant {
	case v1alpha1.GrantPassword:
		data[v1alpha1.SecretKeyUsername], data[v1alpha1.SecretKeyPassword] = hoxtontest.DefaultUsername, hoxtontest.DefaultPassword
	case v1alpha1.GrantRefreshToken:
		data[v1alpha1.SecretKeyRefreshToken] = env.API.IssueRefreshToken(hoxtontest.DefaultClientID)
	}
	return data
}

// documentedClusterConnection creates a ClusterConnection of grant as the README
// writes it: its Secret in the operator's namespace, named without a namespace,
// admitting namespace ns. Both go when the test ends.
func documentedClusterConnection(t *testing.T, name string, grant v1alpha1.Grant, ns string) *v1alpha1.ClusterConnection {
	t.Helper()
	home := operatorNamespace(t)
	secret := credentialsSecret(home, name+"-credentials", grantSecretData(grant))
	create(t, secret)
	t.Cleanup(func() { deleteObject(t, secret) })
	cc := &v1alpha1.ClusterConnection{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: v1alpha1.ClusterConnectionSpec{
			ConnectionParameters: env.Connection("x", "x", "x").Spec.ConnectionParameters,
			CredentialsSecretRef: v1alpha1.ClusterSecretReference{Name: secret.Name},
			Conditions:           []v1alpha1.ClusterConnectionCondition{{Namespaces: []string{ns}}},
		},
	}
	cc.Spec.Grant = grant
	create(t, cc)
	t.Cleanup(func() { deleteObject(t, cc) })
	return cc
}

// uniqueName is a name no other test of the run uses.
func uniqueName(prefix string) string {
	clusterConnectionSeq++
	return fmt.Sprintf("%s-%d-%d", prefix, clusterConnectionSeq, time.Now().UnixNano()%100000)
}

// TestClusterConnectionGrantsAsDocumented: a ClusterConnection of each grant, its
// Secret reference without a namespace as the README shows it, becomes Ready and
// serves a Site. A RefreshToken one keeps its token state next to its Secret, in
// the operator's namespace. Its events are there too, not in namespace default:
// they name the Secret and the organisation.
func TestClusterConnectionGrantsAsDocumented(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newNamespace(t)
	home := operatorNamespace(t)
	for _, grant := range []v1alpha1.Grant{v1alpha1.GrantClientCredentials, v1alpha1.GrantPassword, v1alpha1.GrantRefreshToken} {
		t.Run(string(grant), func(t *testing.T) {
			cc := documentedClusterConnection(t, uniqueName(strings.ToLower(string(grant))), grant, ns)
			waitClusterConnection(t, cc, metav1.ConditionTrue, conditions.ReasonAvailable)
			site := isolationSite(ns, cc.Name, clusterRef(cc))
			create(t, site)
			waitReady(t, site)
			if grant == v1alpha1.GrantRefreshToken {
				eventually(t, "the rotated refresh token in the token state Secret", func() (bool, string) {
					return secretValue(t, home, cc.Name+"-hoxton-cluster-token", "refreshToken") != "", "none yet"
				})
			}
			waitEvent(t, home, cc.Name, conditions.ReasonAvailable)
			if evs := events(t, metav1.NamespaceDefault, cc.Name); len(evs) > 0 {
				t.Errorf("%d events about the ClusterConnection in namespace default, first %q", len(evs), evs[0].Note)
			}
		})
	}
}

// TestClusterConnectionCheckFailureIsReported: a check that fails before it
// reaches HoxtonAi (here the copy of the credentials cannot be written) still
// writes the ClusterConnection's status, with an event in the operator's namespace.
func TestClusterConnectionCheckFailureIsReported(t *testing.T) {
	writes := &stateWrites{copies: true}
	writes.fail.Store(true)
	startManager(t, operator.Options{PollInterval: pollInterval, NewClient: writes.newClient})
	ns := newNamespace(t)
	cc := documentedClusterConnection(t, uniqueName("failing"), v1alpha1.GrantRefreshToken, ns)
	waitClusterConnection(t, cc, metav1.ConditionFalse, connection.ReasonCheckFailed)
	if msg := conditions.Get(cc.Status.Conditions, conditions.TypeReady).Message; !strings.Contains(msg, "copy of the credentials") {
		t.Errorf("the condition does not say what failed: %q", msg)
	}
	waitEvent(t, operatorNamespace(t), cc.Name, connection.ReasonCheckFailed)
}

// TestTokenStateNamesCannotCollide: a Connection "cluster-x" in the operator's
// namespace and a ClusterConnection "x", both RefreshToken, keep their token state
// in two Secrets, each owned by its own Connection.
func TestTokenStateNamesCannotCollide(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newNamespace(t)
	home := operatorNamespace(t)
	name := uniqueName("x")
	cc := documentedClusterConnection(t, name, v1alpha1.GrantRefreshToken, ns)
	create(t, credentialsSecret(home, "cluster-"+name+"-credentials", grantSecretData(v1alpha1.GrantRefreshToken)))
	conn := env.Connection(home, "cluster-"+name, "cluster-"+name+"-credentials")
	conn.Spec.Grant = v1alpha1.GrantRefreshToken
	create(t, conn)
	t.Cleanup(func() {
		deleteObject(t, conn)
		deleteObject(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: home, Name: conn.Spec.CredentialsSecretRef.Name}})
	})
	waitClusterConnection(t, cc, metav1.ConditionTrue, conditions.ReasonAvailable)
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)

	owners := map[string]string{}
	for _, stateName := range []string{name + "-hoxton-cluster-token", "cluster-" + name + "-hoxton-token"} {
		eventually(t, "the token state Secret "+stateName, func() (bool, string) {
			s := &corev1.Secret{}
			if err := env.Client.Get(ctx, key(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: home, Name: stateName}}), s); err != nil {
				return false, err.Error()
			}
			if len(s.OwnerReferences) != 1 || len(s.Data["refreshToken"]) == 0 {
				return false, fmt.Sprintf("owners %v, no rotated token yet", s.OwnerReferences)
			}
			owners[stateName] = s.OwnerReferences[0].Kind + "/" + s.OwnerReferences[0].Name
			return true, ""
		})
	}
	if got, want := owners[name+"-hoxton-cluster-token"], "ClusterConnection/"+name; got != want {
		t.Errorf("the ClusterConnection's token state is owned by %s, want %s", got, want)
	}
	if got, want := owners["cluster-"+name+"-hoxton-token"], "Connection/cluster-"+name; got != want {
		t.Errorf("the Connection's token state is owned by %s, want %s", got, want)
	}
}
