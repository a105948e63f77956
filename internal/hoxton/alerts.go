package hoxton

import (
	"time"
)

// AlertType is the kind of an alert.
type AlertType string

// The alert types of the contract.
const (
	// AlertOffline fires when cameras go offline.
	AlertOffline AlertType = "offline_alert"
	// AlertOccupancy fires on occupancy thresholds.
	AlertOccupancy AlertType = "occupancy_alert"
	// AlertCameraHealthSummary sends a camera health summary.
	AlertCameraHealthSummary AlertType = "camera_health_summary_alert"
	// AlertPeopleCount fires on people counts.
	AlertPeopleCount AlertType = "people_count"
)

// Alert is an alert definition (schemas AlertInput and Alert). SiteID is optional;
// ConfigurationDetails and Webhook are untyped in the contract. CreatedAt and DeletedAt
// are output only and never sent.
type Alert struct {
	ID                   string         `json:"id,omitempty"`
	Name                 string         `json:"name"`
	AlertType            AlertType      `json:"alertType"`
	OrganisationID       string         `json:"organisationId"`
	SiteID               *string        `json:"siteId,omitempty"`
	ConfigurationDetails map[string]any `json:"configurationDetails,omitempty"`
	Emails               []string       `json:"emails,omitempty"`
	Webhook              map[string]any `json:"webhook,omitempty"`
	State                State          `json:"state,omitempty"`
	CreatedAt            *time.Time     `json:"createdAt,omitempty"`
	DeletedAt            *time.Time     `json:"deletedAt,omitempty"`
}

// Alerts is the alert collection. Inferred (x-inferred in openapi.yaml): GET
// /alerts/{alertId} was not seen.
var Alerts = NewCollection[Alert]("alerts", CarriesOrganisation)
