package cli

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// fieldManager is the field manager and the managed-by label of what
// hoxtonctl writes to a cluster.
const fieldManager = "hoxtonctl"

// kubeClient returns a client for the cluster the kubeconfig flags select,
// and the namespace they select (the context's, or "default").
func (r *Root) kubeClient() (client.Client, string, error) {
	ns, _, err := r.Kube.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil, "", fmt.Errorf("kubeconfig: %w", err)
	}
	cfg, err := r.Kube.ToRESTConfig()
	if err != nil {
		return nil, "", fmt.Errorf("kubeconfig: %w", err)
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, "", err
	}
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		return nil, "", err
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, "", fmt.Errorf("cluster client: %w", err)
	}
	return c, ns, nil
}

// namespace returns the namespace the kubeconfig flags select.
func (r *Root) namespace() (string, error) {
	ns, _, err := r.Kube.ToRawKubeConfigLoader().Namespace()
	return ns, err
}
