package hoxton

import (
	"context"
	"encoding/json"
	"time"
)

// Organisation is the tenant root (schema Organisation). It is read-only in the API.
type Organisation struct {
	ID              string            `json:"id,omitempty"`
	Name            string            `json:"name,omitempty"`
	CreatedAt       *time.Time        `json:"createdAt,omitempty"`
	Licence         []json.RawMessage `json:"licence,omitempty"`
	MaxAdminSeats   int               `json:"maxAdminSeats,omitempty"`
	MaxUserSeats    int               `json:"maxUserSeats,omitempty"`
	ProcessingGroup int               `json:"processingGroup,omitempty"`
	State           State             `json:"state,omitempty"`
}

var organisations = newEndpoint[Organisation]("organisations")

// ListOrganisations returns the organisations in the caller's portfolio
// (GET /organisations, operation listOrganisations).
func (c *Client) ListOrganisations(ctx context.Context) ([]Organisation, error) {
	return organisations.list(ctx, c, nil)
}

// GetOrganisation returns one organisation (GET /organisations/{organisationId}).
func (c *Client) GetOrganisation(ctx context.Context, id string) (*Organisation, error) {
	return organisations.get(ctx, c, id)
}
