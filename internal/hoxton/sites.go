package hoxton

import (
	"context"
	"time"
)

// Site is a building or address of an organisation (schemas SiteInput and Site).
// DeletedAt is output only and never sent (and x-inferred in openapi.yaml: the published
// site samples do not show it).
type Site struct {
	ID             string         `json:"id,omitempty"`
	Name           string         `json:"name"`
	OrganisationID string         `json:"organisationId,omitempty"`
	Address        string         `json:"address,omitempty"`
	TZ             string         `json:"tz,omitempty"`
	OpeningHour    map[string]any `json:"openingHour,omitempty"`
	State          State          `json:"state,omitempty"`
	DeletedAt      *time.Time     `json:"deletedAt,omitempty"`
}

var sites = newCollection[Site]("sites")

// PutSite creates or updates a site (PUT /sites); an empty OrganisationID is filled with
// the client's.
func (c *Client) PutSite(ctx context.Context, s Site) (PutResult, error) {
	s.OrganisationID = c.orgOr(s.OrganisationID)
	s.DeletedAt = nil
	return sites.put(ctx, c, s)
}

// GetSite returns one site; a decommissioned site is reported as Gone.
func (c *Client) GetSite(ctx context.Context, id string) (*Site, error) {
	return sites.get(ctx, c, id)
}

// DeleteSite decommissions (soft-deletes) a site.
func (c *Client) DeleteSite(ctx context.Context, id string) error {
	return sites.delete(ctx, c, id)
}

// ListSites returns the active sites of the client's organisation.
func (c *Client) ListSites(ctx context.Context) ([]Site, error) {
	// Assumption A2: GET /sites?organisationId= lists the organisation's sites.
	return sites.list(ctx, c, filters("organisationId", c.org))
}
