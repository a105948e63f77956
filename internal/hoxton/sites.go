package hoxton

import (
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

// Sites is the site collection.
var Sites = NewCollection[Site]("sites", CarriesOrganisation)
