package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"sigs.k8s.io/yaml"
)

// The values of -o/--output, the same words in every command: kubectl's
// table, wide, yaml and json, and csv where rows are data (report). Each
// command accepts those that apply to it, listed in this order.
const (
	outputTable = "table"
	outputWide  = "wide"
	outputYAML  = "yaml"
	outputJSON  = "json"
	outputCSV   = "csv"
)

// Output formats of the commands.
var (
	// manifestFormats print Kubernetes objects (login).
	manifestFormats = []string{outputYAML, outputJSON}
	// dataFormats print a result for people or for machines (version, check-api).
	dataFormats = []string{outputTable, outputYAML, outputJSON}
	// treeFormats add wide, with more columns (tree).
	treeFormats = []string{outputTable, outputWide, outputYAML, outputJSON}
	// reportFormats add csv for report rows.
	reportFormats = []string{outputTable, outputCSV, outputYAML, outputJSON}
)

// formatsAnnotation on -o holds the formats it takes, for shell completion.
const formatsAnnotation = "hoxtonctl/formats"

// addOutputFlag adds -o/--output with the given default, taking one of
// allowed; checkOutput refuses the rest. Shell completion offers allowed.
func addOutputFlag(fs *pflag.FlagSet, p *string, def string, allowed []string) {
	usage := "output format: " + orList(allowed)
	if def == "" && !slices.Contains(allowed, outputTable) {
		usage += " (default: none)"
	}
	fs.StringVarP(p, "output", "o", def, usage)
	_ = fs.SetAnnotation("output", formatsAnnotation, allowed)
}

// checkOutput returns the error of every command for an -o value it does not take.
func checkOutput(format string, allowed []string) error {
	if format == "" || slices.Contains(allowed, format) {
		return nil
	}
	return fmt.Errorf("--output %q: want %s", format, orList(allowed))
}

// orList joins values as "a, b or c".
func orList(values []string) string {
	if len(values) < 2 {
		return strings.Join(values, "")
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}

// printData prints a plain value as yaml or json (indented, one document).
func printData(w io.Writer, format string, v any) error {
	var data []byte
	var err error
	if format == outputYAML {
		data, err = yaml.Marshal(v)
	} else {
		data, err = json.MarshalIndent(v, "", "  ")
		data = append(data, '\n')
	}
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// printObjects prints Kubernetes objects with kubectl's printers: yaml as a
// stream of documents, json as one object per document.
func printObjects(w io.Writer, format string, objs ...runtime.Object) error {
	flags := genericclioptions.NewJSONYamlPrintFlags()
	p, err := flags.ToPrinter(format)
	if err != nil {
		return checkOutput(format, manifestFormats)
	}
	for _, o := range objs {
		if err := p.PrintObj(o, w); err != nil {
			return err
		}
	}
	return nil
}
