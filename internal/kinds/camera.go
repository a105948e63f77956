package kinds

import (
	"context"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// cameraKind describes Camera to the generic reconciler. Cameras are claimed by serial
// (POST, server-chosen id) rather than upserted, so the adapter is hand-written: a
// claim answered 409 is matched to the organisation's own camera (CreateFinds), so a
// crash after the claim leaves no duplicate.
func cameraKind() managed.Kind[*v1alpha1.Camera, hoxton.Camera] {
	return managed.Kind[*v1alpha1.Camera, hoxton.Camera]{
		Name:    "Camera",
		New:     func() *v1alpha1.Camera { return &v1alpha1.Camera{} },
		NewList: func() client.ObjectList { return &v1alpha1.CameraList{} },
		Adapter: cameraAdapter{},
		IDs:     managed.ServerAssignedID,
		References: []managed.Reference[*v1alpha1.Camera]{
			siteReference(func(o *v1alpha1.Camera) (*v1alpha1.LocalReference, string) { return o.Spec.SiteRef, o.Spec.SiteID })},
		CreateFinds:  true,
		DeletionNote: "; HoxtonAi cannot un-claim a camera, so it was paused and stays claimed by the organisation",
		Export:       cameraExport(),
	}
}

// cameraAdapter connects Camera to the camera endpoints.
type cameraAdapter struct{}

// Observe reads the camera this object claimed, or before it has recorded one, the
// organisation's camera with its serial (the reconciler asks only when it will not
// claim: a claim finds that camera itself, CreateFinds).
func (cameraAdapter) Observe(ctx context.Context, c *hoxton.Client, o *v1alpha1.Camera, refs managed.Refs) (managed.Observation[hoxton.Camera], error) {
	var cam *hoxton.Camera
	var err error
	if id := o.Status.ExternalID; id != "" {
		cam, err = c.GetCamera(ctx, id)
	} else {
		cam, err = c.FindCameraBySerial(ctx, o.Spec.SerialNumber)
	}
	if err != nil {
		return managed.Observation[hoxton.Camera]{}, hoxton.IgnoreGone(err)
	}
	return observeCamera(o, refs, cam)
}

// Compare is Observe without a read: it compares the spec with the camera as last read
// or written (the claim's answer with the writes that followed it accepted), so that
// the reconcile a status write starts does not read a camera just claimed.
func (cameraAdapter) Compare(o *v1alpha1.Camera, refs managed.Refs, seen hoxton.Camera) (managed.Observation[hoxton.Camera], error) {
	return observeCamera(o, refs, &seen)
}

// observeCamera checks that cam is the camera o claims, in o's site, and says what
// differs from the spec.
func observeCamera(o *v1alpha1.Camera, refs managed.Refs, cam *hoxton.Camera) (managed.Observation[hoxton.Camera], error) {
	var err error
	switch site := refs.ID(siteRef); {
	case cam.SerialNumber != o.Spec.SerialNumber:
		err = managed.Terminal("HoxtonAi camera %s has serial %q, not %q", cam.ID, cam.SerialNumber, o.Spec.SerialNumber)
	case cam.SiteID != site:
		err = managed.Terminal("camera %s is claimed into site %s, not %s; HoxtonAi cannot move a camera to another site", o.Spec.SerialNumber, cam.SiteID, site)
	}
	if err != nil {
		return managed.Observation[hoxton.Camera]{}, err
	}
	o.Status.AtProvider = cameraObservation(cam)
	return managed.Observation[hoxton.Camera]{Exists: true, FoundID: cam.ID, Observed: *cam, Diff: cameraDiff(o.Spec, cam)}, nil
}

func (a cameraAdapter) Create(ctx context.Context, c *hoxton.Client, o *v1alpha1.Camera, refs managed.Refs) (managed.Created, *hoxton.Camera, error) {
	site := refs.ID(siteRef)
	cam, err := c.ClaimCamera(ctx, hoxton.CameraClaim{SerialNumber: o.Spec.SerialNumber, SiteID: site, Name: o.Spec.Name})
	if hoxton.IsConflict(err) {
		// Claimed already: the organisation's own camera, which Observe finds by its
		// serial, or another organisation's.
		return managed.Created{Found: true}, nil, nil
	}
	if hoxton.IsNotFound(err) {
		// The claim answers 404 when the site is not an active site of the organisation
		// (a wrong spec.siteID, or a site deleted in HoxtonAi). Retrying at once cannot
		// help, and an error would be retried in a tightening loop: wait for the poll,
		// or a change of the spec or of the referenced Site.
		return managed.Created{}, nil, managed.Terminal("cannot claim serial %q into site %s: %v", o.Spec.SerialNumber, site, err)
	}
	if err != nil {
		return managed.Created{}, nil, err
	}
	// The claim only takes serial, site and name; aliases and pause follow at once.
	after, err := a.apply(ctx, c, o, *cam)
	if err != nil {
		return managed.Created{ID: cam.ID}, nil, err
	}
	return managed.Created{ID: cam.ID}, &after, nil
}

func (a cameraAdapter) Update(ctx context.Context, c *hoxton.Client, o *v1alpha1.Camera, _ managed.Refs, obs managed.Observation[hoxton.Camera]) (*hoxton.Camera, error) {
	after, err := a.apply(ctx, c, o, obs.Observed)
	if err != nil {
		return nil, err
	}
	return &after, nil
}

// apply makes the name, aliases and state of cam match the spec, with only the calls
// needed, and returns the camera as HoxtonAi holds it after the writes it accepted,
// reported in o's status as Observe would.
func (cameraAdapter) apply(ctx context.Context, c *hoxton.Client, o *v1alpha1.Camera, cam hoxton.Camera) (hoxton.Camera, error) {
	defer func() { o.Status.AtProvider = cameraObservation(&cam) }()
	s := o.Spec
	if s.Name != cam.Name || s.Direction1Alias != cam.Direction1Alias || s.Direction2Alias != cam.Direction2Alias {
		if err := c.UpdateCamera(ctx, cam.ID, hoxton.CameraUpdate{Name: s.Name, Direction1Alias: s.Direction1Alias, Direction2Alias: s.Direction2Alias}); err != nil {
			return cam, err
		}
		cam.Name, cam.Direction1Alias, cam.Direction2Alias = s.Name, s.Direction1Alias, s.Direction2Alias
	}
	if want := cameraState(s.Paused); want != cam.State {
		if err := c.SetCameraState(ctx, cam.ID, want); err != nil {
			return cam, err
		}
		cam.State = want
	}
	return cam, nil
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
func cameraDiff(s v1alpha1.CameraSpec, cam *hoxton.Camera) managed.Diff {
	want := hoxton.Camera{Name: s.Name, Direction1Alias: s.Direction1Alias, Direction2Alias: s.Direction2Alias, State: cameraState(s.Paused)}
	return managed.CompareFields(cameraFields, want, *cam)
}

var cameraFields = []managed.Field[hoxton.Camera]{
	managed.F("name", func(c hoxton.Camera) any { return c.Name }),
	managed.F("direction1Alias", func(c hoxton.Camera) any { return c.Direction1Alias }),
	managed.F("direction2Alias", func(c hoxton.Camera) any { return c.Direction2Alias }),
	managed.F("state", func(c hoxton.Camera) any { return c.State }),
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
