package cli

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// managedByLabels mark what hoxtonctl wrote.
func managedByLabels() map[string]string {
	return map[string]string{"app.kubernetes.io/managed-by": fieldManager}
}

// loginManifests builds the Secret and the RefreshToken Connection of a login.
func loginManifests(o *loginOptions, namespace, refreshToken string) (*corev1.Secret, *v1alpha1.Connection) {
	secret := &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: o.secretName, Namespace: namespace, Labels: managedByLabels()},
		Type:       corev1.SecretTypeOpaque,
		Data: map[string][]byte{
			v1alpha1.SecretKeyClientID:     []byte(o.clientID),
			v1alpha1.SecretKeyClientSecret: []byte(o.clientSecret),
			v1alpha1.SecretKeyRefreshToken: []byte(refreshToken),
		},
	}
	conn := &v1alpha1.Connection{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "Connection"},
		ObjectMeta: metav1.ObjectMeta{Name: o.connectionName, Namespace: namespace, Labels: managedByLabels()},
		Spec: v1alpha1.ConnectionSpec{
			ConnectionParameters: v1alpha1.ConnectionParameters{
				APIURL: o.apiURL, TokenURL: o.tokenURL, Audience: o.audience, AllowInsecureHTTP: o.allowInsecureHTTP,
				OrganisationID: o.organisationID, Grant: v1alpha1.GrantRefreshToken,
				TokenDialect: v1alpha1.TokenDialect(o.tokenDialect),
			},
			CredentialsSecretRef: v1alpha1.LocalReference{Name: o.secretName},
		},
	}
	return secret, conn
}

// writeLogin creates the Secret and the Connection, or updates them when they
// exist: the Secret's keys (other keys are kept) and the Connection's spec.
// The Secret goes first, so the Connection never names a Secret without the
// new token. Messages name objects, never values.
func writeLogin(ctx context.Context, r *Root, secret *corev1.Secret, conn *v1alpha1.Connection) error {
	c, _, err := r.kubeClient()
	if err != nil {
		return err
	}
	existing := &corev1.Secret{}
	err = c.Get(ctx, client.ObjectKeyFromObject(secret), existing)
	switch {
	case apierrors.IsNotFound(err):
		if err := c.Create(ctx, secret.DeepCopy(), client.FieldOwner(fieldManager)); err != nil {
			return fmt.Errorf("creating Secret %s/%s: %w", secret.Namespace, secret.Name, err)
		}
		fmt.Fprintf(r.Env.ErrOut, "secret/%s created\n", secret.Name)
	case err != nil:
		return fmt.Errorf("reading Secret %s/%s: %w", secret.Namespace, secret.Name, err)
	default:
		if existing.Data == nil {
			existing.Data = map[string][]byte{}
		}
		for k, v := range secret.Data {
			existing.Data[k] = v
		}
		if err := c.Update(ctx, existing, client.FieldOwner(fieldManager)); err != nil {
			return fmt.Errorf("updating Secret %s/%s: %w", secret.Namespace, secret.Name, err)
		}
		fmt.Fprintf(r.Env.ErrOut, "secret/%s configured\n", secret.Name)
	}

	current := &v1alpha1.Connection{}
	err = c.Get(ctx, client.ObjectKeyFromObject(conn), current)
	switch {
	case apierrors.IsNotFound(err):
		if err := c.Create(ctx, conn.DeepCopy(), client.FieldOwner(fieldManager)); err != nil {
			return fmt.Errorf("creating Connection %s/%s: %w", conn.Namespace, conn.Name, err)
		}
		fmt.Fprintf(r.Env.ErrOut, "connection.hoxtonai.dev/%s created\n", conn.Name)
	case err != nil:
		return fmt.Errorf("reading Connection %s/%s: %w", conn.Namespace, conn.Name, err)
	default:
		// Keep what the user set beyond the login (CA bundle, request budget).
		p := &current.Spec.ConnectionParameters
		p.APIURL, p.TokenURL, p.Audience = conn.Spec.APIURL, conn.Spec.TokenURL, conn.Spec.Audience
		p.AllowInsecureHTTP = conn.Spec.AllowInsecureHTTP
		p.OrganisationID, p.Grant, p.TokenDialect = conn.Spec.OrganisationID, conn.Spec.Grant, conn.Spec.TokenDialect
		current.Spec.CredentialsSecretRef = conn.Spec.CredentialsSecretRef
		if err := c.Update(ctx, current, client.FieldOwner(fieldManager)); err != nil {
			return fmt.Errorf("updating Connection %s/%s: %w", conn.Namespace, conn.Name, err)
		}
		fmt.Fprintf(r.Env.ErrOut, "connection.hoxtonai.dev/%s configured\n", conn.Name)
	}
	return nil
}
