package connection

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// persistTimeout bounds writing a rotated refresh token back to its Secret.
const persistTimeout = 30 * time.Second

// persistRefreshToken returns the callback the token source calls when the
// authorization server rotates the refresh token. The old token no longer works, so
// the new one must reach the Secret, or the next manager start could not log in: the
// write is retried with backoff. Only the one key is patched.
func (r *Resolver) persistRefreshToken(secretKey types.NamespacedName) func(string) {
	return func(newToken string) {
		ctx, cancel := context.WithTimeout(r.ctx, persistTimeout)
		defer cancel()
		patch, err := json.Marshal(map[string]any{
			"data": map[string]string{v1alpha1.SecretKeyRefreshToken: base64.StdEncoding.EncodeToString([]byte(newToken))},
		})
		if err != nil {
			return
		}
		secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: secretKey.Namespace, Name: secretKey.Name}}
		err = wait.ExponentialBackoffWithContext(ctx, wait.Backoff{Duration: 200 * time.Millisecond, Factor: 2, Steps: 6},
			func(ctx context.Context) (bool, error) {
				return r.writer.Patch(withoutBodyLogging(ctx), secret, client.RawPatch(types.MergePatchType, patch)) == nil, nil
			})
		log := logf.FromContext(r.ctx).WithValues("secret", secretKey.String())
		if err != nil {
			log.Error(err, "could not write the rotated refresh token back to the Secret; the next restart will need a new one")
			return
		}
		log.Info("wrote the rotated refresh token back to the Secret")
	}
}
