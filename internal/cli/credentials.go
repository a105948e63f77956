package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/connection"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
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
	conn     connection.Object
	resolver *connection.Resolver
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
// "ClusterConnection/NAME", a ClusterConnection) and its credentials, through
// the operator's resolver: a RefreshToken Connection continues from its token
// state, and a rotation is saved there, as the manager does.
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
	secretNamespace := conn.SecretKey().Namespace
	if secretNamespace == "" {
		// A ClusterConnection's Secret lives in the operator's namespace.
		secretNamespace = or(os.Getenv("HOXTON_OPERATOR_NAMESPACE"), v1alpha1.DefaultClusterResourceNamespace)
	}
	p := conn.GetParameters()
	res := newResolver(ctx, c, secretNamespace, auth.Grant(or(string(p.Grant), string(v1alpha1.GrantClientCredentials))))
	creds, save, err := res.ProbeCredentials(quiet(ctx), conn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	creds.TokenURL = or(creds.TokenURL, DefaultTokenURL)
	creds.Audience = or(creds.Audience, auth.DefaultAudience)
	t := &target{
		APIURL:         or(p.APIURL, DefaultAPIURL),
		OrganisationID: p.OrganisationID,
		Creds:          creds,
		Origin:         what,
		conn:           conn, resolver: res,
	}
	saved := creds.RefreshToken
	t.persist = func(ctx context.Context, refreshToken string) error {
		err := save(quiet(ctx), auth.Rotation{RefreshToken: refreshToken, Previous: saved})
		if err == nil {
			saved = refreshToken
		}
		return err
	}
	return t, nil
}

// newResolver returns the operator's connection resolver for one command. It
// serves whoever runs the command, with the user's own rights: it reads the
// Secret a Connection names, and writes Secrets only for a RefreshToken
// Connection, whose rotations must be saved; other grants need no more than
// read access (the manager keeps their credentials copy).
func newResolver(ctx context.Context, c client.Client, secretNamespace string, grant auth.Grant) *connection.Resolver {
	res := connection.NewResolver(quiet(ctx), c, c, c, auth.Options{}, userAgent)
	tenancy := connection.Tenancy{ClusterResourceNamespace: secretNamespace, SecretWrites: noSecretWrites}
	if grant == auth.GrantRefreshToken {
		tenancy.SecretWrites = managed.SecretWrites{} // every namespace
	}
	res.SetTenancy(tenancy)
	return res
}

// noSecretWrites allows writing Secrets in no namespace ("" is none).
var noSecretWrites = managed.SecretWrites{Namespaces: []string{""}}

// quiet drops the logs of the operator's code: a command reports through its
// errors.
func quiet(ctx context.Context) context.Context { return logr.NewContext(ctx, logr.Discard()) }
