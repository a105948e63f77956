package bench

import (
	"fmt"
	"slices"
	"strings"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// logBreakdown writes the requests by method and collection to the log, to show
// which requests the figures are made of.
func logBreakdown(name string, reqs []hoxtontest.Request) {
	counts := map[string]int{}
	for _, r := range reqs {
		path := strings.TrimPrefix(r.Path, "/")
		if i := strings.IndexByte(path, '/'); i >= 0 {
			path = path[:i] + "/{id}"
		}
		if r.Query != "" {
			path += "?query"
		}
		counts[fmt.Sprintf("%s %s %d", r.Method, path, r.Status)]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var lines []string
	for _, k := range keys {
		lines = append(lines, fmt.Sprintf("%s=%d", k, counts[k]))
	}
	ctrl.Log.WithName("bench").Info("API requests by method, collection and status", "run", name, "requests", strings.Join(lines, ", "))
}
