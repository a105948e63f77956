// Package reference resolves references between managed objects (siteRef: {name}) to
// HoxtonAi ids. A reference resolves only when the referenced object is Ready; until
// then it answers a NotReadyError, which the generic reconciler reports as
// Synced=False/ReferencesNotReady and waits on (it watches the referenced kind, so the
// referring object is reconciled as soon as the reference becomes Ready).
package reference

import (
	"context"
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
)

// Target is a kind that can be referenced: a managed kind with conditions and an id.
type Target interface {
	client.Object
	GetManagedStatus() *v1alpha1.ManagedStatus
}

// NotReadyError says which references are not ready yet, and why.
type NotReadyError struct {
	Missing []string // e.g. `Site "hq" not found`, `Camera "door" is not Ready`
}

func (e *NotReadyError) Error() string {
	return strings.Join(e.Missing, "; ")
}

// IsNotReady reports whether err (or an error it wraps) is a NotReadyError.
func IsNotReady(err error) bool {
	var nr *NotReadyError
	return errors.As(err, &nr)
}

// Resolve reads the object of type T named name in namespace, and returns value(obj)
// once the object is Ready and the value is known. kind names the kind in messages.
func Resolve[T Target](ctx context.Context, r client.Reader, namespace, name, kind string, obj T, value func(T) string) (string, error) {
	if err := r.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, obj); err != nil {
		if apierrors.IsNotFound(err) {
			return "", &NotReadyError{Missing: []string{fmt.Sprintf("%s %q not found", kind, name)}}
		}
		return "", err
	}
	if obj.GetDeletionTimestamp() != nil {
		return "", &NotReadyError{Missing: []string{fmt.Sprintf("%s %q is being deleted", kind, name)}}
	}
	if !conditions.IsTrue(obj.GetManagedStatus().Conditions, conditions.TypeReady) {
		return "", &NotReadyError{Missing: []string{fmt.Sprintf("%s %q is not Ready", kind, name)}}
	}
	v := value(obj)
	if v == "" {
		return "", &NotReadyError{Missing: []string{fmt.Sprintf("%s %q has no id yet", kind, name)}}
	}
	return v, nil
}

// Collector gathers the outcome of several resolutions so that one message can name
// every reference that is not ready, instead of the first one only.
type Collector struct {
	missing []string
	err     error
}

// Add records the error of one resolution (nil is ignored).
func (c *Collector) Add(err error) {
	var nr *NotReadyError
	switch {
	case err == nil:
	case errors.As(err, &nr):
		c.missing = append(c.missing, nr.Missing...)
	case c.err == nil:
		c.err = err
	}
}

// Err returns the first unexpected error, else a NotReadyError naming every missing
// reference, else nil.
func (c *Collector) Err() error {
	if c.err != nil {
		return c.err
	}
	if len(c.missing) > 0 {
		return &NotReadyError{Missing: c.missing}
	}
	return nil
}
