package connection

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
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
// user's Secret only seeds it: the operator copies a rotated token into it only
// when the Connection asks (spec.writeBackRefreshToken), and never depends on
// that copy, so GitOps tools that revert drift (Argo CD self-heal) or immutable
// Secrets cannot undo a rotation, and a Secret kept in Git is not written. The state Secret remembers the hashes of
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
	// clusterStateSuffix names the token state of ClusterConnections.
	clusterStateSuffix = "-hoxton-cluster-token"
)

// tokenStateKey names the token state Secret of conn in namespace, the namespace
// of its credentials Secret: "<name>-hoxton-token" for a Connection and
// "<name>-hoxton-cluster-token" for a ClusterConnection. No Connection name can
// give a ClusterConnection's name: one ends in "-hoxton-token", and "-hoxton"
// never ends in "-cluster".
func tokenStateKey(conn Object, namespace string) types.NamespacedName {
	suffix := stateSuffix
	if conn.Reference().Kind == v1alpha1.ConnectionKindCluster {
		suffix = clusterStateSuffix
	}
	return types.NamespacedName{Namespace: namespace, Name: boundedName(conn.GetName(), suffix)}
}

// legacyClusterStateKey is where a ClusterConnection's token state was kept
// before: "cluster-<name>-hoxton-token", which a Connection named
// "cluster-<name>" in the operator's namespace would share.
func legacyClusterStateKey(conn Object, namespace string) types.NamespacedName {
	return types.NamespacedName{Namespace: namespace, Name: boundedName("cluster-"+conn.GetName(), stateSuffix)}
}

// boundedName appends suffix to name, shortening name (and making it unique with
// a hash) where the result would exceed a Secret name's 253 characters.
func boundedName(name, suffix string) string {
	if len(name)+len(suffix) > 253 {
		sum := sha256.Sum256([]byte(name))
		name = name[:253-len(suffix)-9] + "-" + hex.EncodeToString(sum[:4])
	}
	return name + suffix
}

// readTokenState returns conn's token state Secret. A ClusterConnection whose
// state is still under the legacy name gets that one, if it is labelled and owned
// by a ClusterConnection of this name; the next write moves it to the new name.
func (r *Resolver) readTokenState(ctx context.Context, conn Object, namespace string) (*corev1.Secret, error) {
	state := &corev1.Secret{}
	err := r.secrets.Get(withoutBodyLogging(ctx), tokenStateKey(conn, namespace), state)
	if !apierrors.IsNotFound(err) || conn.Reference().Kind != v1alpha1.ConnectionKindCluster {
		return state, err
	}
	legacy := &corev1.Secret{}
	if lerr := r.secrets.Get(withoutBodyLogging(ctx), legacyClusterStateKey(conn, namespace), legacy); lerr != nil {
		return state, err
	}
	for _, o := range legacy.OwnerReferences {
		if o.Kind == string(v1alpha1.ConnectionKindCluster) && o.Name == conn.GetName() && legacy.Labels[LabelTokenState] == "true" {
			return legacy, nil
		}
	}
	return state, err
}

// seedOf identifies the refresh token of the user's Secret without keeping it.
func seedOf(refreshToken string) string {
	sum := sha256.Sum256([]byte("hoxton-token-seed:" + refreshToken))
	return hex.EncodeToString(sum[:16])
}

// withTokenState returns creds with the refresh token of conn's state Secret
// (in namespace) when that state grew from the refresh token creds carry, and
// creds as they are otherwise (no state yet, or the user supplied a new refresh
// token). continued reports the former: the credentials continue the lineage
// the state holds.
func (r *Resolver) withTokenState(ctx context.Context, conn Object, namespace string, creds auth.Credentials) (_ auth.Credentials, continued bool, _ error) {
	if creds.Grant != auth.GrantRefreshToken {
		return creds, false, nil
	}
	state, err := r.readTokenState(ctx, conn, namespace)
	if err != nil {
		return creds, false, client404(err)
	}
	if state.Labels[LabelTokenState] != "true" || !slices.Contains(lineageOf(state), seedOf(creds.RefreshToken)) {
		return creds, false, nil
	}
	if rt := string(state.Data[stateKeyRefreshToken]); rt != "" {
		creds.RefreshToken = rt
		creds.PreviousRefreshToken = string(state.Data[stateKeyPrevious])
	}
	return creds, true, nil
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
// Secret, creating it on the first rotation, then, if the Connection asks for
// it (spec.writeBackRefreshToken), copies the token into the user's Secret
// (best effort). Writes are optimistic (the resourceVersion
// read just before), so a conflicting write makes this attempt fail and the
// next one starts from what the other writer left. seed is the hash of the
// refresh token in the user's Secret, secretKey where that Secret is.
func (r *Resolver) saveRotation(conn Object, seed string, secretKey types.NamespacedName) auth.Persist {
	// The save runs in the token source's goroutine, later: on a copy, since the
	// controller goes on decoding answers into conn.
	conn = conn.DeepCopyObject().(Object)
	key := tokenStateKey(conn, secretKey.Namespace)
	connKey := connectionKey(conn)
	return func(ctx context.Context, rot auth.Rotation) error {
		err := r.updateTokenState(withoutBodyLogging(ctx), conn, secretKey.Namespace, func(data map[string][]byte) bool {
			var lineage []string
			if old := strings.Fields(string(data[stateKeyLineage])); slices.Contains(old, seed) {
				lineage = old
			}
			lineage = extendLineage(lineage, seed, seedOf(rot.Previous), seedOf(rot.RefreshToken))
			data[stateKeyRefreshToken] = []byte(rot.RefreshToken)
			data[stateKeyPrevious] = []byte(rot.Previous)
			data[stateKeyLineage] = []byte(strings.Join(lineage, " "))
			return true
		})
		if err != nil {
			r.saveFailed(connKey, conn)
			return fmt.Errorf("saving the rotated refresh token to Secret %s: %s", key, apiReason(err))
		}
		copied := conn.GetParameters().WriteBackRefreshToken && r.mirrorRefreshToken(ctx, secretKey, rot.RefreshToken)
		logf.FromContext(r.ctx).Info("saved the rotated refresh token",
			"tokenState", key.String(), "secret", secretKey.String(), "copiedToSecret", copied)
		return nil
	}
}

// updateTokenState applies change to the data of conn's token state Secret in
// namespace, creating the Secret when there is none (or only one under the legacy
// name, whose data it starts from), held by TokenStateFinalizer. Nothing is
// written when change reports no change and the finalizer is there. A Secret of
// that name the operator does not own is never written.
func (r *Resolver) updateTokenState(ctx context.Context, conn Object, namespace string, change func(data map[string][]byte) bool) error {
	key := tokenStateKey(conn, namespace)
	state, err := r.readTokenState(ctx, conn, namespace)
	switch {
	case err != nil && !apierrors.IsNotFound(err):
		return err
	case err == nil && state.Labels[LabelTokenState] != "true":
		return fmt.Errorf("a Secret %s exists that the operator does not own (no label %s=true)", key, LabelTokenState)
	}
	data := map[string][]byte{}
	if err == nil {
		maps.Copy(data, state.Data)
	}
	changed := change(data)
	if err == nil && state.Name == key.Name {
		// A state Secret written before it carried TokenStateFinalizer gets it now.
		if held := holdTokenState(state); !changed && !held {
			return nil
		}
		state.Data = data
		return r.writer.Update(ctx, state) // carries the resourceVersion just read
	}
	if !changed {
		return nil
	}
	owner := metav1.OwnerReference{
		APIVersion: v1alpha1.GroupVersion.String(), Kind: string(conn.Reference().Kind),
		Name: conn.GetName(), UID: conn.GetUID(),
	}
	return r.writer.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: key.Namespace, Name: key.Name,
			Labels:          map[string]string{LabelTokenState: "true", "app.kubernetes.io/managed-by": "hoxton-operator"},
			OwnerReferences: ownerIfSet(owner),
			Finalizers:      []string{TokenStateFinalizer},
		},
		Type: corev1.SecretTypeOpaque,
		Data: data,
	})
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
