package controller

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// cameraKind describes Camera to the generic reconciler. Cameras are claimed by serial
// (POST, server-chosen id) rather than upserted, so the adapter guards creation itself:
// before claiming it looks the serial up, and a claim answered 409 is matched to the
// organisation's own camera. Either way a crash after the claim leaves no duplicate.
func cameraKind() managed.Kind[*v1alpha1.Camera, siteRefs] {
	return managed.Kind[*v1alpha1.Camera, siteRefs]{
		Name:    "Camera",
		New:     func() *v1alpha1.Camera { return &v1alpha1.Camera{} },
		NewList: func() client.ObjectList { return &v1alpha1.CameraList{} },
		Adapter: cameraAdapter{},
		IDs:     managed.ServerAssignedID,
		References: []managed.Reference[*v1alpha1.Camera]{
			siteReference(func(o *v1alpha1.Camera) *v1alpha1.LocalReference { return o.Spec.SiteRef }),
		},
		DeletionNote: "; HoxtonAi cannot un-claim a camera, so it was paused and stays claimed by the organisation",
	}
}

// cameraAdapter connects Camera to the camera endpoints.
type cameraAdapter struct{}

func (cameraAdapter) Resolve(ctx context.Context, r client.Reader, o *v1alpha1.Camera) (siteRefs, error) {
	return resolveSite(ctx, r, o.Namespace, o.Spec.SiteRef, o.Spec.SiteID)
}

func (cameraAdapter) Observe(ctx context.Context, c *hoxton.Client, o *v1alpha1.Camera, refs siteRefs) (managed.Observation, error) {
	var cam *hoxton.Camera
	var err error
	if id := o.Status.ExternalID; id != "" {
		cam, err = c.GetCamera(ctx, id)
	} else {
		// The create guard: a camera claimed before a crash is found by its serial.
		cam, err = c.FindCameraBySerial(ctx, o.Spec.SerialNumber)
	}
	if absent(err) {
		return managed.Observation{}, nil
	}
	if err != nil {
		return managed.Observation{}, err
	}
	if cam.SerialNumber != o.Spec.SerialNumber {
		return managed.Observation{}, managed.Terminal("HoxtonAi camera %s has serial %q, not %q", cam.ID, cam.SerialNumber, o.Spec.SerialNumber)
	}
	if cam.SiteID != refs.SiteID {
		return managed.Observation{}, managed.Terminal("camera %s is claimed into site %s, not %s; HoxtonAi cannot move a camera to another site", o.Spec.SerialNumber, cam.SiteID, refs.SiteID)
	}
	o.Status.ExternalID = cam.ID
	o.Status.AtProvider = cameraObservation(cam)
	diff := cameraDiff(o.Spec, cam)
	return managed.Observation{Exists: true, UpToDate: diff == "", Diff: diff, Observed: cam}, nil
}

func (a cameraAdapter) Create(ctx context.Context, c *hoxton.Client, o *v1alpha1.Camera, refs siteRefs) (managed.Created, error) {
	cam, err := c.ClaimCamera(ctx, hoxton.CameraClaim{SerialNumber: o.Spec.SerialNumber, SiteID: refs.SiteID, Name: o.Spec.Name})
	existed := false
	if apiErr := (*hoxton.APIError)(nil); errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusConflict {
		// Claimed already: ours (adopt it) or another organisation's (nothing to do).
		mine, ferr := c.FindCameraBySerial(ctx, o.Spec.SerialNumber)
		if hoxton.IsNotFound(ferr) {
			return managed.Created{}, managed.Terminal("serial %q is claimed by another organisation", o.Spec.SerialNumber)
		}
		if ferr != nil {
			return managed.Created{}, ferr
		}
		cam, err, existed = mine, nil, true
	}
	if hoxton.IsNotFound(err) {
		// The claim answers 404 when the site is not an active site of the organisation
		// (a wrong spec.siteID, or a site deleted in HoxtonAi). Retrying at once cannot
		// help, and an error would be retried in a tightening loop: wait for the poll,
		// or a change of the spec or of the referenced Site.
		return managed.Created{}, managed.Terminal("cannot claim serial %q into site %s: %v", o.Spec.SerialNumber, refs.SiteID, err)
	}
	if err != nil {
		return managed.Created{}, err
	}
	// The claim only takes serial, site and name; aliases and pause follow at once.
	created := managed.Created{ID: cam.ID, Existed: existed}
	if diff := cameraDiff(o.Spec, cam); diff != "" {
		o.Status.ExternalID = cam.ID
		if err := a.apply(ctx, c, o, cam); err != nil {
			return created, err
		}
	}
	return created, nil
}

func (a cameraAdapter) Update(ctx context.Context, c *hoxton.Client, o *v1alpha1.Camera, _ siteRefs, obs managed.Observation) error {
	return a.apply(ctx, c, o, obs.Observed.(*hoxton.Camera))
}

// apply makes the name, aliases and state of cam match the spec, with only the calls
// needed.
func (cameraAdapter) apply(ctx context.Context, c *hoxton.Client, o *v1alpha1.Camera, cam *hoxton.Camera) error {
	s := o.Spec
	if s.Name != cam.Name || s.Direction1Alias != cam.Direction1Alias || s.Direction2Alias != cam.Direction2Alias {
		if err := c.UpdateCamera(ctx, cam.ID, hoxton.CameraUpdate{Name: s.Name, Direction1Alias: s.Direction1Alias, Direction2Alias: s.Direction2Alias}); err != nil {
			return err
		}
	}
	if want := cameraState(s.Paused); want != cam.State {
		return c.SetCameraState(ctx, cam.ID, want)
	}
	return nil
}

// Delete pauses the camera: the API has no un-claim, and a paused camera stops video
// processing and notifications, the closest thing to gone.
func (cameraAdapter) Delete(ctx context.Context, c *hoxton.Client, o *v1alpha1.Camera) error {
	return c.SetCameraState(ctx, o.Status.ExternalID, hoxton.CameraPaused)
}

func cameraState(paused bool) hoxton.CameraState {
	if paused {
		return hoxton.CameraPaused
	}
	return hoxton.CameraRunning
}

// cameraDiff lists the writable fields that differ.
func cameraDiff(s v1alpha1.CameraSpec, cam *hoxton.Camera) string {
	var d differences
	d.compare("name", s.Name, cam.Name)
	d.compare("direction1Alias", s.Direction1Alias, cam.Direction1Alias)
	d.compare("direction2Alias", s.Direction2Alias, cam.Direction2Alias)
	d.compare("state", cameraState(s.Paused), cam.State)
	return d.String()
}

// cameraObservation copies the read-only fields HoxtonAi reports.
func cameraObservation(cam *hoxton.Camera) v1alpha1.CameraObservation {
	online := cam.IsOnline
	return v1alpha1.CameraObservation{
		SiteID:           cam.SiteID,
		CameraPositionID: cam.CameraPositionID,
		State:            string(cam.State),
		IsOnline:         &online,
		ClaimedAt:        timeOf(cam.ClaimedAt),
		LastSeenAt:       timeOf(cam.LastSeenAt),
		LastVideoAt:      timeOf(cam.LastVideoAt),
		VideoBacklog:     fmt.Sprintf("%g", cam.VideoBacklog),
	}
}
