package kinds

import (
	"context"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// CredentialsSecretName names the Secret an exported OAuth client's credentials are
// to be delivered into.
func CredentialsSecretName(objectName string) string { return objectName + "-credentials" }

// oauthClientExport maps the organisation's OAuth clients to manifests. The secret is
// never exported, and an export cannot hand it to the credentials Secret; rotating it
// would break whatever uses the client today. So an exported client is ObserveOnly:
// applying the export adopts it without a write, and switching it to Manage (with
// adoptExisting) is the owner's decision, which rotates nothing unless asked (see the
// README, hoxtonctl export).
func oauthClientExport() *managed.Export[*v1alpha1.OAuthClient] {
	return &managed.Export[*v1alpha1.OAuthClient]{List: func(ctx context.Context, c *hoxton.Client, _ managed.ListOptions) ([]managed.Listed[*v1alpha1.OAuthClient], error) {
		clients, err := c.ListOAuthClients(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]managed.Listed[*v1alpha1.OAuthClient], 0, len(clients))
		for _, cl := range clients {
			id, name, grants, callbacks := cl.ClientID, cl.Name, cl.GrantTypes, cl.Callbacks
			out = append(out, managed.Listed[*v1alpha1.OAuthClient]{ID: id, Label: name, Object: func(names managed.NameOf) *v1alpha1.OAuthClient {
				o := &v1alpha1.OAuthClient{Spec: v1alpha1.OAuthClientSpec{Name: name, Callbacks: callbacks,
					WriteCredentialsToSecretRef: v1alpha1.LocalReference{Name: CredentialsSecretName(names("OAuthClient", id))}}}
				for _, g := range grants {
					o.Spec.GrantTypes = append(o.Spec.GrantTypes, v1alpha1.GrantType(g))
				}
				o.Spec.ManagementPolicy = v1alpha1.ManagementPolicyObserveOnly
				return o
			}})
		}
		return out, nil
	}}
}

// DescribeCreate says what creating the client writes, for plans: its fields, and a
// generated secret delivered to the credentials Secret (never the secret itself).
func (oauthClientAdapter) DescribeCreate(o *v1alpha1.OAuthClient, _ managed.Refs) (managed.Diff, error) {
	d := managed.CompareFields(oauthClientFields, oauthClientWanted(o), hoxton.OAuthClient{})
	return append(d, managed.Difference{Field: managed.SecretField, Want: "generated, delivered to Secret " + o.Spec.WriteCredentialsToSecretRef.Name}), nil
}
