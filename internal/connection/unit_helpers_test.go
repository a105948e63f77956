package connection

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// Shared fixtures of the Connection tests that run a check: the fake HoxtonAi API
// over real HTTP, a fake Kubernetes client, a Resolver and the Connection
// reconcilers over them.

const (
	shop         = "shop"
	operatorNS   = "operator"
	testPollEach = 10 * time.Minute
)

type connEnv struct {
	t   *testing.T
	api *hoxtontest.Server
	c   client.Client
	res *Resolver
	rec *events.FakeRecorder
	// secretReads counts the uncached reads of Secret contents; secretErr, when set,
	// fails them.
	secretReads atomic.Int32
	secretErr   error
	// users are the managed objects that use any Connection, for release.
	users []managed.ConnectionUser
	conns *Reconciler[*v1alpha1.Connection]
	ccs   *Reconciler[*v1alpha1.ClusterConnection]
}

func newConnEnv(t *testing.T, opts hoxtontest.Options, objs ...client.Object) *connEnv {
	t.Helper()
	e := &connEnv{t: t, api: hoxtontest.NewServer(opts), rec: events.NewFakeRecorder(100)}
	t.Cleanup(e.api.Close)
	e.c = fake.NewClientBuilder().WithScheme(testScheme()).WithObjects(objs...).
		WithStatusSubresource(&v1alpha1.Connection{}, &v1alpha1.ClusterConnection{}).
		WithInterceptorFuncs(interceptor.Funcs{Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			if _, ok := obj.(*corev1.Secret); ok {
				e.secretReads.Add(1)
				if e.secretErr != nil {
					return e.secretErr
				}
			}
			return c.Get(ctx, key, obj, opts...)
		}}).Build()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e.res = NewResolver(ctx, e.c, e.c, e.c, auth.Options{}, "test")
	e.res.SetTenancy(Tenancy{ClusterResourceNamespace: operatorNS})
	e.res.recorder = e.rec
	users := func(context.Context, string, v1alpha1.ConnectionReference) ([]managed.ConnectionUser, error) {
		return e.users, nil
	}
	e.conns = &Reconciler[*v1alpha1.Connection]{client: e.c, resolver: e.res, recorder: e.rec, pollInterval: testPollEach, users: users,
		newObject: func() *v1alpha1.Connection { return &v1alpha1.Connection{} }}
	e.ccs = &Reconciler[*v1alpha1.ClusterConnection]{client: e.c, resolver: e.res, recorder: e.rec, pollInterval: testPollEach, users: users,
		newObject: func() *v1alpha1.ClusterConnection { return &v1alpha1.ClusterConnection{} }}
	return e
}

// params are the settings of a Connection to the env's fake API.
func (e *connEnv) params() v1alpha1.ConnectionParameters {
	return v1alpha1.ConnectionParameters{APIURL: e.api.APIURL(), TokenURL: e.api.TokenURL(), OrganisationID: e.api.OrganisationID(),
		AllowInsecureHTTP: true, Audience: hoxtontest.DefaultAudience}
}

// connection returns a Connection of namespace shop to the fake API, reading Secret
// credentials.
func (e *connEnv) connection(name string) *v1alpha1.Connection {
	return &v1alpha1.Connection{
		ObjectMeta: metav1.ObjectMeta{Namespace: shop, Name: name, UID: types.UID("uid-" + name), Generation: 1},
		Spec:       v1alpha1.ConnectionSpec{ConnectionParameters: e.params(), CredentialsSecretRef: v1alpha1.LocalReference{Name: "credentials"}},
	}
}

// clusterConnection returns a ClusterConnection admitting namespace shop, reading
// Secret credentials of the operator's namespace.
func (e *connEnv) clusterConnection(name string) *v1alpha1.ClusterConnection {
	return &v1alpha1.ClusterConnection{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid-" + name), Generation: 1},
		Spec: v1alpha1.ClusterConnectionSpec{ConnectionParameters: e.params(),
			CredentialsSecretRef: v1alpha1.ClusterSecretReference{Name: "credentials"},
			Conditions:           []v1alpha1.ClusterConnectionCondition{{Namespaces: []string{shop}}}},
	}
}

// credentials returns a Secret holding the fake's client credentials.
func credentials(namespace, clientID, clientSecret string) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "credentials"},
		Data: map[string][]byte{v1alpha1.SecretKeyClientID: []byte(clientID), v1alpha1.SecretKeyClientSecret: []byte(clientSecret)}}
}

func (e *connEnv) create(objs ...client.Object) {
	e.t.Helper()
	for _, o := range objs {
		if err := e.c.Create(e.t.Context(), o); err != nil {
			e.t.Fatal(err)
		}
	}
}

// check reconciles the Connection (cluster-wide when namespace is "").
func (e *connEnv) check(namespace, name string) (ctrl.Result, error) {
	req := ctrl.Request{NamespacedName: types.NamespacedName{Namespace: namespace, Name: name}}
	if namespace == "" {
		return e.ccs.Reconcile(e.t.Context(), req)
	}
	return e.conns.Reconcile(e.t.Context(), req)
}

func (e *connEnv) get(obj client.Object) bool {
	e.t.Helper()
	err := e.c.Get(e.t.Context(), client.ObjectKeyFromObject(obj), obj)
	if err != nil && client.IgnoreNotFound(err) != nil {
		e.t.Fatal(err)
	}
	return err == nil
}

// events drains the events recorded so far.
func (e *connEnv) events() []string {
	var out []string
	for {
		select {
		case ev := <-e.rec.Events:
			out = append(out, ev)
		default:
			return out
		}
	}
}

// wantNoSecret fails when any of texts shows the fake's client secret.
func wantNoSecret(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, hoxtontest.DefaultClientSecret) || strings.Contains(s, "wrong-secret") {
			t.Errorf("a secret appears in %q", s)
		}
	}
}
