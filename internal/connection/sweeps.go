package connection

import (
	"slices"
	"strings"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// collectionPolling is a Connection's status.collections: how its client answers
// the polls of each collection it listed (sorted, so that the status changes only
// when a mode does).
func collectionPolling(sweeps []hoxton.CollectionSweep) []v1alpha1.CollectionPolling {
	out := make([]v1alpha1.CollectionPolling, 0, len(sweeps))
	for _, s := range sweeps {
		mode := v1alpha1.CollectionSwept
		if !s.Swept {
			mode = v1alpha1.CollectionPolled
		}
		out = append(out, v1alpha1.CollectionPolling{Name: s.Resource, Mode: mode})
	}
	slices.SortFunc(out, func(a, b v1alpha1.CollectionPolling) int { return strings.Compare(a.Name, b.Name) })
	return out
}
