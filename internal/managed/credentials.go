package managed

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// AnnotationCredentialsOf marks a Secret the operator delivers credentials into with
// "<Kind>/<name>" of the object whose credentials they are. A Secret without it, or
// with another object's, is never written: it may hold someone else's credentials.
const AnnotationCredentialsOf = "hoxtonai.dev/credentials-of"

// AnnotationCreateMarker holds, on a credentials Secret, the marker of the create the
// kind is about to make: a value only that create can produce in HoxtonAi, written
// before it, by which the created object is found again should the answer be lost.
const AnnotationCreateMarker = "hoxtonai.dev/create-marker"

// Credentials is the Secret a kind delivers credentials into (Kind.CredentialsSecret):
// what it holds at the start of the reconcile, and the one way to write it. Its values
// are handed to the adapter only; they never reach a condition, an event or a log.
type Credentials struct {
	name   string
	secret *corev1.Secret // as last read or written; nil while it does not exist
	owner  Object
	marker string
	reader client.Reader // uncached: re-reads the Secret after a conflicting write
	writer client.Client
	// record is where Deliver records a delivery (Rotation.Record); nil for none.
	record *v1alpha1.OAuthClientCredentials
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

// CreateMarker returns the marker of the last create announced with MarkCreate ("" for
// none).
func (c *Credentials) CreateMarker() string {
	if c.secret == nil {
		return ""
	}
	return c.secret.Annotations[AnnotationCreateMarker]
}

// MarkCreate records in the Secret (creating it if needed), before the create it
// announces, a new marker made of prefix and a random part, and returns it.
func (c *Credentials) MarkCreate(ctx context.Context, prefix string) (string, error) {
	marker := prefix + uuid.NewString()
	return marker, c.write(ctx, func(s *corev1.Secret) { s.Annotations[AnnotationCreateMarker] = marker })
}

// Holds reports whether the Secret holds value under key, compared in constant time:
// whoever wrote a secret HoxtonAi issued had the credentials already.
func (c *Credentials) Holds(key, value string) bool {
	held := c.Value(key)
	return held != "" && subtle.ConstantTimeCompare([]byte(held), []byte(value)) == 1
}

// Write stores data in the Secret, creating it if needed (its other keys are kept),
// and returns once the API server has stored it. The Secret has no owner reference:
// it outlives the object, so that a HoxtonAi object left in place (deletionPolicy
// Orphan) keeps usable credentials, and a cluster rebuilt from Git finds the object
// the Secret names.
func (c *Credentials) Write(ctx context.Context, data map[string]string) error {
	return c.write(ctx, func(s *corev1.Secret) {
		for k, v := range data {
			s.Data[k] = []byte(v)
		}
	})
}

// write applies change to the Secret as last seen and stores it. Others write the
// Secret too (a Connection using it adds its finalizer), so a conflict re-reads the
// Secret and applies change again: a failed write here would lose credentials
// HoxtonAi returned once. Errors name the API's reason and code only: the messages of
// Secret writes can quote the data.
func (c *Credentials) write(ctx context.Context, change func(*corev1.Secret)) error {
	attempts := 0
	err := retry.OnError(retry.DefaultRetry, func(err error) bool {
		return apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err)
	}, func() error {
		if attempts++; attempts > 1 {
			if err := c.reread(ctx); err != nil {
				return err
			}
		}
		s := c.desired(change)
		var err error
		if c.secret == nil {
			err = c.writer.Create(ctx, s)
		} else {
			err = c.writer.Update(ctx, s)
		}
		if err == nil {
			c.secret = s
		}
		return err
	})
	var terminal *TerminalError
	if err != nil && !errors.As(err, &terminal) {
		return fmt.Errorf("writing the credentials to Secret %q: %s", c.name, apiReason(err))
	}
	return err
}

// reread reads the Secret again after a write lost a race, refusing it if it is no
// longer the object's.
func (c *Credentials) reread(ctx context.Context) error {
	s := &corev1.Secret{}
	err := c.reader.Get(ctx, client.ObjectKey{Namespace: c.owner.GetNamespace(), Name: c.name}, s)
	switch {
	case apierrors.IsNotFound(err):
		c.secret = nil
		return nil
	case err != nil:
		return err
	case s.Annotations[AnnotationCredentialsOf] != c.marker:
		return notOurs(c)
	}
	c.secret = s
	return nil
}

// apiReason describes a Kubernetes API error by its reason and code only.
func apiReason(err error) string {
	var s apierrors.APIStatus
	if errors.As(err, &s) {
		st := s.Status()
		return fmt.Sprintf("%s (HTTP %d)", st.Reason, st.Code)
	}
	return "the request failed"
}

// desired returns the Secret as last seen, or a new one, with change applied; a write
// that fails for a conflict re-reads it first.
func (c *Credentials) desired(change func(*corev1.Secret)) *corev1.Secret {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: c.owner.GetNamespace(), Name: c.name,
		Annotations: map[string]string{AnnotationCredentialsOf: c.marker},
		Labels:      map[string]string{v1alpha1.LabelConnectionSecret: "true"}}, Type: corev1.SecretTypeOpaque}
	if c.secret != nil {
		s = c.secret.DeepCopy()
	}
	if s.Data == nil {
		s.Data = map[string][]byte{}
	}
	if s.Annotations == nil {
		s.Annotations = map[string]string{}
	}
	labelWithShard(s, c.owner)
	change(s)
	return s
}

// readCredentials reads the credentials Secret of o, of kind kind; a Secret that is
// not o's is a Terminal error.
func readCredentials(ctx context.Context, r client.Reader, w client.Client, o Object, kind, name string) (*Credentials, error) {
	c := &Credentials{name: name, owner: o, marker: kind + "/" + o.GetName(), reader: r, writer: w}
	s := &corev1.Secret{}
	err := r.Get(ctx, client.ObjectKey{Namespace: o.GetNamespace(), Name: name}, s)
	switch {
	case apierrors.IsNotFound(err):
		return c, nil
	case err != nil:
		return nil, fmt.Errorf("reading Secret %q: %w", name, err)
	case s.Annotations[AnnotationCredentialsOf] != c.marker:
		return nil, notOurs(c)
	}
	c.secret = s
	if ShardOf(s) != ShardOf(o) && o.GetManagedSpec().ManagementPolicy != v1alpha1.ManagementPolicyObserveOnly {
		// o moved to this shard after the Secret was written: the Secret follows it
		// now, not at its next write, so that this shard's cache, which holds only
		// its own Secrets, sees it deleted and delivers it again at once.
		if err := c.write(ctx, func(*corev1.Secret) {}); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// notOurs refuses a Secret the object did not write.
func notOurs(c *Credentials) error {
	kind, _, _ := strings.Cut(c.marker, "/")
	return Terminal("Secret %q exists and was not written for this %s (it lacks the annotation %s: %s); "+
		"name another Secret, or delete this one to let the operator create it", c.name, kind, AnnotationCredentialsOf, c.marker)
}

// Credentials returns the kind's credentials Secret (nil for kinds without one).
func (r Refs) Credentials() *Credentials { return r.credentials }
