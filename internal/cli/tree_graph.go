package cli

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/kinds"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// TreeNode is one object of a tree, as -o json|yaml prints it.
type TreeNode struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	// Via is the reference field that ties the object to its parent ("connectionRef"
	// for an object hanging from its Connection).
	Via string `json:"via,omitempty"`
	// ID is the HoxtonAi id: status.externalID, or a Connection's organisation.
	ID     string `json:"id,omitempty"`
	Ready  string `json:"ready"`
	Synced string `json:"synced,omitempty"`
	// Reason and Message say why an object is not Ready: its Synced condition's when
	// that is not True (the last reconcile's failure), otherwise its Ready condition's.
	Reason   string      `json:"reason,omitempty"`
	Message  string      `json:"message,omitempty"`
	Children []*TreeNode `json:"children,omitempty"`
}

// IsReady reports whether the object is Ready.
func (n *TreeNode) IsReady() bool { return n.Ready == string(metav1.ConditionTrue) }

// walk calls f for n and every node below it, parents first.
func (n *TreeNode) walk(f func(n *TreeNode, depth int), depth int) {
	f(n, depth)
	for _, c := range n.Children {
		c.walk(f, depth+1)
	}
}

// objectKey names an object of the graph.
type objectKey struct{ kind, namespace, name string }

func (k objectKey) String() string { return k.kind + "/" + k.name }

// edge ties a parent to a child of the tree.
type edge struct {
	to  objectKey
	via string
}

// objectGraph is what depends on what among the objects read from the cluster.
//
// Its edges come from the references the kinds declare (kinds.Registration.Refers):
// an object that names a site-scoped object (a Site, or what belongs to a site: a
// Camera, a monitor) hangs below it, so a Site leads to its Cameras, a Camera to
// the monitors, alerts and annotations it feeds, a monitor to its alerts. An object
// that names an organisation-wide one (a NotificationGroup: no reference leads from
// it to a site) has it below itself: an alert leads to the groups it notifies, a
// group to its child groups. An object no reference places hangs from the
// Connection it uses.
type objectGraph struct {
	nodes    map[objectKey]*TreeNode
	children map[objectKey][]edge
	parents  map[objectKey][]objectKey
}

// siteKind is the kind the organisation's objects belong to.
const siteKind = "Site"

// siteScopedKinds returns the kinds that belong to a site: Site, and every kind a
// reference leads from to a site-scoped kind.
func siteScopedKinds(registry []kinds.Registration) map[string]bool {
	scoped := map[string]bool{siteKind: true}
	for changed := true; changed; {
		changed = false
		for _, reg := range registry {
			if !scoped[reg.Name] && slices.ContainsFunc(reg.TargetKinds, func(k string) bool { return scoped[k] }) {
				scoped[reg.Name], changed = true, true
			}
		}
	}
	return scoped
}

// newObjectGraph builds the graph of the Connections, ClusterConnections and managed
// objects read.
func newObjectGraph(conns []client.Object, objects []managed.Object) *objectGraph {
	g := &objectGraph{nodes: map[objectKey]*TreeNode{}, children: map[objectKey][]edge{}, parents: map[objectKey][]objectKey{}}
	for _, c := range conns {
		g.nodes[keyOf(c)] = connectionNode(c)
	}
	registry := kinds.Registry()
	byKind := map[string]kinds.Registration{}
	for _, reg := range registry {
		byKind[reg.Name] = reg
	}
	scoped := siteScopedKinds(registry)
	for _, o := range objects {
		g.nodes[keyOf(o)] = managedNode(o)
	}
	for _, o := range objects {
		from := keyOf(o)
		for _, r := range byKind[from.kind].Refers(o) {
			to := objectKey{r.Kind, o.GetNamespace(), r.Name}
			if _, ok := g.nodes[to]; !ok || to == from {
				continue
			}
			if scoped[r.Kind] {
				g.link(to, from, r.Field)
			} else {
				g.link(from, to, r.Field)
			}
		}
	}
	for _, o := range objects {
		if len(g.parents[keyOf(o)]) > 0 {
			continue
		}
		ref := o.GetManagedSpec().GetConnectionRef()
		conn := objectKey{string(ref.Kind), o.GetNamespace(), ref.Name}
		if ref.Kind == v1alpha1.ConnectionKindCluster {
			conn.namespace = ""
		}
		if _, ok := g.nodes[conn]; ok {
			g.link(conn, keyOf(o), "connectionRef")
		}
	}
	return g
}

func (g *objectGraph) link(parent, child objectKey, via string) {
	g.children[parent] = append(g.children[parent], edge{child, via})
	g.parents[child] = append(g.parents[child], parent)
}

// tree returns the tree below root. Each object is shown once, below its deepest
// parent among the objects the root leads to (a monitor below its camera rather than
// beside it below the site), children in the registry's order of kinds, then by name.
func (g *objectGraph) tree(root objectKey) *TreeNode {
	reach := map[objectKey]bool{root: true}
	order := []objectKey{root}
	for i := 0; i < len(order); i++ {
		for _, e := range g.children[order[i]] {
			if !reach[e.to] {
				reach[e.to] = true
				order = append(order, e.to)
			}
		}
	}
	// Longest paths from the root; bounded, so that a cycle (refused by the operator,
	// but possible in the cluster) ends.
	depth := map[objectKey]int{root: 0}
	for range order {
		for _, from := range order {
			d, ok := depth[from]
			if !ok {
				continue
			}
			for _, e := range g.children[from] {
				if e.to != root && d+1 < len(order) && d+1 > depth[e.to] {
					depth[e.to] = d + 1
				}
			}
		}
	}
	placed := map[objectKey]bool{root: true}
	nodes := map[objectKey]*TreeNode{root: g.copyNode(root, "")}
	byDepth := slices.Clone(order[1:])
	slices.SortStableFunc(byDepth, func(a, b objectKey) int { return depth[a] - depth[b] })
	for _, k := range byDepth {
		parent, via := g.deepestParent(k, depth, placed)
		n := g.copyNode(k, via)
		nodes[parent].Children = append(nodes[parent].Children, n)
		nodes[k], placed[k] = n, true
	}
	nodes[root].walk(func(n *TreeNode, _ int) { slices.SortStableFunc(n.Children, compareNodes) }, 0)
	return nodes[root]
}

// deepestParent returns the placed parent of k deepest in the tree.
func (g *objectGraph) deepestParent(k objectKey, depth map[objectKey]int, placed map[objectKey]bool) (objectKey, string) {
	best, via, bestDepth := objectKey{}, "", -1
	for _, p := range g.parents[k] {
		if !placed[p] || depth[p] <= bestDepth {
			continue
		}
		for _, e := range g.children[p] {
			if e.to == k {
				best, via, bestDepth = p, e.via, depth[p]
				break
			}
		}
	}
	return best, via
}

func (g *objectGraph) copyNode(k objectKey, via string) *TreeNode {
	n := *g.nodes[k]
	n.Via = via
	return &n
}

// compareNodes orders children: Connections, then kinds in the registry's order
// (what is referred to first), then by name.
func compareNodes(a, b *TreeNode) int {
	rank := func(kind string) int {
		return slices.IndexFunc(kinds.Registry(), func(r kinds.Registration) bool { return r.Name == kind })
	}
	if ra, rb := rank(a.Kind), rank(b.Kind); ra != rb {
		return ra - rb
	}
	return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
}

func keyOf(o client.Object) objectKey {
	return objectKey{o.GetObjectKind().GroupVersionKind().Kind, o.GetNamespace(), o.GetName()}
}

// managedNode describes a managed object by its status.
func managedNode(o managed.Object) *TreeNode {
	st := o.GetManagedStatus()
	n := &TreeNode{Kind: keyOf(o).kind, Namespace: o.GetNamespace(), Name: o.GetName(), ID: st.ExternalID,
		Ready: conditionStatus(st.Conditions, "Ready"), Synced: conditionStatus(st.Conditions, "Synced")}
	if len(st.Conditions) == 0 {
		n.Reason, n.Message = "NoStatus", "the operator has not reported on it yet: is it running, and does it watch this namespace?"
	}
	if !n.IsReady() {
		why := meta.FindStatusCondition(st.Conditions, "Synced")
		if why == nil || why.Status == metav1.ConditionTrue {
			why = meta.FindStatusCondition(st.Conditions, "Ready")
		}
		if why != nil {
			n.Reason, n.Message = why.Reason, why.Message
		}
	}
	return n
}

// connectionNode describes a Connection or ClusterConnection by its Ready condition.
func connectionNode(o client.Object) *TreeNode {
	var conds []metav1.Condition
	var org string
	switch c := o.(type) {
	case *v1alpha1.Connection:
		conds, org = c.Status.Conditions, c.Spec.OrganisationID
	case *v1alpha1.ClusterConnection:
		conds, org = c.Status.Conditions, c.Spec.OrganisationID
	}
	n := &TreeNode{Kind: keyOf(o).kind, Namespace: o.GetNamespace(), Name: o.GetName(), ID: org, Ready: conditionStatus(conds, "Ready")}
	if c := meta.FindStatusCondition(conds, "Ready"); c != nil && !n.IsReady() {
		n.Reason, n.Message = c.Reason, c.Message
	}
	return n
}

// conditionStatus is a condition's status, or "Unknown" when the operator has not
// reported it yet.
func conditionStatus(conds []metav1.Condition, kind string) string {
	if c := meta.FindStatusCondition(conds, kind); c != nil {
		return string(c.Status)
	}
	return string(metav1.ConditionUnknown)
}
