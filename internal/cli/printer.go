package cli

import (
	"fmt"
	"io"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// printObjects prints Kubernetes objects with kubectl's printers: yaml as a
// stream of documents, json as one object per document.
func printObjects(w io.Writer, format string, objs ...runtime.Object) error {
	flags := genericclioptions.NewJSONYamlPrintFlags()
	p, err := flags.ToPrinter(format)
	if err != nil {
		return fmt.Errorf("--output %q: %w", format, err)
	}
	for _, o := range objs {
		if err := p.PrintObj(o, w); err != nil {
			return err
		}
	}
	return nil
}
