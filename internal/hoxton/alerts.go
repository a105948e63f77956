package hoxton

import (
	"context"
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

// AlertNotificationGroupMapping links an alert to a notification group (schema
// AlertNotificationGroupMapping). DeletedAt is output only.
type AlertNotificationGroupMapping struct {
	ID                  string     `json:"id,omitempty"`
	AlertID             string     `json:"alertId"`
	NotificationGroupID string     `json:"notificationGroupId"`
	State               State      `json:"state,omitempty"`
	DeletedAt           *time.Time `json:"deletedAt,omitempty"`
}

// AlertCameraPositionMapping links an alert to a camera position it watches (schema
// AlertCameraPositionMapping). CreatedAt and DeletedAt are output only.
type AlertCameraPositionMapping struct {
	ID               string     `json:"id,omitempty"`
	AlertID          string     `json:"alertId"`
	CameraPositionID string     `json:"cameraPositionId"`
	State            State      `json:"state,omitempty"`
	CreatedAt        *time.Time `json:"createdAt,omitempty"`
	DeletedAt        *time.Time `json:"deletedAt,omitempty"`
}

// AlertOccupancyMonitorMapping links an alert to an occupancy monitor (schema
// AlertOccupancyMonitorMapping). DeletedAt is output only.
type AlertOccupancyMonitorMapping struct {
	ID                 string     `json:"id,omitempty"`
	AlertID            string     `json:"alertId"`
	OccupancyMonitorID string     `json:"occupancyMonitorId"`
	State              State      `json:"state,omitempty"`
	DeletedAt          *time.Time `json:"deletedAt,omitempty"`
}

var (
	alerts                        = newCollection[Alert]("alerts")
	alertNotificationGroupMapping = newCollection[AlertNotificationGroupMapping]("alert-notification-group-mappings")
	alertCameraPositionMapping    = newCollection[AlertCameraPositionMapping]("alert-camera-position-mappings")
	alertOccupancyMonitorMapping  = newCollection[AlertOccupancyMonitorMapping]("alert-occupancy-monitor-mappings")
)

// PutAlert creates or updates an alert; an empty OrganisationID is filled with the
// client's.
func (c *Client) PutAlert(ctx context.Context, a Alert) (PutResult, error) {
	a.OrganisationID = c.orgOr(a.OrganisationID)
	a.CreatedAt, a.DeletedAt = nil, nil
	return alerts.put(ctx, c, a)
}

// GetAlert returns one alert; a deleted one is reported as Gone.
func (c *Client) GetAlert(ctx context.Context, id string) (*Alert, error) {
	// Inferred (x-inferred in openapi.yaml): GET /alerts/{alertId} was not seen.
	return alerts.get(ctx, c, id)
}

// DeleteAlert soft-deletes an alert.
func (c *Client) DeleteAlert(ctx context.Context, id string) error {
	return alerts.delete(ctx, c, id)
}

// ListAlerts returns the active alerts of the client's organisation, only those of one
// site when siteID is not empty.
func (c *Client) ListAlerts(ctx context.Context, siteID string) ([]Alert, error) {
	// Assumption A2: GET /alerts?organisationId=&siteId= lists alerts.
	return alerts.list(ctx, c, filters("organisationId", c.org, "siteId", siteID))
}
