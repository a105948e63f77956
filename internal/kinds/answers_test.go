package kinds_test

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// TestHugeAnswersAreTerminal: the API of a tenant's own Connection answers 200 with a
// list of 1.4 million empty objects (4 MiB, within the wire bound), which used to
// grow the shared manager's heap by hundreds of MiB per call. The answer is refused
// before it is decoded: the object reports it as Terminal, saying how large it was,
// and a Connection whose organisation is answered so says it too.
func TestHugeAnswersAreTerminal(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	const refused = "HoxtonAi answered a list of"
	huge := "[{}" + strings.Repeat(",{}", (hoxton.MaxResponseBytes-2)/3-1) + "]"

	// The tenant's Connection, with its own OAuth client so that the faults hit it alone.
	ns := newNamespace(t)
	secret := credentialsSecret(ns, "huge-credentials", map[string]string{
		v1alpha1.SecretKeyClientID: rotatingClientID, v1alpha1.SecretKeyClientSecret: rotatingClientSecret,
	})
	create(t, secret)
	conn := env.Connection(ns, v1alpha1.DefaultConnectionName, secret.Name)
	create(t, conn)
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)

	t.Cleanup(env.API.ClearFaults)
	env.API.AddFault(hoxtontest.Fault{ClientID: rotatingClientID, Method: "GET", PathPrefix: "/sites", Status: 200, Body: huge})
	site := isolationSite(ns, "huge", nil)
	create(t, site)
	waitFor(t, site, "Synced=False/Terminal saying how large the answer was", func(o *v1alpha1.Site) bool {
		c := cond(o, conditions.TypeSynced)
		return c != nil && c.Reason == conditions.ReasonTerminal && strings.Contains(c.Message, refused) && len(c.Message) < 1024
	})

	// A second Connection of the same client: its check reads the organisation.
	env.API.AddFault(hoxtontest.Fault{ClientID: rotatingClientID, Method: "GET", PathPrefix: "/organisations", Status: 200, Body: huge})
	ns2 := newNamespace(t)
	secret2 := credentialsSecret(ns2, "huge-credentials", map[string]string{
		v1alpha1.SecretKeyClientID: rotatingClientID, v1alpha1.SecretKeyClientSecret: rotatingClientSecret,
	})
	create(t, secret2)
	conn2 := env.Connection(ns2, v1alpha1.DefaultConnectionName, secret2.Name)
	create(t, conn2)
	waitFor(t, conn2, "Ready=False saying how large the answer was", func(c *v1alpha1.Connection) bool {
		r := cond(c, conditions.TypeReady)
		return r != nil && r.Status == metav1.ConditionFalse && strings.Contains(r.Message, refused)
	})
	update(t, site, func(o *v1alpha1.Site) { o.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan })
}
