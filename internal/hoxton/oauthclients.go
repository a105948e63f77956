package hoxton

import (
	"context"
	"net/http"
)

// GrantType is an OAuth grant an OAuth client may use.
type GrantType string

// The grant types of the contract.
const (
	// GrantAuthorizationCode is the authorization code grant.
	GrantAuthorizationCode GrantType = "authorization_code"
	// GrantClientCredentials is the client credentials grant.
	GrantClientCredentials GrantType = "client_credentials"
	// GrantPassword is the resource owner password grant.
	GrantPassword GrantType = "password"
	// GrantRefreshToken is the refresh token grant.
	GrantRefreshToken GrantType = "refresh_token"
)

// OAuthClientInput is the body of an OAuth client upsert (schema OAuthClientInput).
// ClientID is set when updating an existing client.
type OAuthClientInput struct {
	ClientID       string      `json:"clientId,omitempty"`
	Name           string      `json:"name"`
	OrganisationID string      `json:"organisationId"`
	GrantTypes     []GrantType `json:"grantTypes"`
	Callbacks      []string    `json:"callbacks,omitempty"`
}

// OAuthClient is an OAuth client as the service returns it, secret included (schema
// OAuthClient).
type OAuthClient struct {
	ClientID     string      `json:"clientId,omitempty"`
	ClientSecret string      `json:"clientSecret,omitempty"`
	Name         string      `json:"name"`
	GrantTypes   []GrantType `json:"grantTypes"`
	Callbacks    []string    `json:"callbacks,omitempty"`
	// OrganisationID is x-inferred in openapi.yaml: the published schema lacks it.
	OrganisationID string `json:"organisationId,omitempty"`
}

var oauthClients = newEndpoint[OAuthClient]("oauth-clients").identifiedBy("clientId")

// PutOAuthClient creates or updates an OAuth client. On creation (201) it returns the
// stored client including its generated secret; on update (204) it returns nil. An empty
// OrganisationID is filled with the client's.
func (c *Client) PutOAuthClient(ctx context.Context, in OAuthClientInput) (*OAuthClient, error) {
	in.OrganisationID = c.orgOr(in.OrganisationID)
	if in.GrantTypes == nil {
		in.GrantTypes = []GrantType{}
	}
	var out OAuthClient
	status, err := c.do(ctx, http.MethodPut, oauthClients.resource, oauthClients.path, nil, in, &out)
	if err != nil || status != http.StatusCreated {
		return nil, err
	}
	return &out, nil
}

// ListOAuthClients returns the OAuth clients of the client's organisation, secrets
// included.
func (c *Client) ListOAuthClients(ctx context.Context) ([]OAuthClient, error) {
	// Assumption A2: GET /oauth-clients?organisationId= lists the organisation's clients.
	return oauthClients.list(ctx, c, filters("organisationId", c.org))
}

// GetOAuthClient returns one OAuth client, including its secret.
func (c *Client) GetOAuthClient(ctx context.Context, id string) (*OAuthClient, error) {
	return oauthClients.get(ctx, c, id)
}

// DeleteOAuthClient removes an OAuth client. Clients are removed outright, so a second
// delete answers 404 (NotFound).
func (c *Client) DeleteOAuthClient(ctx context.Context, id string) error {
	return oauthClients.delete(ctx, c, id)
}

// RotateOAuthClientSecret issues a new secret for an OAuth client and returns the client
// with it.
func (c *Client) RotateOAuthClientSecret(ctx context.Context, id string) (*OAuthClient, error) {
	if id == "" {
		return nil, invalid(http.MethodPut, oauthClients.path+"/", oauthClients.resource, msgEmptyID)
	}
	var out OAuthClient
	// Inferred (x-inferred in openapi.yaml, x-confidence low): method, path and the 200
	// answer of PUT /oauth-clients/{id}/rotate-secret are guesses. Assumption A15: the
	// answer carries the new secret, and the old one is refused from then on.
	path := itemPath(oauthClients.path, id) + "/rotate-secret"
	if _, err := c.do(ctx, http.MethodPut, oauthClients.resource, path, nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
