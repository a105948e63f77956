package connection

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// The token state Secret: where the operator keeps the refresh token of a
// RefreshToken Connection once the authorization server has rotated it. The
// user's Secret only seeds it: the operator also copies each rotated token
// into it (so that it shows the token in use), but never depends on that
// copy, so GitOps tools that revert drift (Argo CD self-heal) or immutable
// Secrets cannot undo a rotation. The state Secret remembers the hashes of
// the refresh tokens of its lineage (the seed and every rotation): a user's
// Secret holding one of them, reverted or not, continues from the state; any
// other refresh token is new credentials and replaces it.
const (
	stateKeyRefreshToken = "refreshToken"
	stateKeyPrevious     = "previousRefreshToken"
	stateKeyLineage      = "lineage"
	// maxLineage bounds the remembered hashes; a revert to a token older
	// than that many rotations counts as new credentials.
	maxLineage = 16
	// LabelTokenState marks the Secrets the operator owns for Connections;
	// a Secret of that name without it is never read or written.
	LabelTokenState = "hoxtonai.dev/token-state"
	stateSuffix     = "-hoxton-token"
)

// tokenStateKey names the token state Secret of conn: next to its credentials
// Secret, named after the Connection ("<name>-hoxton-token", or
// "cluster-<name>-hoxton-token" for a ClusterConnection).
func tokenStateKey(conn Object) types.NamespacedName {
	name := conn.GetName()
	if conn.Reference().Kind == v1alpha1.ConnectionKindCluster {
		name = "cluster-" + name
	}
	if len(name)+len(stateSuffix) > 253 {
		sum := sha256.Sum256([]byte(name))
		name = name[:253-len(stateSuffix)-9] + "-" + hex.EncodeToString(sum[:4])
	}
	return types.NamespacedName{Namespace: conn.SecretKey().Namespace, Name: name + stateSuffix}
}

// seedOf identifies the refresh token of the user's Secret without keeping it.
func seedOf(refreshToken string) string {
	sum := sha256.Sum256([]byte("hoxton-token-seed:" + refreshToken))
	return hex.EncodeToString(sum[:16])
}

// withTokenState returns creds with the refresh token of conn's state Secret
// when that state grew from the refresh token creds carry, and creds as they
// are otherwise (no state yet, or the user supplied a new refresh token).
func (r *Resolver) withTokenState(ctx context.Context, conn Object, creds auth.Credentials) (auth.Credentials, error) {
	if creds.Grant != auth.GrantRefreshToken {
		return creds, nil
	}
	state := &corev1.Secret{}
	if err := r.secrets.Get(withoutBodyLogging(ctx), tokenStateKey(conn), state); err != nil {
		return creds, client404(err)
	}
	if state.Labels[LabelTokenState] != "true" || !slices.Contains(lineageOf(state), seedOf(creds.RefreshToken)) {
		return creds, nil
	}
	if rt := string(state.Data[stateKeyRefreshToken]); rt != "" {
		creds.RefreshToken = rt
		creds.PreviousRefreshToken = string(state.Data[stateKeyPrevious])
	}
	return creds, nil
}

// lineageOf returns the hashes of the refresh tokens a state Secret grew from.
func lineageOf(state *corev1.Secret) []string {
	return strings.Fields(string(state.Data[stateKeyLineage]))
}

// extendLineage appends hashes not yet in lineage, keeping the newest maxLineage.
func extendLineage(lineage []string, hashes ...string) []string {
	for _, h := range hashes {
		if !slices.Contains(lineage, h) {
			lineage = append(lineage, h)
		}
	}
	if len(lineage) > maxLineage {
		lineage = lineage[len(lineage)-maxLineage:]
	}
	return lineage
}

func client404(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// saveRotation returns the Persist of conn's token source: it writes the
// rotated refresh token, the one it replaced and the lineage into the state
// Secret, creating it on the first rotation, then copies the token into the
// user's Secret (best effort). Writes are optimistic (the resourceVersion
// read just before), so a conflicting write makes this attempt fail and the
// next one starts from what the other writer left. seed is the hash of the
// refresh token in the user's Secret.
func (r *Resolver) saveRotation(conn Object, seed string) auth.Persist {
	secretKey := conn.SecretKey()
	key := tokenStateKey(conn)
	owner := metav1.OwnerReference{
		APIVersion: v1alpha1.GroupVersion.String(), Kind: string(conn.Reference().Kind),
		Name: conn.GetName(), UID: conn.GetUID(),
	}
	connKey := connectionKey(conn)
	return func(ctx context.Context, rot auth.Rotation) error {
		err := r.writeTokenState(withoutBodyLogging(ctx), key, owner, seed, rot)
		if err != nil {
			r.saveFailed(connKey, conn)
			return fmt.Errorf("saving the rotated refresh token to Secret %s: %s", key, apiReason(err))
		}
		copied := r.mirrorRefreshToken(ctx, secretKey, rot.RefreshToken)
		logf.FromContext(r.ctx).Info("wrote the rotated refresh token back to the Secret",
			"tokenState", key.String(), "secret", secretKey.String(), "copiedToSecret", copied)
		return nil
	}
}

func (r *Resolver) writeTokenState(ctx context.Context, key types.NamespacedName, owner metav1.OwnerReference, seed string, rot auth.Rotation) error {
	state := &corev1.Secret{}
	err := r.secrets.Get(ctx, key, state)
	var lineage []string
	if err == nil && slices.Contains(lineageOf(state), seed) {
		lineage = lineageOf(state)
	}
	lineage = extendLineage(lineage, seed, seedOf(rot.Previous), seedOf(rot.RefreshToken))
	data := map[string][]byte{
		stateKeyRefreshToken: []byte(rot.RefreshToken),
		stateKeyPrevious:     []byte(rot.Previous),
		stateKeyLineage:      []byte(strings.Join(lineage, " ")),
	}
	switch {
	case apierrors.IsNotFound(err):
		state = &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{
				Namespace: key.Namespace, Name: key.Name,
				Labels:          map[string]string{LabelTokenState: "true", "app.kubernetes.io/managed-by": "hoxton-operator"},
				OwnerReferences: ownerIfSet(owner),
			},
			Type: corev1.SecretTypeOpaque,
			Data: data,
		}
		return r.writer.Create(ctx, state)
	case err != nil:
		return err
	case state.Labels[LabelTokenState] != "true":
		return fmt.Errorf("a Secret %s exists that the operator does not own (no label %s=true)", key, LabelTokenState)
	}
	state.Data = data
	return r.writer.Update(ctx, state) // carries the resourceVersion just read
}

func ownerIfSet(o metav1.OwnerReference) []metav1.OwnerReference {
	if o.UID == "" {
		return nil
	}
	return []metav1.OwnerReference{o}
}

// apiReason describes a Kubernetes API error by its reason and code only: the
// messages of Secret writes can quote the data.
func apiReason(err error) string {
	if s, ok := err.(apierrors.APIStatus); ok {
		st := s.Status()
		return fmt.Sprintf("%s (HTTP %d)", st.Reason, st.Code)
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, ':'); i > 0 && i < 80 {
		msg = msg[:i]
	}
	return msg
}
