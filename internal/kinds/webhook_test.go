package kinds_test

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/safeurl"
	"github.com/hoxton-operator/hoxton-operator/internal/safeurl/safeurltest"
)

// TestURLRulesAtApply: the CRDs' CEL rules and package safeurl give the same verdict
// on every example: a webhook's inline url, and a Connection's and a
// ClusterConnection's endpoints, with and without allowInsecureHTTP.
func TestURLRulesAtApply(t *testing.T) {
	ns := newNamespace(t)
	dryRun := func(obj client.Object) error { return env.Client.Create(ctx, obj, client.DryRunAll) }
	verdict := func(t *testing.T, what, url string, want bool, goErr, crdErr error) {
		t.Helper()
		if (goErr == nil) != want {
			t.Errorf("%s %q: safeurl says %v, want accepted %v", what, url, goErr, want)
		}
		if (crdErr == nil) != want {
			t.Errorf("%s %q: the CRD says %v, want accepted %v", what, url, crdErr, want)
		}
	}
	for _, ex := range safeurltest.Examples {
		group := &v1alpha1.NotificationGroup{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "hook"},
			Spec: v1alpha1.NotificationGroupSpec{Name: "Hook", Recipients: v1alpha1.Recipients{Webhook: &v1alpha1.Webhook{URL: ex.URL}}}}
		verdict(t, "webhook url", ex.URL, ex.Webhook, safeurl.Webhook(ex.URL), dryRun(group))

		for _, insecure := range []bool{false, true} {
			want := ex.Endpoint
			if insecure {
				want = ex.EndpointInsecure
			}
			conn := env.Connection(ns, "endpoint", "creds")
			conn.Spec.AllowInsecureHTTP = insecure
			conn.Spec.APIURL, conn.Spec.TokenURL = ex.URL, "https://auth.example.com/oauth/token"
			verdict(t, fmt.Sprintf("Connection apiURL (allowInsecureHTTP %v)", insecure), ex.URL, want,
				safeurl.Endpoint(ex.URL, insecure), dryRun(conn))
			cc := &v1alpha1.ClusterConnection{ObjectMeta: metav1.ObjectMeta{Name: "endpoint"}, Spec: v1alpha1.ClusterConnectionSpec{
				ConnectionParameters: conn.Spec.ConnectionParameters, CredentialsSecretRef: v1alpha1.ClusterSecretReference{Name: "creds"}}}
			cc.Spec.APIURL, cc.Spec.TokenURL = "https://hoxton.example.com/api/v0", ex.URL
			verdict(t, fmt.Sprintf("ClusterConnection tokenURL (allowInsecureHTTP %v)", insecure), ex.URL, want, safeurl.Endpoint(ex.URL, insecure), dryRun(cc))
		}
	}
}

// TestWebhookURLFromSecretIsChecked: a webhook URL read from a Secret follows the
// rules of an inline one. A refused URL is Synced=False/Terminal with a Warning
// event, before any write to HoxtonAi, and neither says the URL (it carries a token).
func TestWebhookURLFromSecretIsChecked(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	for name, url := range map[string]string{
		"plain-http": "http://hooks.example.com/pager/T0KEN",
		"metadata":   "https://169.254.169.254/latest/meta-data/T0KEN",
		"loopback":   "https://localhost:8080/T0KEN",
		"decimal":    "https://2852039166/T0KEN",
	} {
		t.Run(name, func(t *testing.T) {
			create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, StringData: map[string]string{"url": url}})
			group := &v1alpha1.NotificationGroup{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: v1alpha1.NotificationGroupSpec{
				Name: "Pager " + name, Recipients: v1alpha1.Recipients{Webhook: &v1alpha1.Webhook{
					URLSecretRef: &v1alpha1.SecretKeySelector{Name: name, Key: "url"}}}}}
			calls := countCalls()
			create(t, group)
			waitSyncedFalse(t, group, conditions.ReasonTerminal)
			msg := cond(group, conditions.TypeSynced).Message
			if !strings.Contains(msg, `Secret "`+name+`" key "url"`) || strings.Contains(msg, "T0KEN") || strings.Contains(msg, "hooks.example.com") {
				t.Fatalf("the Synced message %q should name the Secret key and not the URL", msg)
			}
			ev := waitEvent(t, ns, name, managed.ReasonTerminalError)
			if strings.Contains(ev.Note, "T0KEN") {
				t.Fatalf("the event repeats the URL: %q", ev.Note)
			}
			if w := calls.writes(); w != 0 {
				t.Fatalf("%d writes to HoxtonAi for a refused webhook URL:\n  %s", w, describeRequests(calls.requests(nil)))
			}
		})
	}

	// The same object with a good URL is written.
	good := "https://hooks.example.com/pager/T0KEN"
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "good"}, StringData: map[string]string{"url": good}})
	group := &v1alpha1.NotificationGroup{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "good"}, Spec: v1alpha1.NotificationGroupSpec{
		Name: "Pager good", Recipients: v1alpha1.Recipients{Webhook: &v1alpha1.Webhook{URLSecretRef: &v1alpha1.SecretKeySelector{Name: "good", Key: "url"}}}}}
	create(t, group)
	waitReady(t, group)
	if got := fakeObject(t, "notification-groups", group.Status.ExternalID)["webhook"]; !strings.Contains(jsonOf(got), good) {
		t.Fatalf("the fake's webhook is %v, want %s", got, good)
	}
}
