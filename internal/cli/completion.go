package cli

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/kinds"
)

// Shell completion: cobra's `completion bash|zsh|fish|powershell` writes the
// script, which calls the hidden `__complete` command. Flags complete their
// values: -o the formats its command takes, --connection the Connections of
// the namespace and the ClusterConnections (read through the kubeconfig),
// -n the namespaces, --context the kubeconfig's contexts.

// completionTimeout bounds a cluster read for completion: a shell waits on it.
const completionTimeout = 5 * time.Second

// noFiles ends a completion that offers names, not files.
const noFiles = cobra.ShellCompDirectiveNoFileComp

// registerCompletions adds the completion of flag values to root and every
// command below it.
func registerCompletions(root *cobra.Command, r *Root) {
	_ = root.RegisterFlagCompletionFunc("namespace", r.completeNamespaces)
	_ = root.RegisterFlagCompletionFunc("context", r.completeContexts)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if f := c.Flags().Lookup("output"); f != nil && len(f.Annotations[formatsAnnotation]) > 0 {
			_ = c.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(f.Annotations[formatsAnnotation], noFiles))
		}
		for _, name := range []string{"connection", "connection-ref"} {
			if c.Flags().Lookup(name) != nil {
				_ = c.RegisterFlagCompletionFunc(name, r.completeConnections)
			}
		}
		if c.Flags().Lookup("token-dialect") != nil {
			_ = c.RegisterFlagCompletionFunc("token-dialect", cobra.FixedCompletions(
				[]string{string(v1alpha1.TokenDialectStandard), string(v1alpha1.TokenDialectCAM2), string(v1alpha1.TokenDialectCamStreamer)}, noFiles))
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// CompleteNames returns a completion of the names of objects in list's kind:
// those of the namespace the kubeconfig flags select, or all of a
// cluster-scoped kind. Commands that take object names as arguments use it as
// their ValidArgsFunction.
func (r *Root) CompleteNames(newList func() client.ObjectList) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		names, err := r.listNames(newList(), true)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		return matching(names, toComplete), noFiles
	}
}

// completeTypeName completes a TYPE/NAME argument (tree): first the types of
// hoxtonai.dev, then the names of objects of the typed one in the namespace
// (all ClusterConnections).
func (r *Root) completeTypeName(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, noFiles
	}
	resource, _, typed := strings.Cut(toComplete, "/")
	if !typed {
		types := []string{"connection/", "clusterconnection/"}
		for _, reg := range kinds.Registry() {
			types = append(types, strings.ToLower(reg.Name)+"/")
		}
		return matching(types, toComplete), noFiles | cobra.ShellCompDirectiveNoSpace
	}
	ns, _ := r.namespace()
	key, err := r.treeRoot(resource+"/-", ns)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(v1alpha1.GroupVersion.WithKind(key.kind + "List"))
	names, err := r.listNames(list, key.namespace != "")
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	for i, n := range names {
		names[i] = resource + "/" + n
	}
	return matching(names, toComplete), noFiles
}

// completeConnections offers the Connections of the namespace and
// ClusterConnection/NAME for each ClusterConnection.
func (r *Root) completeConnections(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	names, err := r.listNames(&v1alpha1.ConnectionList{}, true)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	// A user without the right to list ClusterConnections still gets the Connections.
	if cluster, err := r.listNames(&v1alpha1.ClusterConnectionList{}, false); err == nil {
		for _, n := range cluster {
			names = append(names, "ClusterConnection/"+n)
		}
	}
	return matching(names, toComplete), noFiles
}

func (r *Root) completeNamespaces(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	names, err := r.listNames(&corev1.NamespaceList{}, false)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	return matching(names, toComplete), noFiles
}

func (r *Root) completeContexts(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	cfg, err := r.Kube.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var names []string
	for name := range cfg.Contexts {
		names = append(names, name)
	}
	return matching(names, toComplete), noFiles
}

// listNames lists the names of list's kind through the kubeconfig, in the
// selected namespace when inNamespace.
func (r *Root) listNames(list client.ObjectList, inNamespace bool) ([]string, error) {
	c, ns, err := r.kubeClient()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
	defer cancel()
	var opts []client.ListOption
	if inNamespace {
		opts = append(opts, client.InNamespace(ns))
	}
	if err := c.List(ctx, list, opts...); err != nil {
		return nil, err
	}
	items, err := meta.ExtractList(list)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(items))
	for _, o := range items {
		if m, err := meta.Accessor(o); err == nil {
			names = append(names, m.GetName())
		}
	}
	return names, nil
}

// matching returns the names starting with prefix, sorted.
func matching(names []string, prefix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}
