package connection

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// The token state Secrets (tokenstate.go) are created and updated by the operator.
// +kubebuilder:rbac:groups="",resources=secrets,verbs=create;update

// Conditions about the credentials' upkeep, next to Ready.
const (
	// TypeRefreshTokenSaved is False while a rotated refresh token could not be
	// saved yet: a restart in that state may lock the Connection out.
	TypeRefreshTokenSaved = "RefreshTokenSaved"
	// ReasonSaveFailing says the save is failing and being retried.
	ReasonSaveFailing = "SaveFailing"
	// ReasonSaved says the last rotated refresh token is saved.
	ReasonSaved = "Saved"
	// ReasonRevocationFailed is the event reason of a failed revocation.
	ReasonRevocationFailed = "RevocationFailed"
	// ReasonRevoked is the event reason of a successful revocation.
	ReasonRevoked = "TokensRevoked"
)

// mirrorTimeout bounds the copy of a rotated refresh token into the user's Secret.
const mirrorTimeout = 10 * time.Second

// mirrorRefreshToken copies a rotated refresh token into the user's Secret, once
// (for a Connection with spec.writeBackRefreshToken):
// the state Secret is what counts, so a failure (an immutable Secret, a policy that
// forbids the write) or a later revert by a GitOps tool costs nothing. Only the one
// key is patched.
func (r *Resolver) mirrorRefreshToken(ctx context.Context, secretKey types.NamespacedName, token string) bool {
	if !r.tenancy.SecretWrites.Allowed(secretKey.Namespace) {
		return false
	}
	ctx, cancel := context.WithTimeout(withoutBodyLogging(ctx), mirrorTimeout)
	defer cancel()
	patch, err := json.Marshal(map[string]any{
		"data": map[string]string{v1alpha1.SecretKeyRefreshToken: base64.StdEncoding.EncodeToString([]byte(token))},
	})
	if err != nil {
		return false
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: secretKey.Namespace, Name: secretKey.Name}}
	if err := r.writer.Patch(ctx, secret, client.RawPatch(types.MergePatchType, patch)); err != nil {
		logf.FromContext(r.ctx).V(1).Info("could not copy the rotated refresh token into the Connection's Secret; the token state Secret has it",
			"secret", secretKey.String(), "reason", apiReason(err))
		return false
	}
	return true
}

// revokeTimeout bounds one revocation; it never holds up a deletion.
const revokeTimeout = 15 * time.Second

// saveFailed wakes conn's controller so that its status shows the failing save.
func (r *Resolver) saveFailed(_ string, conn Object) {
	r.ReportAuthFailure(conn.GetNamespace(), conn.Reference())
}

// revoke revokes the tokens of a Source whose credentials were deleted or
// replaced, in the background: a revocation endpoint that hangs or fails must
// not hold up the deletion. The outcome is an event on conn.
func (r *Resolver) revoke(conn Object, src *auth.Source, why string) {
	if src == nil || !src.CanRevoke() {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(r.ctx, revokeTimeout)
		defer cancel()
		err := src.Revoke(ctx)
		if r.recorder == nil {
			return
		}
		if err != nil {
			r.recorder.Eventf(conn, nil, corev1.EventTypeWarning, ReasonRevocationFailed, "Revoke",
				"revoking the tokens of the %s credentials failed: %v", why, err)
			return
		}
		r.recorder.Eventf(conn, nil, corev1.EventTypeNormal, ReasonRevoked, "Revoke", "revoked the tokens of the %s credentials", why)
	}()
}

// flushOnStop makes the manager wait, when it stops, for rotated refresh tokens
// still being saved (at most auth.FlushGrace plus a second).
func flushOnStop(mgr ctrl.Manager, r *Resolver) error {
	return mgr.Add(manager.RunnableFunc(func(ctx context.Context) error {
		<-ctx.Done()
		fctx, cancel := context.WithTimeout(context.Background(), auth.FlushGrace+time.Second)
		defer cancel()
		if err := r.tokens.Flush(fctx); err != nil {
			logf.FromContext(ctx).Error(err, "rotated refresh tokens were still unsaved at shutdown")
		}
		return nil
	}))
}

// persistCondition reports in conn's status whether its rotated refresh token is saved.
func persistCondition(src *auth.Source, secret string) (ok bool, reason, msg string) {
	if err := src.PersistError(); err != nil {
		return false, ReasonSaveFailing, fmt.Sprintf("%v; retrying. The Connection keeps working, but a restart now may need a new refresh token in Secret %s", err, secret)
	}
	return true, ReasonSaved, "the current refresh token is saved"
}
