package managed

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// AnnotationCredentialsOf marks a Secret the operator delivers credentials into with
// "<Kind>/<name>" of the object whose credentials they are. A Secret without it, or
// with another object's, is never written: it may hold someone else's credentials.
const AnnotationCredentialsOf = "hoxtonai.dev/credentials-of"

// Credentials is the Secret a kind delivers credentials into (Kind.CredentialsSecret):
// what it holds at the start of the reconcile, and the one way to write it. Its values
// are handed to the adapter only; they never reach a condition, an event or a log.
type Credentials struct {
	name   string
	secret *corev1.Secret // as last read or written; nil while it does not exist
	owner  Object
	marker string
	writer client.Client
}

// Exists reports whether the Secret existed when read, or has been written since.
func (c *Credentials) Exists() bool { return c.secret != nil }

// Name is the Secret's name.
func (c *Credentials) Name() string { return c.name }

// Value returns the value of key ("" when the Secret or the key does not exist).
func (c *Credentials) Value(key string) string {
	if c.secret == nil {
		return ""
	}
	return string(c.secret.Data[key])
}

// Write stores data in the Secret, creating it if needed (its other keys are kept),
// and returns once the API server has stored it. The Secret has no owner reference:
// it outlives the object, so that a HoxtonAi object left in place (deletionPolicy
// Orphan) keeps usable credentials, and a cluster rebuilt from Git finds the object
// the Secret names.
func (c *Credentials) Write(ctx context.Context, data map[string]string) error {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: c.owner.GetNamespace(), Name: c.name,
		Annotations: map[string]string{AnnotationCredentialsOf: c.marker},
		Labels:      map[string]string{v1alpha1.LabelConnectionSecret: "true"}}, Type: corev1.SecretTypeOpaque}
	if c.secret != nil {
		s = c.secret.DeepCopy()
	}
	if s.Data == nil {
		s.Data = map[string][]byte{}
	}
	for k, v := range data {
		s.Data[k] = []byte(v)
	}
	write := c.writer.Update
	if c.secret == nil {
		write = func(ctx context.Context, obj client.Object, _ ...client.UpdateOption) error {
			return c.writer.Create(ctx, obj)
		}
	}
	if err := write(ctx, s); err != nil {
		return fmt.Errorf("writing the credentials to Secret %q: %w", c.name, err)
	}
	c.secret = s
	return nil
}

// readCredentials reads the credentials Secret of o, of kind kind; a Secret that is
// not o's is a Terminal error.
func readCredentials(ctx context.Context, r client.Reader, w client.Client, o Object, kind, name string) (*Credentials, error) {
	c := &Credentials{name: name, owner: o, marker: kind + "/" + o.GetName(), writer: w}
	s := &corev1.Secret{}
	err := r.Get(ctx, client.ObjectKey{Namespace: o.GetNamespace(), Name: name}, s)
	switch {
	case apierrors.IsNotFound(err):
		return c, nil
	case err != nil:
		return nil, fmt.Errorf("reading Secret %q: %w", name, err)
	case s.Annotations[AnnotationCredentialsOf] != c.marker:
		return nil, Terminal("Secret %q exists and was not written for this %s (it lacks the annotation %s: %s); "+
			"name another Secret, or delete this one to let the operator create it", name, kind, AnnotationCredentialsOf, c.marker)
	}
	c.secret = s
	return c, nil
}

// Credentials returns the kind's credentials Secret (nil for kinds without one).
func (r Refs) Credentials() *Credentials { return r.credentials }
