package controller

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// siteKind describes Site to the generic reconciler: upserted with a deterministic id.
func siteKind() managed.Kind[*v1alpha1.Site, managed.NoRefs] {
	return managed.Kind[*v1alpha1.Site, managed.NoRefs]{
		Name:    "Site",
		New:     func() *v1alpha1.Site { return &v1alpha1.Site{} },
		NewList: func() client.ObjectList { return &v1alpha1.SiteList{} },
		Adapter: siteAdapter{},
		IDs:     managed.DeterministicID,
	}
}

// siteAdapter connects Site to PUT /sites, GET and DELETE /sites/{id}.
type siteAdapter struct{}

func (siteAdapter) Resolve(context.Context, client.Reader, *v1alpha1.Site) (managed.NoRefs, error) {
	return managed.NoRefs{}, nil
}

func (siteAdapter) Observe(ctx context.Context, c *hoxton.Client, o *v1alpha1.Site, _ managed.NoRefs) (managed.Observation, error) {
	got, err := c.GetSite(ctx, o.Status.ExternalID)
	if absent(err) {
		return managed.Observation{}, nil
	}
	if err != nil {
		return managed.Observation{}, err
	}
	o.Status.AtProvider = v1alpha1.SiteObservation{State: string(got.State)}
	want, err := siteToAPI(o)
	if err != nil {
		return managed.Observation{}, err
	}
	diff := siteDiff(want, *got)
	return managed.Observation{Exists: true, UpToDate: diff == "", Diff: diff}, nil
}

func (siteAdapter) Create(ctx context.Context, c *hoxton.Client, o *v1alpha1.Site, _ managed.NoRefs) (managed.Created, error) {
	res, err := putSite(ctx, c, o)
	return managed.Created{ID: o.Status.ExternalID, Existed: !res.Created}, err
}

func (siteAdapter) Update(ctx context.Context, c *hoxton.Client, o *v1alpha1.Site, _ managed.NoRefs, _ managed.Observation) error {
	_, err := putSite(ctx, c, o)
	return err
}

// putSite upserts the full site: the PUT replaces every writable field.
func putSite(ctx context.Context, c *hoxton.Client, o *v1alpha1.Site) (hoxton.PutResult, error) {
	want, err := siteToAPI(o)
	if err != nil {
		return hoxton.PutResult{}, err
	}
	return c.PutSite(ctx, want)
}

func (siteAdapter) Delete(ctx context.Context, c *hoxton.Client, o *v1alpha1.Site) error {
	return c.DeleteSite(ctx, o.Status.ExternalID)
}

// siteToAPI maps the spec to the full site PUT body.
func siteToAPI(o *v1alpha1.Site) (hoxton.Site, error) {
	hours, err := objectOf(o.Spec.OpeningHours)
	if err != nil {
		return hoxton.Site{}, managed.Terminal("spec.openingHours: %v", err)
	}
	return hoxton.Site{
		ID:          o.Status.ExternalID,
		Name:        o.Spec.Name,
		Address:     o.Spec.Address,
		TZ:          o.Spec.TimeZone,
		OpeningHour: hours,
		State:       hoxton.StateActive,
	}, nil
}

// siteDiff lists the fields the operator manages that differ.
func siteDiff(want, have hoxton.Site) string {
	var d differences
	d.compare("name", want.Name, have.Name)
	d.compare("address", want.Address, have.Address)
	d.compare("timeZone", want.TZ, have.TZ)
	d.compare("openingHours", emptyNil(want.OpeningHour), emptyNil(have.OpeningHour))
	return d.String()
}
