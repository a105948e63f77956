package cli_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/checkapi"
	"github.com/hoxton-operator/hoxton-operator/internal/cli"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// TestLoginWritesConnectionThatReportUses runs against a real kube-apiserver
// (envtest): login creates the Secret and the Connection, a second login
// updates them and keeps what else the Secret holds, and report
// --connection reads them through the kubeconfig and writes the rotated
// refresh token back.
func TestLoginWritesConnectionThatReportUses(t *testing.T) {
	c := startCluster(t)
	kubeconfig, k8s := c.kubeconfig, c.k8s
	ctx := context.Background()
	c.namespace(t, "shop")

	fake := hoxtontest.NewServer(hoxtontest.Options{})
	defer fake.Close()
	login := func() result {
		browser := &testBrowser{t: t}
		res := run(t, cli.Env{OpenBrowser: browser.open},
			loginArgs(fake, "--client-secret", hoxtontest.DefaultClientSecret, "--kubeconfig", kubeconfig, "-n", "shop", "--connection-name", "hoxton")...)
		if res.code != cli.ExitOK {
			t.Fatalf("login: exit %d\nstderr: %s", res.code, res.stderr)
		}
		return res
	}
	readSecret := func() *corev1.Secret {
		s := &corev1.Secret{}
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: "shop", Name: "hoxton-credentials"}, s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	first := login()
	if !strings.Contains(first.stderr, "secret/hoxton-credentials created") || !strings.Contains(first.stderr, "connection.hoxtonai.dev/hoxton created") {
		t.Errorf("login output: %s", first.stderr)
	}
	secret := readSecret()
	token1 := string(secret.Data[v1alpha1.SecretKeyRefreshToken])
	if token1 == "" || first.stdout != "" || strings.Contains(first.stderr, token1) {
		t.Fatalf("token stored: %t; stdout %q; token on stderr: %t", token1 != "", first.stdout, strings.Contains(first.stderr, token1))
	}
	conn := &v1alpha1.Connection{}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: "shop", Name: "hoxton"}, conn); err != nil {
		t.Fatal(err)
	}
	if conn.Spec.Grant != v1alpha1.GrantRefreshToken || conn.Spec.OrganisationID != fake.OrganisationID() || conn.Spec.CredentialsSecretRef.Name != "hoxton-credentials" {
		t.Errorf("connection spec %+v", conn.Spec)
	}

	secret.Data["note"] = []byte("kept")
	if err := k8s.Update(ctx, secret); err != nil {
		t.Fatal(err)
	}
	second := login()
	if !strings.Contains(second.stderr, "secret/hoxton-credentials configured") || !strings.Contains(second.stderr, "connection.hoxtonai.dev/hoxton configured") {
		t.Errorf("second login output: %s", second.stderr)
	}
	secret = readSecret()
	token2 := string(secret.Data[v1alpha1.SecretKeyRefreshToken])
	if token2 == "" || token2 == token1 || string(secret.Data["note"]) != "kept" {
		t.Errorf("after the second login: new token %t, note %q", token2 != "" && token2 != token1, secret.Data["note"])
	}

	// The fake rotates refresh tokens: report must write the new one back.
	rep := run(t, cli.Env{}, "report", "dwell-time", "--connection", "hoxton", "--kubeconfig", kubeconfig, "-n", "shop",
		"--from", "2026-03-01", "--to", "2026-03-02", "-o", "json")
	if rep.code != cli.ExitOK {
		t.Fatalf("report: exit %d\nstderr: %s", rep.code, rep.stderr)
	}
	// Rotations are saved where the manager keeps them: the token state Secret.
	newest := func(name string) string {
		state := &corev1.Secret{}
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: "shop", Name: name}, state); err != nil {
			t.Fatalf("token state %s: %v", name, err)
		}
		return string(state.Data["refreshToken"])
	}
	token3 := newest("hoxton-hoxton-token")
	// check-api below proves token3 works (refreshWorks would rotate it away).
	if token3 == token2 {
		t.Error("the rotated refresh token was not written back")
	}
	if strings.Contains(rep.stdout+rep.stderr, token2) || strings.Contains(rep.stdout+rep.stderr, token3) {
		t.Error("report printed a refresh token")
	}

	// check-api with the RefreshToken Connection: A6 sees the rotation, and
	// the newest refresh token ends up in the Secret.
	chk := run(t, cli.Env{}, "check-api", "--yes", "--connection", "hoxton", "--kubeconfig", kubeconfig, "-n", "shop", "-o", "json")
	if chk.code != cli.ExitOK {
		t.Fatalf("check-api: exit %d\nstdout: %s\nstderr: %s", chk.code, chk.stdout, chk.stderr)
	}
	var results []checkapi.Result
	if err := json.Unmarshal([]byte(chk.stdout), &results); err != nil {
		t.Fatal(err)
	}
	rotationSeen := false
	for _, r := range results {
		if r.ID != "A6" {
			continue
		}
		for _, ev := range r.Evidence {
			rotationSeen = rotationSeen || strings.Contains(ev.Observed, "rotated: true")
		}
		if r.Verdict != checkapi.Holds {
			t.Errorf("A6 %s: %+v", r.Verdict, r)
		}
	}
	token4 := newest("hoxton-hoxton-token")
	if !rotationSeen || token4 == token3 {
		t.Errorf("rotation seen %t; newest token stored %t", rotationSeen, token4 != token3)
	}
	if strings.Contains(chk.stdout+chk.stderr, token3) || strings.Contains(chk.stdout+chk.stderr, token4) {
		t.Error("check-api printed a refresh token")
	}

	// A ClusterConnection naming the same Secret serves as well, once the Secret
	// holds a refresh token still valid: two Connections never share a lineage.
	secret = readSecret()
	secret.Data[v1alpha1.SecretKeyRefreshToken] = []byte(token4)
	if err := k8s.Update(ctx, secret); err != nil {
		t.Fatal(err)
	}
	cluster := &v1alpha1.ClusterConnection{
		ObjectMeta: metav1.ObjectMeta{Name: "everyone"},
		Spec: v1alpha1.ClusterConnectionSpec{
			ConnectionParameters: conn.Spec.ConnectionParameters,
			CredentialsSecretRef: v1alpha1.ClusterSecretReference{Namespace: "shop", Name: "hoxton-credentials"},
		},
	}
	if err := k8s.Create(ctx, cluster); err != nil {
		t.Fatal(err)
	}
	viaCluster := run(t, cli.Env{}, "report", "dwell-time", "--connection", "ClusterConnection/everyone", "--kubeconfig", kubeconfig,
		"--from", "2026-03-01", "--to", "2026-03-02", "-o", "json")
	if viaCluster.code != cli.ExitOK {
		t.Fatalf("report via ClusterConnection: exit %d\nstderr: %s", viaCluster.code, viaCluster.stderr)
	}
	token5 := newest("everyone-hoxton-cluster-token")
	if token5 == token4 || !refreshWorks(t, fake, token5) {
		t.Errorf("newest token stored through the ClusterConnection: %t", token5 != token4)
	}
}
