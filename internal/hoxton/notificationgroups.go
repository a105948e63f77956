package hoxton

import (
	"time"
)

// NotificationGroup is a named set of recipients (schema NotificationGroup). DeletedAt is
// output only.
type NotificationGroup struct {
	ID             string         `json:"id,omitempty"`
	Name           string         `json:"name"`
	OrganisationID string         `json:"organisationId"`
	Emails         []string       `json:"emails,omitempty"`
	Webhook        map[string]any `json:"webhook,omitempty"`
	State          State          `json:"state,omitempty"`
	DeletedAt      *time.Time     `json:"deletedAt,omitempty"`
}

// NotificationGroups is the notification group collection.
var NotificationGroups = NewCollection[NotificationGroup]("notification-groups", CarriesOrganisation)
