package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/kinds"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// treeOptions are the flags of `tree`.
type treeOptions struct {
	output string
	watch  bool
}

// NewTreeCommand is `tree`.
func NewTreeCommand(r *Root) *cobra.Command {
	o := &treeOptions{}
	cmd := &cobra.Command{
		Use:   "tree TYPE/NAME",
		Short: "Show what depends on an object, and whether each part is Ready",
		Long: `tree shows, from a Connection, a Site or any hoxtonai.dev object, the tree of the
objects that depend on it, as their references declare it: a Site's Cameras, the
monitors, alerts and annotations each camera feeds, the notification groups an
alert notifies, the Users of the site; from a Connection, everything that uses it.
Each object shows READY, SYNCED, its HoxtonAi id, and when it is not Ready the
reason and message of the condition that says why.

It reads only the cluster (kubeconfig, --context, -n), never HoxtonAi. TYPE is
what kubectl takes: site, sites, hxsite, connection, clusterconnection, ...

Exit codes: 0 every object of the tree is Ready; 1 one is not (so CI can wait on
it); 2 error. --watch redraws the tree whenever one of its objects changes, until
interrupted, and exits with the last tree's code.`,
		Example: `  hoxtonctl tree site/london-flagship -n stores
  kubectl hoxton tree connection/default -n stores -o wide
  until hoxtonctl tree site/london-flagship -n stores -o json > tree.json; do sleep 10; done`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: r.completeTypeName,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTree(cmd.Context(), r, o, args[0])
		},
	}
	f := cmd.Flags()
	addOutputFlag(f, &o.output, outputTable, treeFormats)
	f.BoolVarP(&o.watch, "watch", "w", false, "redraw the tree when one of its objects changes")
	return cmd
}

func runTree(ctx context.Context, r *Root, o *treeOptions, arg string) error {
	if err := checkOutput(o.output, treeFormats); err != nil {
		return err
	}
	c, ns, err := r.kubeClient()
	if err != nil {
		return err
	}
	root, err := r.treeRoot(arg, ns)
	if err != nil {
		return err
	}
	read := func(ctx context.Context) (*TreeNode, error) { return readTree(ctx, c, root) }
	if o.watch {
		return watchTree(ctx, r, c, root, o.output, read)
	}
	tree, err := read(ctx)
	if err != nil {
		return err
	}
	if err := printTree(r.Env.Out, o.output, tree); err != nil {
		return err
	}
	return treeResult(tree)
}

// treeResult is ErrFindings (exit 1) when an object of the tree is not Ready.
func treeResult(tree *TreeNode) error {
	ready := true
	tree.walk(func(n *TreeNode, _ int) { ready = ready && n.IsReady() }, 0)
	if !ready {
		return ErrFindings
	}
	return nil
}

// treeRoot resolves TYPE/NAME as kubectl does (plural, singular or short name,
// through the cluster's discovery) to an object of the namespace.
func (r *Root) treeRoot(arg, namespace string) (objectKey, error) {
	resource, name, ok := strings.Cut(arg, "/")
	if !ok || resource == "" || name == "" {
		return objectKey{}, fmt.Errorf("%q: want TYPE/NAME, e.g. site/london", arg)
	}
	mapper, err := r.Kube.ToRESTMapper()
	if err != nil {
		return objectKey{}, fmt.Errorf("kubeconfig: %w", err)
	}
	gvr := schema.GroupVersionResource{Resource: strings.ToLower(resource)}
	if res, group, dotted := strings.Cut(gvr.Resource, "."); dotted {
		gvr.Resource, gvr.Group = res, group
	}
	gvk, err := mapper.KindFor(gvr)
	if err != nil || gvk.Group != v1alpha1.GroupVersion.Group {
		return objectKey{}, fmt.Errorf("%q is not a kind of %s (kubectl api-resources --categories hoxton lists them)", resource, v1alpha1.GroupVersion.Group)
	}
	if gvk.Kind == "ClusterConnection" {
		namespace = ""
	}
	return objectKey{gvk.Kind, namespace, name}, nil
}

// readTree lists the Connections and managed objects the tree can hold (the root's
// namespace; every namespace below a ClusterConnection) and builds the tree below
// root.
func readTree(ctx context.Context, c client.Client, root objectKey) (*TreeNode, error) {
	var opts []client.ListOption
	if root.kind != "ClusterConnection" {
		opts = append(opts, client.InNamespace(root.namespace))
	}
	var conns []client.Object
	var objects []managed.Object
	for _, l := range treeLists() {
		list := l.new()
		if err := c.List(ctx, list, opts...); err != nil {
			return nil, fmt.Errorf("listing %ss: %w", l.kind, err)
		}
		items, err := meta.ExtractList(list)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			obj := it.(client.Object)
			obj.GetObjectKind().SetGroupVersionKind(v1alpha1.GroupVersion.WithKind(l.kind))
			if m, ok := obj.(managed.Object); ok {
				objects = append(objects, m)
			} else {
				conns = append(conns, obj)
			}
		}
	}
	g := newObjectGraph(conns, objects)
	if _, ok := g.nodes[root]; !ok {
		where := ""
		if root.namespace != "" {
			where = " in namespace " + root.namespace
		}
		return nil, fmt.Errorf("%s %q not found%s", root.kind, root.name, where)
	}
	return g.tree(root), nil
}

// treeList is a kind the tree reads, and an empty list of it.
type treeList struct {
	kind string
	new  func() client.ObjectList
}

// treeLists are the Connection kinds and every registered kind.
func treeLists() []treeList {
	registry := kinds.Registry()
	out := make([]treeList, 0, 2+len(registry))
	out = append(out,
		treeList{"Connection", func() client.ObjectList { return &v1alpha1.ConnectionList{} }},
		treeList{"ClusterConnection", func() client.ObjectList { return &v1alpha1.ClusterConnectionList{} }})
	for _, reg := range registry {
		out = append(out, treeList{reg.Name, reg.NewList})
	}
	return out
}
