package cli

import (
	"fmt"

	"github.com/spf13/cobra"

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
			if err := checkOutput(output, dataFormats); err != nil {
				return err
			}
			info := version.Get()
			out := cmd.OutOrStdout()
			if output == outputTable {
				_, err := fmt.Fprintf(out, "%s %s (revision %s, %s)\n", r.Name, info.Version, orUnknown(info.Revision), info.GoVersion)
				return err
			}
			return printData(out, output, info)
		},
	}
	addOutputFlag(cmd.Flags(), &output, outputTable, dataFormats)
	return cmd
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
