package testenv

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// Env is a control plane, a fake HoxtonAi API and (when started) a manager.
type Env struct {
	ControlPlane *ControlPlane
	API          *hoxtontest.Server
	// Client talks to the kube-apiserver directly, without a cache, so tests read
	// what is stored.
	Client client.Client

	// manager is the running manager, standby a second one waiting for the lease
	// (replica.go).
	manager, standby *replica
	restarts         atomic.Int32
	// link, when set, stands between the managers and the kube-apiserver (kubelink.go).
	link *KubeLink
}

// Start starts the control plane and the fake API. The manager is started separately
// (StartManager), so that tests can stop and restart it.
func Start(api hoxtontest.Options) (*Env, error) {
	cp, err := StartControlPlane()
	if err != nil {
		return nil, err
	}
	scheme, err := operator.NewScheme()
	if err != nil {
		return nil, errors.Join(err, cp.Stop())
	}
	c, err := client.New(cp.Config, client.Options{Scheme: scheme})
	if err != nil {
		return nil, errors.Join(err, cp.Stop())
	}
	return &Env{ControlPlane: cp, API: hoxtontest.NewServer(api), Client: c}, nil
}

// Stop stops the managers, the fake API and the control plane.
func (e *Env) Stop() error {
	err := e.StopManager()
	if e.standby != nil {
		err = errors.Join(err, e.standby.stop())
	}
	if e.link != nil {
		e.link.close()
	}
	e.API.Close()
	return errors.Join(err, e.ControlPlane.Stop())
}

// CreateNamespace creates a namespace.
func (e *Env) CreateNamespace(ctx context.Context, name string) error {
	return e.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})
}

// ConnectionSecret returns the Secret with the fake API's default client credentials.
func ConnectionSecret(namespace, name string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		StringData: map[string]string{
			v1alpha1.SecretKeyClientID:     hoxtontest.DefaultClientID,
			v1alpha1.SecretKeyClientSecret: hoxtontest.DefaultClientSecret,
		},
	}
}

// Connection returns a Connection to the fake API using the Secret secretName.
func (e *Env) Connection(namespace, name, secretName string) *v1alpha1.Connection {
	return &v1alpha1.Connection{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: v1alpha1.ConnectionSpec{
			ConnectionParameters: v1alpha1.ConnectionParameters{
				APIURL:         e.API.APIURL(),
				TokenURL:       e.API.TokenURL(),
				OrganisationID: e.API.OrganisationID(),
				// The fake listens on plain HTTP; real Connections need https://.
				AllowInsecureHTTP: true,
			},
			CredentialsSecretRef: v1alpha1.LocalReference{Name: secretName},
		},
	}
}

// CreateConnection creates the Secret and the Connection named name (usually
// "default") in namespace, pointing at the fake API.
func (e *Env) CreateConnection(ctx context.Context, namespace, name string) error {
	if err := e.Client.Create(ctx, ConnectionSecret(namespace, name+"-credentials")); err != nil {
		return fmt.Errorf("creating the connection secret: %w", err)
	}
	return e.Client.Create(ctx, e.Connection(namespace, name, name+"-credentials"))
}
