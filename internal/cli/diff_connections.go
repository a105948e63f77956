package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// planGroup is the manifests that act through one organisation, and the credentials
// diff reads it with.
type planGroup struct {
	target *target
	set    *manifestSet
}

// credentialsGiven reports whether the command line or the environment names the
// credentials (--connection, an API flag or a HOXTON_* variable): then every manifest
// is planned with them.
func (a *apiFlags) credentialsGiven(getenv func(string) string) bool {
	if a.connection != "" {
		return true
	}
	for _, s := range apiSettings {
		if a.flags.Changed(s.flag) || getenv(s.env) != "" {
			return true
		}
	}
	return false
}

// planGroups splits the manifests by the organisation they act in. With credentials
// given, all of them use those; otherwise each manifest uses the Connection its
// spec.connectionRef names (the namespace's "default" by default), read with its
// Secret from the cluster of the kubeconfig's context, as the operator would use it.
// Manifests of Connections to one organisation (same API, same organisation id) are
// planned together, so that references between them resolve and the organisation's
// unmanaged objects are listed once.
func planGroups(ctx context.Context, r *Root, o *diffOptions, set *manifestSet) ([]planGroup, error) {
	if o.api.credentialsGiven(r.Env.Getenv) {
		t, err := o.api.resolve(ctx, r)
		if err != nil {
			return nil, err
		}
		return []planGroup{{target: t, set: set}}, nil
	}
	read := map[string]*target{}
	byOrganisation := map[string]*planGroup{}
	var order []string
	for _, m := range set.objects {
		ref := m.obj.GetManagedSpec().GetConnectionRef()
		key := connectionKey(m.obj.GetNamespace(), ref)
		t, ok := read[key]
		if !ok {
			var err error
			if t, err = r.readConnectionOf(ctx, m.obj.GetNamespace(), ref); err != nil {
				return nil, fmt.Errorf("%s %s/%s uses %s: %w (or give the credentials with --connection or the HOXTON_* variables)",
					m.reg.Name, m.obj.GetNamespace(), m.obj.GetName(), key, err)
			}
			read[key] = t
		}
		org := t.APIURL + " " + t.OrganisationID
		g, ok := byOrganisation[org]
		if !ok {
			g = &planGroup{target: t, set: &manifestSet{secrets: set.secrets}}
			byOrganisation[org] = g
			order = append(order, org)
		}
		g.set.objects = append(g.set.objects, m)
	}
	out := make([]planGroup, 0, len(order))
	for _, org := range order {
		out = append(out, *byOrganisation[org])
	}
	return out, nil
}

// connectionKey names a Connection (of namespace) or a ClusterConnection.
func connectionKey(namespace string, ref v1alpha1.ConnectionReference) string {
	if ref.Kind == v1alpha1.ConnectionKindCluster {
		return "ClusterConnection " + ref.Name
	}
	return "Connection " + namespace + "/" + ref.Name
}

// readConnectionOf reads the Connection ref names for an object of namespace, through
// the kubeconfig's cluster and context.
func (r *Root) readConnectionOf(ctx context.Context, namespace string, ref v1alpha1.ConnectionReference) (*target, error) {
	ns := namespace
	scoped := &Root{Env: r.Env, Name: r.Name,
		Kube: &genericclioptions.ConfigFlags{KubeConfig: r.Kube.KubeConfig, Context: r.Kube.Context, Namespace: &ns}}
	name := ref.Name
	if ref.Kind == v1alpha1.ConnectionKindCluster {
		name = clusterConnectionPrefix + name
	}
	return scoped.readConnection(ctx, name)
}

// mergePlans joins the plans of several organisations into one.
func mergePlans(plans []*Plan) *Plan {
	if len(plans) == 1 {
		return plans[0]
	}
	out := &Plan{}
	var orgs []string
	for _, p := range plans {
		if !slices.Contains(orgs, p.Organisation) {
			orgs = append(orgs, p.Organisation)
		}
		out.Objects = append(out.Objects, p.Objects...)
		out.Unmanaged = append(out.Unmanaged, p.Unmanaged...)
	}
	out.Organisation = strings.Join(orgs, ", ")
	return out
}
