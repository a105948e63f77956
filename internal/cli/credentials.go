package cli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/connection"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// Defaults for HoxtonAi's endpoints, as the Connection CRD defaults them.
const (
	DefaultAPIURL       = "https://hoxton.cloud/api/v0"
	DefaultTokenURL     = "https://auth.hoxton.ai/oauth/token"
	DefaultAuthorizeURL = "https://auth.hoxton.ai/authorize"
)

// ConnectionCredentials maps a Connection's parameters and credentials Secret to
// token credentials, the way the operator does (connection.CredentialsFrom). Fields
// the CRD defaults are defaulted here too, for a Connection read from a manifest.
func ConnectionCredentials(p *v1alpha1.ConnectionParameters, secret *corev1.Secret) (auth.Credentials, error) {
	creds, err := connection.CredentialsFrom(p, secret)
	if err != nil {
		return auth.Credentials{}, err
	}
	creds.TokenURL = or(creds.TokenURL, DefaultTokenURL)
	creds.Audience = or(creds.Audience, auth.DefaultAudience)
	return creds, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// target is where and as whom a command calls HoxtonAi.
type target struct {
	APIURL         string
	OrganisationID string
	Creds          auth.Credentials
	// Origin says where the credentials came from, for messages.
	Origin string
	// persist stores a rotated refresh token where the credentials came from;
	// nil when they came from flags or the environment.
	persist func(ctx context.Context, refreshToken string) error
	// conn is the Connection the credentials came from, with the cluster
	// client that read it; nil conn for flags and the environment. Tokens of
	// a Connection come from the operator's own resolver (see apiClient).
	conn connection.Object
	kube client.Client
	// secretNamespace is where conn's Secret is.
	secretNamespace string
}

// clusterConnectionPrefix selects a ClusterConnection in --connection.
const clusterConnectionPrefix = "clusterconnection/"

// parseConnectionRef reads a --connection value as a reference: NAME for a
// Connection (without a kind, which is the default and the shortest manifest),
// ClusterConnection/NAME for a ClusterConnection; nil for "".
func parseConnectionRef(value string) *v1alpha1.ConnectionReference {
	if value == "" {
		return nil
	}
	if len(value) > len(clusterConnectionPrefix) && strings.EqualFold(value[:len(clusterConnectionPrefix)], clusterConnectionPrefix) {
		return &v1alpha1.ConnectionReference{Kind: v1alpha1.ConnectionKindCluster, Name: value[len(clusterConnectionPrefix):]}
	}
	return &v1alpha1.ConnectionReference{Name: value}
}

// readConnection loads a Connection of the namespace (or, for
// "ClusterConnection/NAME", a ClusterConnection) and its Secret from the cluster.
func (r *Root) readConnection(ctx context.Context, ref string) (*target, error) {
	c, ns, err := r.kubeClient()
	if err != nil {
		return nil, err
	}
	var conn connection.Object = &v1alpha1.Connection{}
	key, what := types.NamespacedName{Namespace: ns, Name: ref}, "Connection "+ns+"/"+ref
	if r := parseConnectionRef(ref); r.Kind == v1alpha1.ConnectionKindCluster {
		conn, key, what = &v1alpha1.ClusterConnection{}, types.NamespacedName{Name: r.Name}, "ClusterConnection "+r.Name
	}
	if err := c.Get(ctx, key, conn); err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	secret := &corev1.Secret{}
	secretKey := conn.SecretKey()
	if secretKey.Namespace == "" {
		// A ClusterConnection's Secret lives in the operator's namespace.
		secretKey.Namespace = or(os.Getenv("HOXTON_OPERATOR_NAMESPACE"), v1alpha1.DefaultClusterResourceNamespace)
	}
	if err := c.Get(ctx, secretKey, secret); err != nil {
		return nil, fmt.Errorf("reading Secret %s of %s: %w", secretKey, what, err)
	}
	creds, err := ConnectionCredentials(conn.GetParameters(), secret)
	if err != nil {
		return nil, err
	}
	p := conn.GetParameters()
	return &target{
		APIURL:         or(p.APIURL, DefaultAPIURL),
		OrganisationID: p.OrganisationID,
		Creds:          creds,
		Origin:         what,
		conn:           conn, kube: c, secretNamespace: secretKey.Namespace,
		persist: func(ctx context.Context, refreshToken string) error {
			return patchRefreshToken(ctx, c, secretKey, refreshToken)
		},
	}, nil
}

// patchRefreshToken writes a rotated refresh token to the one key of the
// Secret, as the operator does: the old token no longer works.
func patchRefreshToken(ctx context.Context, c client.Client, key types.NamespacedName, token string) error {
	patch, err := json.Marshal(map[string]any{
		"data": map[string]string{v1alpha1.SecretKeyRefreshToken: base64.StdEncoding.EncodeToString([]byte(token))},
	})
	if err != nil {
		return err
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}}
	if err := c.Patch(ctx, secret, client.RawPatch(types.MergePatchType, patch), client.FieldOwner(fieldManager)); err != nil {
		return fmt.Errorf("writing the rotated refresh token to Secret %s: %w", key, err)
	}
	return nil
}
