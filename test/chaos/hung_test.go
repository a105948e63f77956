package chaos

import (
	"context"
	"fmt"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// leaseNamespace holds the chaos managers' leader election lease.
const leaseNamespace = "default"

// hungSites is how many Sites the hung tenant has: twice the workers of the Site
// controller, so that they would hold every worker if one Connection could.
const hungSites = 8

// hungTenant is a tenant with its own HoxtonAi organisation, whose service (token
// endpoint included) stops answering once its Connection is Ready: each request is
// held until the caller gives up. Its objects must not hold up the other tenants.
type hungTenant struct {
	run
	objects []client.Object
}

func newHungTenant(t *testing.T, env *testenv.Env, kube client.Client) *hungTenant {
	api := hoxtontest.NewServer(hoxtontest.Options{})
	h := &hungTenant{run: run{env: env, kube: kube, api: api, proxy: newFaultProxy(api.URL(), 0), ns: "hung"}}
	ctx := context.Background()
	must(t, env.CreateNamespace(ctx, h.ns))
	must(t, kube.Create(ctx, testenv.ConnectionSecret(h.ns, "default-credentials")))
	conn := env.Connection(h.ns, v1alpha1.DefaultConnectionName, "default-credentials")
	conn.Spec.APIURL, conn.Spec.TokenURL = h.proxy.srv.URL+"/api/v0", h.proxy.srv.URL+"/oauth/token"
	conn.Spec.OrganisationID = api.OrganisationID()
	must(t, kube.Create(ctx, conn))
	for i := range hungSites {
		h.objects = append(h.objects, &v1alpha1.Site{ObjectMeta: metav1.ObjectMeta{Namespace: h.ns, Name: fmt.Sprintf("site-%d", i)},
			Spec: v1alpha1.SiteSpec{Name: fmt.Sprintf("Hung %d", i), Address: fmt.Sprintf("%d Low Street", i), TimeZone: "Europe/London"}})
	}
	return h
}

// release ends the hang and returns how many requests it held.
func (h *hungTenant) release() int64 {
	h.proxy.setHang(false)
	return h.proxy.held.Load()
}

func (h *hungTenant) close() {
	h.proxy.setHang(false)
	h.proxy.close()
	h.api.Close()
}
