package helm

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// TestNamespacedInstallRuns installs the RBAC a namespaced install renders, for real,
// and runs the manager as its ServiceAccount with --watch-namespaces: a Site in a
// watched namespace becomes Ready (so the Roles grant everything the manager needs,
// leader election included), and one in another namespace is left alone.
func TestNamespacedInstallRuns(t *testing.T) {
	env := &envtest.Environment{CRDDirectoryPaths: []string{filepath.Join(chartDir, "crds")}, ErrorIfCRDPathMissing: true}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("starting the control plane: %v", err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	scheme, err := operator.NewScheme()
	if err != nil {
		t.Fatal(err)
	}
	admin, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, ns := range []string{releaseNS, "stores", "warehouses", "elsewhere"} {
		if err := admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			t.Fatal(err)
		}
	}
	objs, err := render(t, namespacedValues())
	if err != nil {
		t.Fatal(err)
	}
	var serviceAccount string
	for _, u := range objs {
		switch u.GetKind() {
		case "ServiceAccount":
			serviceAccount = u.GetName()
		case "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding":
		default:
			continue
		}
		if err := admin.Patch(ctx, u, client.Apply, client.FieldOwner("helm-test"), client.ForceOwnership); err != nil { //nolint:staticcheck // unstructured apply
			t.Fatalf("%s %s: %v", u.GetKind(), u.GetName(), err)
		}
	}
	user, err := env.AddUser(envtest.User{
		Name:   "system:serviceaccount:" + releaseNS + ":" + serviceAccount,
		Groups: []string{"system:serviceaccounts", "system:authenticated"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}

	api := hoxtontest.NewServer(hoxtontest.Options{})
	defer api.Close()
	mgr, err := operator.New(ctx, user.Config(), operator.Options{
		Tenancy: operator.Tenancy{WatchNamespaces: []string{"stores", "warehouses"}}, MetricsAddr: "0", ProbeAddr: "0",
		LeaderElection: true, LeaderElectionNamespace: releaseNS, SkipNameValidation: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the manager stopped with an error: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("the manager did not stop within 30 s")
		}
	}()

	site := func(ns string) *v1alpha1.Site {
		s := &v1alpha1.Site{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "hq"}}
		s.Spec.Name = "HQ " + ns
		s.Spec.TimeZone = "Europe/London"
		return s
	}
	for _, ns := range []string{"stores", "elsewhere"} {
		secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "credentials"}, StringData: map[string]string{
			v1alpha1.SecretKeyClientID: hoxtontest.DefaultClientID, v1alpha1.SecretKeyClientSecret: hoxtontest.DefaultClientSecret,
		}}
		conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "default"}}
		conn.Spec.APIURL, conn.Spec.TokenURL, conn.Spec.OrganisationID = api.APIURL(), api.TokenURL(), api.OrganisationID()
		conn.Spec.Grant = v1alpha1.GrantClientCredentials
		conn.Spec.AllowInsecureHTTP = true // the fake API serves plain HTTP
		conn.Spec.CredentialsSecretRef.Name = secret.Name
		for _, o := range []client.Object{secret, conn, site(ns)} {
			if err := admin.Create(ctx, o); err != nil {
				t.Fatal(err)
			}
		}
	}
	watched := site("stores")
	deadline := time.Now().Add(90 * time.Second)
	for !conditions.IsTrue(watched.Status.Conditions, conditions.TypeReady) {
		if time.Now().After(deadline) {
			t.Fatalf("the Site in a watched namespace is not Ready: %+v", watched.Status.Conditions)
		}
		time.Sleep(200 * time.Millisecond)
		if err := admin.Get(ctx, client.ObjectKeyFromObject(watched), watched); err != nil {
			t.Fatal(err)
		}
	}
	other := site("elsewhere")
	if err := admin.Get(ctx, client.ObjectKeyFromObject(other), other); err != nil {
		t.Fatal(err)
	}
	if len(other.Status.Conditions) != 0 || len(other.Finalizers) != 0 {
		t.Errorf("a Site outside watchNamespaces was reconciled: %+v %v", other.Status.Conditions, other.Finalizers)
	}
}
