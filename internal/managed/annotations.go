package managed

import (
	"math/rand/v2"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Annotations a user can set on any managed object.
const (
	// AnnotationPaused set to "true" stops every API call for the object, deletion
	// included, until it is removed.
	AnnotationPaused = "hoxtonai.dev/paused"
	// AnnotationPollInterval overrides how often an in-sync object is re-read to
	// detect drift, as a Go duration (e.g. "5m"); at least MinPollInterval.
	AnnotationPollInterval = "hoxtonai.dev/poll-interval"
)

// MinPollInterval bounds the per-object override so that one annotation cannot turn
// into an API storm.
const MinPollInterval = 10 * time.Second

// Finalizer keeps a managed object until its HoxtonAi object is deleted or orphaned.
const Finalizer = "hoxtonai.dev/finalizer"

func isPaused(o client.Object) bool {
	return o.GetAnnotations()[AnnotationPaused] == "true"
}

// pollInterval returns the object's poll interval: the annotation if valid, else def.
func pollInterval(o client.Object, def time.Duration) time.Duration {
	if v, ok := o.GetAnnotations()[AnnotationPollInterval]; ok {
		if d, err := time.ParseDuration(v); err == nil {
			return max(d, MinPollInterval)
		}
	}
	return def
}

// jitter spreads requeues over ±10% so that objects created together do not poll the
// API together forever.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	spread := int64(d) / 5
	return d - time.Duration(spread/2) + time.Duration(rand.Int64N(spread+1))
}
