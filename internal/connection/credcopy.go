package connection

import (
	"bytes"
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
)

// The operator keeps a copy of each Connection's credentials in the Connection's
// token state Secret (its own, labelled hoxtonai.dev/token-state, owned by the
// Connection). Deleting a folder of manifests, or an Argo CD application, deletes
// the user's Secret, the Connection and the objects at the same moment, and the
// objects need the credentials to be deleted in HoxtonAi: the Connection stays
// (its finalizer) until no object uses it, and its credentials with it, in this
// copy, even for a manager that was down meanwhile. So the user's Secret needs no
// finalizer, and nothing of the operator's outlives an uninstall on it.
const copyPrefix = "credentials."

// copiedKeys are the Secret keys CredentialsFrom reads.
var copiedKeys = []string{
	v1alpha1.SecretKeyClientID, v1alpha1.SecretKeyClientSecret,
	v1alpha1.SecretKeyUsername, v1alpha1.SecretKeyPassword, v1alpha1.SecretKeyRefreshToken,
}

// keepCredentials brings the copy of secret's credentials up to date; it writes
// only when they changed.
func (r *Resolver) keepCredentials(ctx context.Context, conn Object, secret *corev1.Secret) error {
	// A rotation being saved may write the same Secret at the same moment: start
	// again from what it wrote.
	conflict := func(err error) bool { return apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) }
	err := retry.OnError(retry.DefaultRetry, conflict, func() error {
		return r.updateTokenState(withoutBodyLogging(ctx), conn, secret.Namespace, func(data map[string][]byte) bool {
			changed := false
			for _, k := range copiedKeys {
				v := secret.Data[k]
				if bytes.Equal(v, data[copyPrefix+k]) {
					continue
				}
				changed = true
				if len(v) == 0 {
					delete(data, copyPrefix+k)
				} else {
					data[copyPrefix+k] = v
				}
			}
			return changed
		})
	})
	if err != nil {
		return fmt.Errorf("keeping a copy of the credentials of Secret %s/%s in Secret %s: %s",
			secret.Namespace, secret.Name, tokenStateKey(conn, secret.Namespace), apiReason(err))
	}
	return nil
}

// credentialsCopy returns the credentials the operator kept of the Secret at
// secretKey, as a Secret of that name, for a Connection being deleted after its
// Secret went.
func (r *Resolver) credentialsCopy(ctx context.Context, conn Object, secretKey types.NamespacedName) (*corev1.Secret, error) {
	gone := &ConfigError{Reason: conditions.ReasonSecretNotFound,
		Message: fmt.Sprintf("Secret %s not found, and the operator kept no copy of its credentials", secretKey)}
	state, err := r.readTokenState(ctx, conn, secretKey.Namespace)
	switch {
	case apierrors.IsNotFound(err):
		return nil, gone
	case err != nil:
		return nil, err
	case state.Labels[LabelTokenState] != "true":
		return nil, gone
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: secretKey.Namespace, Name: secretKey.Name}, Data: map[string][]byte{}}
	for _, k := range copiedKeys {
		if v := state.Data[copyPrefix+k]; len(v) > 0 {
			secret.Data[k] = v
		}
	}
	if len(secret.Data) == 0 {
		return nil, gone
	}
	return secret, nil
}
