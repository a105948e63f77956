package hoxton

import (
	"context"
	"time"
)

// MonitorDirection names a monitor direction a camera direction counts towards
// (Assumption A5).
type MonitorDirection string

// The monitor directions of Assumption A5.
const (
	// MonitorDirection1 is the monitor's direction 1.
	MonitorDirection1 MonitorDirection = "direction1"
	// MonitorDirection2 is the monitor's direction 2.
	MonitorDirection2 MonitorDirection = "direction2"
)

// PeopleCountMonitorCameraPosition feeds a camera position into a people count monitor
// (schema PeopleCountMonitorCameraPosition, x-inferred, Assumption A5).
type PeopleCountMonitorCameraPosition struct {
	ID                   string `json:"id,omitempty"`
	PeopleCountMonitorID string `json:"peopleCountMonitorId"`
	CameraPositionID     string `json:"cameraPositionId"`
	// Direction1Maps is the monitor direction the camera's direction 1 counts towards.
	Direction1Maps MonitorDirection `json:"direction1Maps,omitempty"`
	// Direction2Maps is the monitor direction the camera's direction 2 counts towards.
	Direction2Maps MonitorDirection `json:"direction2Maps,omitempty"`
	State          State            `json:"state,omitempty"`
	DeletedAt      *time.Time       `json:"deletedAt,omitempty"`
}

// OccupancyMonitorCameraPosition feeds a camera position into an occupancy monitor
// (schema OccupancyMonitorCameraPosition, x-inferred, Assumption A5).
type OccupancyMonitorCameraPosition struct {
	ID                 string `json:"id,omitempty"`
	OccupancyMonitorID string `json:"occupancyMonitorId"`
	CameraPositionID   string `json:"cameraPositionId"`
	// Direction1Maps is the monitor direction the camera's direction 1 counts towards.
	Direction1Maps MonitorDirection `json:"direction1Maps,omitempty"`
	// Direction2Maps is the monitor direction the camera's direction 2 counts towards.
	Direction2Maps MonitorDirection `json:"direction2Maps,omitempty"`
	State          State            `json:"state,omitempty"`
	DeletedAt      *time.Time       `json:"deletedAt,omitempty"`
}

// PeelOffMonitorCameraPosition feeds a camera position into a peel-off monitor (schema
// PeelOffMonitorCameraPosition, x-inferred, Assumption A5).
type PeelOffMonitorCameraPosition struct {
	ID               string `json:"id,omitempty"`
	PeelOffMonitorID string `json:"peelOffMonitorId"`
	CameraPositionID string `json:"cameraPositionId"`
	// Direction1Maps is the monitor direction the camera's direction 1 counts towards.
	Direction1Maps MonitorDirection `json:"direction1Maps,omitempty"`
	// Direction2Maps is the monitor direction the camera's direction 2 counts towards.
	Direction2Maps MonitorDirection `json:"direction2Maps,omitempty"`
	State          State            `json:"state,omitempty"`
	DeletedAt      *time.Time       `json:"deletedAt,omitempty"`
}

// Assumption A5: the three link collections follow the upsert / soft-delete pattern of
// the alert mappings (every operation on them is x-inferred, x-confidence low).
var (
	peopleCountMonitorCameraPositions = newCollection[PeopleCountMonitorCameraPosition]("people-count-monitor-camera-positions")
	occupancyMonitorCameraPositions   = newCollection[OccupancyMonitorCameraPosition]("occupancy-monitor-camera-positions")
	peelOffMonitorCameraPositions     = newCollection[PeelOffMonitorCameraPosition]("peel-off-monitor-camera-positions")
)

// PutPeopleCountMonitorCameraPosition creates or updates a people count monitor link.
func (c *Client) PutPeopleCountMonitorCameraPosition(ctx context.Context, l PeopleCountMonitorCameraPosition) (PutResult, error) {
	l.DeletedAt = nil
	// Assumption A5: the link collection follows the upsert / soft-delete pattern.
	return peopleCountMonitorCameraPositions.put(ctx, c, l)
}

// GetPeopleCountMonitorCameraPosition returns one people count monitor link.
func (c *Client) GetPeopleCountMonitorCameraPosition(ctx context.Context, id string) (*PeopleCountMonitorCameraPosition, error) {
	// Assumption A5: the link collection follows the upsert / soft-delete pattern.
	return peopleCountMonitorCameraPositions.get(ctx, c, id)
}

// DeletePeopleCountMonitorCameraPosition soft-deletes a people count monitor link.
func (c *Client) DeletePeopleCountMonitorCameraPosition(ctx context.Context, id string) error {
	// Assumption A5: the link collection follows the upsert / soft-delete pattern.
	return peopleCountMonitorCameraPositions.delete(ctx, c, id)
}

// ListPeopleCountMonitorCameraPositions returns the active links of one people count
// monitor.
func (c *Client) ListPeopleCountMonitorCameraPositions(ctx context.Context, peopleCountMonitorID string) ([]PeopleCountMonitorCameraPosition, error) {
	// Assumption A2: link collections are listed by owner, ?peopleCountMonitorId=.
	return peopleCountMonitorCameraPositions.list(ctx, c, filters("peopleCountMonitorId", peopleCountMonitorID))
}

// PutOccupancyMonitorCameraPosition creates or updates an occupancy monitor link.
func (c *Client) PutOccupancyMonitorCameraPosition(ctx context.Context, l OccupancyMonitorCameraPosition) (PutResult, error) {
	l.DeletedAt = nil
	// Assumption A5: the link collection follows the upsert / soft-delete pattern.
	return occupancyMonitorCameraPositions.put(ctx, c, l)
}

// GetOccupancyMonitorCameraPosition returns one occupancy monitor link.
func (c *Client) GetOccupancyMonitorCameraPosition(ctx context.Context, id string) (*OccupancyMonitorCameraPosition, error) {
	// Assumption A5: the link collection follows the upsert / soft-delete pattern.
	return occupancyMonitorCameraPositions.get(ctx, c, id)
}

// DeleteOccupancyMonitorCameraPosition soft-deletes an occupancy monitor link.
func (c *Client) DeleteOccupancyMonitorCameraPosition(ctx context.Context, id string) error {
	// Assumption A5: the link collection follows the upsert / soft-delete pattern.
	return occupancyMonitorCameraPositions.delete(ctx, c, id)
}

// ListOccupancyMonitorCameraPositions returns the active links of one occupancy monitor.
func (c *Client) ListOccupancyMonitorCameraPositions(ctx context.Context, occupancyMonitorID string) ([]OccupancyMonitorCameraPosition, error) {
	// Assumption A2: link collections are listed by owner, ?occupancyMonitorId=.
	return occupancyMonitorCameraPositions.list(ctx, c, filters("occupancyMonitorId", occupancyMonitorID))
}

// PutPeelOffMonitorCameraPosition creates or updates a peel-off monitor link.
func (c *Client) PutPeelOffMonitorCameraPosition(ctx context.Context, l PeelOffMonitorCameraPosition) (PutResult, error) {
	l.DeletedAt = nil
	// Assumption A5: the link collection follows the upsert / soft-delete pattern.
	return peelOffMonitorCameraPositions.put(ctx, c, l)
}

// GetPeelOffMonitorCameraPosition returns one peel-off monitor link.
func (c *Client) GetPeelOffMonitorCameraPosition(ctx context.Context, id string) (*PeelOffMonitorCameraPosition, error) {
	// Assumption A5: the link collection follows the upsert / soft-delete pattern.
	return peelOffMonitorCameraPositions.get(ctx, c, id)
}

// DeletePeelOffMonitorCameraPosition soft-deletes a peel-off monitor link.
func (c *Client) DeletePeelOffMonitorCameraPosition(ctx context.Context, id string) error {
	// Assumption A5: the link collection follows the upsert / soft-delete pattern.
	return peelOffMonitorCameraPositions.delete(ctx, c, id)
}

// ListPeelOffMonitorCameraPositions returns the active links of one peel-off monitor.
func (c *Client) ListPeelOffMonitorCameraPositions(ctx context.Context, peelOffMonitorID string) ([]PeelOffMonitorCameraPosition, error) {
	// Assumption A2: link collections are listed by owner, ?peelOffMonitorId=.
	return peelOffMonitorCameraPositions.list(ctx, c, filters("peelOffMonitorId", peelOffMonitorID))
}
