package cli_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/cli"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// dialectCase is a Connection of one token dialect and grant, against a fake
// that speaks that dialect.
type dialectCase struct {
	name    string
	dialect string
	grant   v1alpha1.Grant
}

var dialectCases = []dialectCase{
	{"standard-client-credentials", hoxtontest.DialectStandard, v1alpha1.GrantClientCredentials},
	{"standard-password", hoxtontest.DialectStandard, v1alpha1.GrantPassword},
	{"standard-refresh-token", hoxtontest.DialectStandard, v1alpha1.GrantRefreshToken},
	{"cam2", hoxtontest.DialectCAM2, v1alpha1.GrantClientCredentials},
	{"camstreamer", hoxtontest.DialectCamStreamer, v1alpha1.GrantRefreshToken},
}

// connectionFor writes a Connection named conn and its Secret to namespace,
// for fake's dialect and grant, and returns the refresh token it holds ("" for
// the other grants).
func connectionFor(t *testing.T, c *cluster, fake *hoxtontest.Server, namespace, conn string, tc dialectCase) string {
	t.Helper()
	data := map[string][]byte{
		v1alpha1.SecretKeyClientID: []byte(hoxtontest.DefaultClientID), v1alpha1.SecretKeyClientSecret: []byte(hoxtontest.DefaultClientSecret),
	}
	refresh := ""
	switch tc.grant {
	case v1alpha1.GrantPassword:
		data[v1alpha1.SecretKeyUsername], data[v1alpha1.SecretKeyPassword] = []byte(hoxtontest.DefaultUsername), []byte(hoxtontest.DefaultPassword)
	case v1alpha1.GrantRefreshToken:
		refresh = fake.IssueRefreshToken(hoxtontest.DefaultClientID)
		data[v1alpha1.SecretKeyRefreshToken] = []byte(refresh)
	}
	c.create(t,
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: conn + "-credentials"}, Data: data},
		&v1alpha1.Connection{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: conn},
			Spec: v1alpha1.ConnectionSpec{
				ConnectionParameters: v1alpha1.ConnectionParameters{
					APIURL: fake.APIURL(), TokenURL: fake.TokenURL(), RevocationURL: fake.RevocationURL(), AllowInsecureHTTP: true,
					OrganisationID: fake.OrganisationID(), Grant: tc.grant, TokenDialect: v1alpha1.TokenDialect(tc.dialect),
					// The fake's first user is an admin, whom the export describes.
					UserRoles: &v1alpha1.UserRolePolicy{AllowPrivileged: true},
				},
				CredentialsSecretRef: v1alpha1.LocalReference{Name: conn + "-credentials"},
			},
		})
	return refresh
}

// TestEveryCommandWithEveryDialect runs each command that calls HoxtonAi with a
// Connection of each token dialect and grant, against a fake speaking that
// dialect: report, export, diff of the export (no changes) and check-api
// (read-only). A RefreshToken Connection's rotations end up where the
// Connection keeps them: the token state Secret the operator reads, which
// holds a refresh token the endpoint still accepts. Other grants write no Secret.
func TestEveryCommandWithEveryDialect(t *testing.T) {
	c := startCluster(t)
	for _, tc := range dialectCases {
		t.Run(tc.name, func(t *testing.T) {
			fake := hoxtontest.NewServer(hoxtontest.Options{TokenDialect: tc.dialect})
			defer fake.Close()
			ns := tc.name
			c.namespace(t, ns)
			seed := connectionFor(t, c, fake, ns, "hoxton", tc)
			kube := []string{"--kubeconfig", c.kubeconfig, "-n", ns, "--connection", "hoxton"}
			dir := filepath.Join(t.TempDir(), "export")
			commands := [][]string{
				{"report", "dwell-time", "--from", "2026-03-01", "--to", "2026-03-02", "-o", "json"},
				{"export", "-d", dir},
				{"diff", "-f", dir},
			}
			for _, args := range commands {
				res := run(t, cli.Env{}, append(args, kube...)...)
				if res.code != cli.ExitOK {
					t.Errorf("%s: exit %d\nstdout: %s\nstderr: %s", args[0], res.code, res.stdout, res.stderr)
				}
				if seed != "" && strings.Contains(res.stdout+res.stderr, seed) {
					t.Errorf("%s printed the refresh token", args[0])
				}
			}
			chk := run(t, cli.Env{}, append([]string{"check-api", "--read-only", "-o", "json"}, kube...)...)
			if chk.code == cli.ExitError || strings.Contains(chk.stderr, "access token") {
				t.Errorf("check-api: exit %d\nstderr: %s", chk.code, chk.stderr)
			}
			state := &corev1.Secret{}
			err := c.k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "hoxton-hoxton-token"}, state)
			if tc.grant != v1alpha1.GrantRefreshToken {
				// Nothing to save: the commands need no right to write Secrets.
				if !apierrors.IsNotFound(err) {
					t.Errorf("a %s Connection made the commands write Secret hoxton-hoxton-token (%v)", tc.grant, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("the rotated refresh token was not saved where the Connection keeps it: %v", err)
			}
			newest := string(state.Data["refreshToken"])
			if newest == "" || newest == seed || !fake.RefreshTokenValid(newest) {
				t.Errorf("token state holds a new refresh token: %t; the endpoint accepts it: %t", newest != "" && newest != seed, fake.RefreshTokenValid(newest))
			}
		})
	}
}
