package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/hoxton-operator/hoxton-operator/internal/version"
)

// newVersionCommand prints the build of hoxtonctl: the release version stamped at
// build time (the same as the manager's and the image tag), its revision and Go.
func newVersionCommand(r *Root) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print hoxtonctl's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := version.Get()
			out := cmd.OutOrStdout()
			switch output {
			case "", "table":
				_, err := fmt.Fprintf(out, "%s %s (revision %s, %s)\n", r.Name, info.Version, orUnknown(info.Revision), info.GoVersion)
				return err
			case "json":
				data, err := json.MarshalIndent(info, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(out, "%s\n", data)
				return err
			case "yaml":
				data, err := yaml.Marshal(info)
				if err != nil {
					return err
				}
				_, err = out.Write(data)
				return err
			}
			return fmt.Errorf("--output %q: use table, json or yaml", output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table, json or yaml")
	return cmd
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
