package kinds

import (
	"context"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// cameraExport maps the organisation's cameras (those of the site exported) to
// manifests; references to a camera are to its camera position.
func cameraExport() *managed.Export[*v1alpha1.Camera] {
	return &managed.Export[*v1alpha1.Camera]{List: func(ctx context.Context, c *hoxton.Client, opts managed.ListOptions) ([]managed.Listed[*v1alpha1.Camera], error) {
		cams, err := c.ListCameras(ctx, opts.Site)
		if err != nil {
			return nil, err
		}
		out := make([]managed.Listed[*v1alpha1.Camera], 0, len(cams))
		for _, cam := range cams {
			label := cam.Name
			if label == "" {
				label = cam.SerialNumber
			}
			out = append(out, managed.Listed[*v1alpha1.Camera]{ID: cam.ID, Label: label, Value: cam.CameraPositionID,
				Object: func(names managed.NameOf) *v1alpha1.Camera {
					ref, site := refOrID(names, "Site", cam.SiteID)
					return &v1alpha1.Camera{Spec: v1alpha1.CameraSpec{SerialNumber: cam.SerialNumber, SiteRef: ref, SiteID: site,
						Name: cam.Name, Direction1Alias: cam.Direction1Alias, Direction2Alias: cam.Direction2Alias, Paused: cam.State == hoxton.CameraPaused}}
				}})
		}
		return out, nil
	}}
}

// DescribeCreate says what the claim and the writes that follow it set, for plans.
func (cameraAdapter) DescribeCreate(o *v1alpha1.Camera, refs managed.Refs) (managed.Diff, error) {
	set := cameraDiff(o.Spec, &hoxton.Camera{})
	return append(managed.Diff{{Field: "serialNumber", Want: o.Spec.SerialNumber}, {Field: "siteID", Want: refs.ID(siteRef)}}, set...), nil
}
