package hoxton

import "context"

// PutAlertNotificationGroupMapping creates or updates an alert → notification group link.
func (c *Client) PutAlertNotificationGroupMapping(ctx context.Context, m AlertNotificationGroupMapping) (PutResult, error) {
	m.DeletedAt = nil
	return alertNotificationGroupMapping.put(ctx, c, m)
}

// GetAlertNotificationGroupMapping returns one alert → notification group link.
func (c *Client) GetAlertNotificationGroupMapping(ctx context.Context, id string) (*AlertNotificationGroupMapping, error) {
	// Inferred (x-inferred in openapi.yaml): the GET path was assumed from the DELETE.
	return alertNotificationGroupMapping.get(ctx, c, id)
}

// DeleteAlertNotificationGroupMapping soft-deletes an alert → notification group link.
func (c *Client) DeleteAlertNotificationGroupMapping(ctx context.Context, id string) error {
	return alertNotificationGroupMapping.delete(ctx, c, id)
}

// ListAlertNotificationGroupMappings returns the active notification group links of one
// alert.
func (c *Client) ListAlertNotificationGroupMappings(ctx context.Context, alertID string) ([]AlertNotificationGroupMapping, error) {
	// Assumption A2: link collections are listed by owner, ?alertId=.
	return alertNotificationGroupMapping.list(ctx, c, filters("alertId", alertID))
}

// PutAlertCameraPositionMapping creates or updates an alert → camera position link.
func (c *Client) PutAlertCameraPositionMapping(ctx context.Context, m AlertCameraPositionMapping) (PutResult, error) {
	m.CreatedAt, m.DeletedAt = nil, nil
	return alertCameraPositionMapping.put(ctx, c, m)
}

// GetAlertCameraPositionMapping returns one alert → camera position link.
func (c *Client) GetAlertCameraPositionMapping(ctx context.Context, id string) (*AlertCameraPositionMapping, error) {
	// Inferred (x-inferred in openapi.yaml): the GET path was assumed from the DELETE.
	return alertCameraPositionMapping.get(ctx, c, id)
}

// DeleteAlertCameraPositionMapping soft-deletes an alert → camera position link.
func (c *Client) DeleteAlertCameraPositionMapping(ctx context.Context, id string) error {
	return alertCameraPositionMapping.delete(ctx, c, id)
}

// ListAlertCameraPositionMappings returns the active camera position links of one alert.
func (c *Client) ListAlertCameraPositionMappings(ctx context.Context, alertID string) ([]AlertCameraPositionMapping, error) {
	// Assumption A2: link collections are listed by owner, ?alertId=.
	return alertCameraPositionMapping.list(ctx, c, filters("alertId", alertID))
}

// PutAlertOccupancyMonitorMapping creates or updates an alert → occupancy monitor link.
func (c *Client) PutAlertOccupancyMonitorMapping(ctx context.Context, m AlertOccupancyMonitorMapping) (PutResult, error) {
	m.DeletedAt = nil
	return alertOccupancyMonitorMapping.put(ctx, c, m)
}

// GetAlertOccupancyMonitorMapping returns one alert → occupancy monitor link.
func (c *Client) GetAlertOccupancyMonitorMapping(ctx context.Context, id string) (*AlertOccupancyMonitorMapping, error) {
	// Inferred (x-inferred in openapi.yaml): the GET path was assumed from the DELETE.
	return alertOccupancyMonitorMapping.get(ctx, c, id)
}

// DeleteAlertOccupancyMonitorMapping soft-deletes an alert → occupancy monitor link.
func (c *Client) DeleteAlertOccupancyMonitorMapping(ctx context.Context, id string) error {
	return alertOccupancyMonitorMapping.delete(ctx, c, id)
}

// ListAlertOccupancyMonitorMappings returns the active occupancy monitor links of one
// alert.
func (c *Client) ListAlertOccupancyMonitorMappings(ctx context.Context, alertID string) ([]AlertOccupancyMonitorMapping, error) {
	// Assumption A2: link collections are listed by owner, ?alertId=.
	return alertOccupancyMonitorMapping.list(ctx, c, filters("alertId", alertID))
}
