package hoxton

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// CameraState is the processing state of a camera.
type CameraState string

// The camera states of the contract.
const (
	// CameraRunning means video is processed and notifications are on.
	CameraRunning CameraState = "running"
	// CameraPaused means no video is processed and notifications are off.
	CameraPaused CameraState = "paused"
)

// Camera is a claimed HoxtonAi sensor as the service reports it (schema Camera). Every
// field is read-only; CameraPositionID is what monitors, alerts and annotations refer to.
type Camera struct {
	ID                      string      `json:"id,omitempty"`
	SerialNumber            string      `json:"serialNumber,omitempty"`
	Name                    string      `json:"name,omitempty"`
	OrganisationID          string      `json:"organisationId,omitempty"`
	SiteID                  string      `json:"siteId,omitempty"`
	CameraPositionID        string      `json:"cameraPositionId,omitempty"`
	Direction1Alias         string      `json:"direction1Alias,omitempty"`
	Direction2Alias         string      `json:"direction2Alias,omitempty"`
	State                   CameraState `json:"state,omitempty"`
	ClaimedAt               *time.Time  `json:"claimedAt,omitempty"`
	IsOnline                bool        `json:"isOnline,omitempty"`
	LastSeenAt              *time.Time  `json:"lastSeenAt,omitempty"`
	LastVideoAt             *time.Time  `json:"lastVideoAt,omitempty"`
	EncodedFramesProportion float64     `json:"encodedFramesProportion,omitempty"`
	NetworkTransmitRate     float64     `json:"networkTransmitRate,omitempty"`
	VideoBacklog            float64     `json:"videoBacklog,omitempty"`
	VideoUploadLatency      float64     `json:"videoUploadLatency,omitempty"`
}

// CameraClaim is the body of a camera claim (schema CameraCreate).
type CameraClaim struct {
	SerialNumber string `json:"serialNumber"`
	SiteID       string `json:"siteId"`
	Name         string `json:"name,omitempty"`
}

// CameraUpdate is the body of a camera update (Assumption A4): its name and the labels of
// its two crossing directions. Empty fields are omitted.
type CameraUpdate struct {
	Name            string `json:"name,omitempty"`
	Direction1Alias string `json:"direction1Alias,omitempty"`
	Direction2Alias string `json:"direction2Alias,omitempty"`
}

var cameras = newEndpoint[Camera]("cameras").swept()

// ClaimCamera claims a sensor by serial number into a site (POST /cameras). A serial
// already claimed by anyone answers 409, returned as a Terminal *APIError with StatusCode
// 409; FindCameraBySerial tells whether the claim is the organisation's own.
func (c *Client) ClaimCamera(ctx context.Context, claim CameraClaim) (*Camera, error) {
	var out Camera
	if _, err := c.do(ctx, http.MethodPost, cameras.resource, cameras.path, nil, claim, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetCamera returns one camera.
func (c *Client) GetCamera(ctx context.Context, id string) (*Camera, error) {
	// Assumption A1: GET /cameras/{cameraId} answers the stored camera.
	return cameras.get(ctx, c, id)
}

// FindCameraBySerial returns the camera of the client's organisation with the given
// serial number, or a NotFound *APIError when the organisation holds none.
func (c *Client) FindCameraBySerial(ctx context.Context, serial string) (*Camera, error) {
	if serial == "" {
		return nil, invalid(http.MethodGet, cameras.path, cameras.resource, "empty serial number")
	}
	// Assumption A3: GET /cameras?serialNumber= finds the organisation's camera by serial
	// and answers an empty array when there is none.
	found, err := cameras.list(ctx, c, filters("serialNumber", serial))
	if err != nil {
		return nil, err
	}
	for i := range found {
		if found[i].SerialNumber == serial {
			return &found[i], nil
		}
	}
	return nil, &APIError{StatusCode: http.StatusNotFound, Method: http.MethodGet, Path: cameras.path,
		Resource: cameras.resource, Message: MsgNoCameraWithSerial}
}

// ListCameras returns the cameras of the client's organisation, only those of one site
// when siteID is not empty.
func (c *Client) ListCameras(ctx context.Context, siteID string) ([]Camera, error) {
	// Assumption A2: GET /cameras?organisationId=&siteId= lists cameras.
	return cameras.list(ctx, c, filters("organisationId", c.org, "siteId", siteID))
}

// UpdateCamera renames a camera and sets its direction labels. The update replaces all
// three fields: an empty field is left out of the body, which clears it.
func (c *Client) UpdateCamera(ctx context.Context, id string, u CameraUpdate) error {
	if id == "" {
		return invalid(http.MethodPut, cameras.path+"/", cameras.resource, msgEmptyID)
	}
	// Assumption A4: PUT /cameras/{cameraId} with {name, direction1Alias,
	// direction2Alias} answers 204.
	_, err := c.do(ctx, http.MethodPut, cameras.resource, itemPath(cameras.path, id), nil, u, nil)
	return err
}

// SetCameraState pauses or resumes a camera (PUT /cameras/{cameraId}/state/{newState},
// which answers 201).
func (c *Client) SetCameraState(ctx context.Context, id string, state CameraState) error {
	path := itemPath(cameras.path, id) + "/state/" + url.PathEscape(string(state))
	switch {
	case id == "":
		return invalid(http.MethodPut, path, cameras.resource, msgEmptyID)
	case state != CameraRunning && state != CameraPaused:
		return invalid(http.MethodPut, path, cameras.resource, msgBadState)
	}
	_, err := c.do(ctx, http.MethodPut, cameras.resource, path, nil, nil, nil)
	return err
}
