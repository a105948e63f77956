package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/kinds"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// diffOptions are the flags of `diff`.
type diffOptions struct {
	api         apiFlags
	files       []string
	recursive   bool
	output      string
	idNamespace string
}

func newDiffCommand(r *Root) *cobra.Command {
	o := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff -f FILE|DIR|-",
		Short: "Show what applying manifests would change in the live organisation",
		Long: `diff reads manifests as kubectl apply would (files, folders, -R for their
sub-folders, "-" for standard input; a folder holding a kustomization is built
with kustomize, so an overlay is diffed as it would be applied) and says, object
by object and field by field, what hoxton-operator would create or update in the
live HoxtonAi organisation if they were applied. It writes nothing: it uses the
operator's own mapping and comparison of every kind.

Each manifest is planned with the Connection its spec.connectionRef names
("default" of its namespace unless it says otherwise), read with its Secret from
the cluster of the current context. --connection, the credential flags or the
HOXTON_* variables plan every manifest with those instead, and need no cluster.

References between the manifests are resolved among them, and ids derived as
the operator derives them: spec.externalID, else from the organisation, the
namespace (metadata.namespace, else --namespace) and the name in the UUID
namespace --id-namespace (the manager's flag of the same name). A camera is
matched by its serial number. The objects of the organisation that no manifest
describes are listed as unmanaged. Webhook URLs kept in Secrets are compared
only when the Secret is among the manifests.

Exit codes, as kubectl diff: 0 no changes; 1 changes; 2 error.
` + apiHelp,
		Example: `  hoxtonctl diff -f hoxton/ -n shop
  hoxtonctl diff -f overlays/production      # a kustomization, built
  kustomize build overlays/production | hoxtonctl diff -f -
  hoxtonctl diff -R -f hoxton/ --connection default -n shop
  hoxtonctl diff -f hoxton/ -o json > plan.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDiff(cmd.Context(), r, o)
		},
	}
	f := cmd.Flags()
	o.api.add(f)
	f.StringArrayVarP(&o.files, "filename", "f", nil, `manifest file, folder (built when it holds a kustomization) or "-" for standard input (repeatable)`)
	f.BoolVarP(&o.recursive, "recursive", "R", false, "read the sub-folders of -f folders too")
	addOutputFlag(f, &o.output, "", manifestFormats)
	f.StringVar(&o.idNamespace, "id-namespace", managed.DefaultIDNamespace.String(), "UUID namespace deterministic ids are derived in, as the manager's --id-namespace")
	return cmd
}

func runDiff(ctx context.Context, r *Root, o *diffOptions) error {
	if len(o.files) == 0 {
		return errors.New("-f FILE, DIR or - is required")
	}
	if err := checkOutput(o.output, manifestFormats); err != nil {
		return err
	}
	space, err := uuid.Parse(o.idNamespace)
	if err != nil {
		return fmt.Errorf("--id-namespace %q: %w", o.idNamespace, err)
	}
	sources, err := readSources(o.files, o.recursive, r.Env.In)
	if err != nil {
		return err
	}
	set, err := readManifests(sources, r.defaultNamespace())
	if err != nil {
		return err
	}
	groups, err := planGroups(ctx, r, o, set)
	if err != nil {
		return err
	}
	var plans []*Plan
	for _, g := range groups {
		c, _, err := r.apiClient(ctx, g.target)
		if err != nil {
			return err
		}
		p, err := planManifests(ctx, c, g.set, g.target.OrganisationID, space)
		if err != nil {
			return err
		}
		plans = append(plans, p)
	}
	plan := mergePlans(plans)
	if err := printPlan(r.Env.Out, o.output, plan); err != nil {
		return err
	}
	switch {
	case plan.Errors() > 0:
		return fmt.Errorf("%d manifests could not be planned", plan.Errors())
	case plan.Changes() > 0:
		return ErrFindings
	}
	return nil
}

// defaultNamespace is the namespace of manifests that name none: --namespace, the
// kubeconfig context's, or "default".
func (r *Root) defaultNamespace() string {
	if ns := *r.Kube.Namespace; ns != "" {
		return ns
	}
	if ns, err := r.namespace(); err == nil && ns != "" {
		return ns
	}
	return "default"
}

// planManifests plans every manifest, kind by kind in the registry's dependency
// order, and lists the organisation's objects no manifest describes.
func planManifests(ctx context.Context, c *hoxton.Client, set *manifestSet, org string, space uuid.UUID) (*Plan, error) {
	key := func(kind, ns, name string) string { return kind + "/" + ns + "/" + name }
	// Before any plan, every manifest gets the id the reconciler would give it, so
	// that references resolve whatever the order (a group's child groups).
	known := map[string]managed.Object{}
	for _, m := range set.objects {
		o := m.obj.DeepCopyObject().(managed.Object)
		o.GetManagedStatus().ExternalID = m.reg.IDOf(o, org, space)
		known[key(m.reg.Name, o.GetNamespace(), o.GetName())] = o
	}
	in := managed.PlanInput{Organisation: org, IDNamespace: space,
		Lookup: func(kind, ns, name string) (managed.Object, bool) {
			o, ok := known[key(kind, ns, name)]
			return o, ok
		}}
	plan := &Plan{Organisation: org}
	managedIDs := map[string]bool{}
	// What link targets are, by reference value: the manifest or the live object.
	targets := map[string]string{}
	byID := map[string]string{}
	for _, reg := range kinds.Registry() {
		var mine []manifest
		for _, m := range set.objects {
			if m.reg.Name == reg.Name {
				mine = append(mine, m)
			}
		}
		slices.SortFunc(mine, func(a, b manifest) int {
			return strings.Compare(a.obj.GetNamespace()+"/"+a.obj.GetName(), b.obj.GetNamespace()+"/"+b.obj.GetName())
		})
		for _, m := range mine {
			in.Secrets = set.secrets[m.obj.GetNamespace()]
			p, err := reg.Plan(ctx, c, m.obj, in)
			entry := newPlanEntry(reg.Name, m, p, err)
			if err == nil {
				known[key(reg.Name, m.obj.GetNamespace(), m.obj.GetName())] = p.Object
			}
			if p.ID != "" {
				managedIDs[reg.Name+"/"+p.ID] = true
				byID[reg.Name+"/"+p.ID] = reg.Name + " " + m.obj.GetName()
			}
			plan.Objects = append(plan.Objects, entry)
		}
		live, err := reg.Export(ctx, c, managed.ListOptions{IDsOnly: true})
		if err != nil {
			return nil, err
		}
		for _, l := range live {
			if name, ok := byID[reg.Name+"/"+l.ID]; ok {
				targets[l.Value] = name
			} else {
				targets[l.Value] = fmt.Sprintf("%s %q (unmanaged)", reg.Name, l.Label)
			}
			if !managedIDs[reg.Name+"/"+l.ID] {
				plan.Unmanaged = append(plan.Unmanaged, UnmanagedObject{Kind: reg.Name, ID: l.ID, Name: l.Label})
			}
		}
	}
	for i := range plan.Objects {
		for j := range plan.Objects[i].Changes {
			c := &plan.Objects[i].Changes[j]
			c.TargetName = targets[c.Target]
		}
	}
	return plan, nil
}
