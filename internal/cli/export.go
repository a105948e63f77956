package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/kinds"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// exportOptions are the flags of `export`.
type exportOptions struct {
	api       apiFlags
	site      string
	dir       string
	namespace string
	// connRef is --connection-ref: the Connection the manifests name.
	connRef string
}

// connectionRef is the spec.connectionRef the exported objects get: the one
// --connection-ref names, else the Connection the export read through, unless
// that is the Connection objects use anyway ("default" of their namespace).
func (o *exportOptions) connectionRef(t *target) *v1alpha1.ConnectionReference {
	name := o.connRef
	if name == "" && t.conn != nil {
		name = o.api.connection
	}
	ref := parseConnectionRef(name)
	if ref == nil || (ref.Kind != v1alpha1.ConnectionKindCluster && ref.Name == v1alpha1.DefaultConnectionName) {
		return nil
	}
	return ref
}

func newExportCommand(r *Root) *cobra.Command {
	o := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export --organisation-id ID [--site ID] -d DIR",
		Short: "Write the organisation's HoxtonAi objects as manifests",
		Long: `export reads the organisation through the HoxtonAi API and writes a manifest
for every object of every kind hoxton-operator manages, one file per kind, and a
kustomization.yaml listing them.

Names are DNS-1123, unique per kind, and made from the HoxtonAi names (a short
id suffix tells apart objects of the same name). References between exported
objects are by name (siteRef, cameraRef, ...), to anything else by id. Every
object carries spec.externalID, so that applying the export adopts the objects
instead of creating new ones. The output is deterministic: exporting an unchanged
organisation again gives a byte-identical folder.

A webhook URL may carry a token, so it is never written: the object reads it
from the Secret <name>-webhook (key url), which export names on stderr for you
to create. --site keeps only that site and what belongs to it (cameras,
monitors, its alerts, its users); notification groups and OAuth clients are
organisation-wide and always exported.

An OAuth client's secret is never exported either. Its OAuthClient is exported
with managementPolicy ObserveOnly and names the Secret <name>-credentials: a
managed OAuthClient whose Secret lacks the secret rotates it, which would break
whatever uses the client today (the README says how to take one over).
` + apiHelp,
		Example: `  hoxtonctl export --organisation-id 3f0c… -d hoxton/
  kubectl apply -k hoxton/ -n shop
  hoxtonctl export --connection hoxton -n shop -d - | kubectl apply -n shop -f -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExport(cmd.Context(), r, o)
		},
	}
	f := cmd.Flags()
	o.api.add(f)
	f.StringVar(&o.site, "site", "", "export only this site (its id) and what belongs to it")
	f.StringVarP(&o.dir, "dir", "d", "", "folder to write the manifests to (created if missing); - writes one YAML stream to stdout")
	f.StringVar(&o.connRef, "connection-ref", "", "the Connection (or ClusterConnection/NAME) the manifests name in spec.connectionRef (default: --connection, unless it is \""+v1alpha1.DefaultConnectionName+"\")")
	f.StringVar(&o.namespace, "target-namespace", "", "set metadata.namespace on every manifest (default: none, so kubectl -n decides)")
	return cmd
}

// exportedItem is one object to write.
type exportedItem struct {
	reg  kinds.Registration
	obj  managed.Exported
	name string
}

func runExport(ctx context.Context, r *Root, o *exportOptions) error {
	if o.dir == "" {
		return errors.New("-d DIR is required (-d - for stdout)")
	}
	t, err := o.api.resolve(ctx, r)
	if err != nil {
		return err
	}
	c, _, err := r.apiClient(ctx, t)
	if err != nil {
		return err
	}
	items, err := exportOrganisation(ctx, c, o.site)
	if err != nil {
		return err
	}
	files, err := renderExport(items, o.namespace, o.connectionRef(t))
	if err != nil {
		return err
	}
	where := o.dir
	if o.dir == "-" {
		where = "stdout"
		err = writeExportStream(r.Env.Out, files)
	} else {
		err = writeExport(o.dir, files)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(r.Env.ErrOut, "exported %s of organisation %s to %s\n", exportSummary(items), t.OrganisationID, where)
	for _, s := range webhookSecrets(files) {
		fmt.Fprintf(r.Env.ErrOut, "create the Secret %q with key %q holding the webhook URL before applying (it is not exported)\n", s, kinds.WebhookSecretKey)
	}
	for _, it := range items {
		if it.reg.Name == "OAuthClient" {
			fmt.Fprintf(r.Env.ErrOut, "OAuthClient %q is exported ObserveOnly: its secret is not exported, and managing it without the Secret %q holding it rotates the secret\n",
				it.name, kinds.CredentialsSecretName(it.name))
		}
	}
	return nil
}

// exportOrganisation reads every registered kind and names the objects.
func exportOrganisation(ctx context.Context, c *hoxton.Client, site string) ([]exportedItem, error) {
	var items []exportedItem
	for _, reg := range kinds.Registry() {
		listed, err := reg.Export(ctx, c, managed.ListOptions{Site: site})
		if err != nil {
			return nil, err
		}
		names := uniqueNames(reg.Name, listed)
		for _, l := range listed {
			items = append(items, exportedItem{reg: reg, obj: l, name: names[l.ID]})
		}
	}
	return items, nil
}

// nameOf finds the exported objects by kind and reference value.
func nameOf(items []exportedItem) managed.NameOf {
	byValue := map[string]map[string]string{}
	for _, it := range items {
		if byValue[it.reg.Name] == nil {
			byValue[it.reg.Name] = map[string]string{}
		}
		byValue[it.reg.Name][it.obj.Value] = it.name
		// An object's own id finds its name too (a webhook Secret is named after it).
		if _, taken := byValue[it.reg.Name][it.obj.ID]; !taken {
			byValue[it.reg.Name][it.obj.ID] = it.name
		}
	}
	return func(kind, value string) string { return byValue[kind][value] }
}

// exportSummary says how many objects of each kind were exported.
func exportSummary(items []exportedItem) string {
	counts := map[string]int{}
	var order []string
	for _, it := range items {
		if counts[it.reg.Name] == 0 {
			order = append(order, it.reg.Name)
		}
		counts[it.reg.Name]++
	}
	parts := make([]string, 0, len(order))
	for _, k := range order {
		parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
	}
	if len(parts) == 0 {
		return "no objects"
	}
	return fmt.Sprintf("%d objects (%s)", len(items), strings.Join(parts, ", "))
}

// webhookSecrets lists the Secrets the exported manifests read webhook URLs from.
func webhookSecrets(files []exportFile) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.secrets...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
