package controller

import (
	"context"

	"github.com/google/uuid"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/reference"
)

// peopleCountMonitorKind describes PeopleCountMonitor to the generic reconciler: an
// upserted monitor plus its camera-position links, reconciled as one object.
func peopleCountMonitorKind(space uuid.UUID) managed.Kind[*v1alpha1.PeopleCountMonitor, monitorRefs] {
	return managed.Kind[*v1alpha1.PeopleCountMonitor, monitorRefs]{
		Name:    "PeopleCountMonitor",
		New:     func() *v1alpha1.PeopleCountMonitor { return &v1alpha1.PeopleCountMonitor{} },
		NewList: func() client.ObjectList { return &v1alpha1.PeopleCountMonitorList{} },
		Adapter: peopleCountMonitorAdapter{space: space, links: peopleCountMonitorLinks},
		IDs:     managed.DeterministicID,
		References: []managed.Reference[*v1alpha1.PeopleCountMonitor]{
			siteReference(func(o *v1alpha1.PeopleCountMonitor) *v1alpha1.LocalReference { return o.Spec.SiteRef }),
			cameraReference(func(o *v1alpha1.PeopleCountMonitor) []v1alpha1.MonitorCameraPosition { return o.Spec.CameraPositions }),
		},
	}
}

// monitorRefs is what a monitor's references resolve to.
type monitorRefs struct {
	SiteID string
	Links  []link // desired links, without ids
}

// resolveMonitor resolves a monitor's site and camera positions together, so that the
// condition names every reference that is not ready.
func resolveMonitor(ctx context.Context, r client.Reader, namespace string, siteRef *v1alpha1.LocalReference, siteID string, positions []v1alpha1.MonitorCameraPosition) (monitorRefs, error) {
	var errs reference.Collector
	site, err := resolveSite(ctx, r, namespace, siteRef, siteID)
	errs.Add(err)
	refs := monitorRefs{SiteID: site.SiteID}
	for _, p := range positions {
		id := p.CameraPositionID
		if p.CameraRef != nil {
			id, err = reference.Resolve(ctx, r, namespace, p.CameraRef.Name, "Camera", &v1alpha1.Camera{},
				func(c *v1alpha1.Camera) string { return c.Status.AtProvider.CameraPositionID })
			errs.Add(err)
		}
		refs.Links = append(refs.Links, link{
			CameraPositionID: id,
			Direction1Maps:   directionOf(p.Direction1Maps, hoxton.MonitorDirection1),
			Direction2Maps:   directionOf(p.Direction2Maps, hoxton.MonitorDirection2),
		})
	}
	return refs, errs.Err()
}

// cameraReference declares a monitor's camera references to the generic reconciler.
func cameraReference[O managed.Object](positions func(O) []v1alpha1.MonitorCameraPosition) managed.Reference[O] {
	return managed.Reference[O]{
		Kind:   "Camera",
		Target: &v1alpha1.Camera{},
		Names: func(o O) []string {
			var names []string
			for _, p := range positions(o) {
				if p.CameraRef != nil {
					names = append(names, p.CameraRef.Name)
				}
			}
			return names
		},
		Value: func(obj client.Object) string { return obj.(*v1alpha1.Camera).Status.AtProvider.CameraPositionID },
	}
}

// peopleCountMonitorAdapter connects PeopleCountMonitor to /people-count-monitors and
// /people-count-monitor-camera-positions.
type peopleCountMonitorAdapter struct {
	space uuid.UUID
	links linkAPI
}

func (peopleCountMonitorAdapter) Resolve(ctx context.Context, r client.Reader, o *v1alpha1.PeopleCountMonitor) (monitorRefs, error) {
	return resolveMonitor(ctx, r, o.Namespace, o.Spec.SiteRef, o.Spec.SiteID, o.Spec.CameraPositions)
}

func (a peopleCountMonitorAdapter) Observe(ctx context.Context, c *hoxton.Client, o *v1alpha1.PeopleCountMonitor, refs monitorRefs) (managed.Observation, error) {
	got, err := c.GetPeopleCountMonitor(ctx, o.Status.ExternalID)
	if absent(err) {
		return managed.Observation{}, nil
	}
	if err != nil {
		return managed.Observation{}, err
	}
	links, err := a.links.list(ctx, c, got.ID)
	if err != nil {
		return managed.Observation{}, err
	}
	o.Status.AtProvider = v1alpha1.PeopleCountMonitorObservation{SiteID: got.SiteID, State: string(got.State), CameraPositions: linkStatus(links)}
	seen := observedMonitor{monitorDiff: peopleCountMonitorDiff(peopleCountMonitorToAPI(o, refs), *got), links: links}
	diff := joinDiffs(seen.monitorDiff, linkDiff(refs.Links, links))
	return managed.Observation{Exists: true, UpToDate: diff == "", Diff: diff, Observed: seen}, nil
}

// Create upserts the monitor, then its links, which need the monitor to exist. The
// links are listed first: a monitor found again by its derived id (a cluster rebuilt
// from the same Git) may have links already.
func (a peopleCountMonitorAdapter) Create(ctx context.Context, c *hoxton.Client, o *v1alpha1.PeopleCountMonitor, refs monitorRefs) (managed.Created, error) {
	res, err := c.PutPeopleCountMonitor(ctx, peopleCountMonitorToAPI(o, refs))
	if err != nil {
		return managed.Created{}, err
	}
	created := managed.Created{ID: o.Status.ExternalID, Existed: !res.Created}
	have, err := a.links.list(ctx, c, o.Status.ExternalID)
	if err != nil {
		return created, err
	}
	return created, a.links.syncLinks(ctx, c, a.space, o.Status.ExternalID, refs.Links, have)
}

// Update writes only what Observe found different: the monitor, its links, or both.
func (a peopleCountMonitorAdapter) Update(ctx context.Context, c *hoxton.Client, o *v1alpha1.PeopleCountMonitor, refs monitorRefs, obs managed.Observation) error {
	seen := obs.Observed.(observedMonitor)
	if seen.monitorDiff != "" {
		if _, err := c.PutPeopleCountMonitor(ctx, peopleCountMonitorToAPI(o, refs)); err != nil {
			return err
		}
	}
	return a.links.syncLinks(ctx, c, a.space, o.Status.ExternalID, refs.Links, seen.links)
}

// observedMonitor is what Observe read of a monitor, for Update.
type observedMonitor struct {
	monitorDiff string
	links       []link
}

func (peopleCountMonitorAdapter) Delete(ctx context.Context, c *hoxton.Client, o *v1alpha1.PeopleCountMonitor) error {
	return c.DeletePeopleCountMonitor(ctx, o.Status.ExternalID)
}

// peopleCountMonitorToAPI maps the spec to the full monitor PUT body.
func peopleCountMonitorToAPI(o *v1alpha1.PeopleCountMonitor, refs monitorRefs) hoxton.PeopleCountMonitor {
	s := o.Spec
	return hoxton.PeopleCountMonitor{
		ID:                 o.Status.ExternalID,
		SiteID:             refs.SiteID,
		Name:               s.Name,
		Direction1Alias:    s.Direction1Alias,
		Direction2Alias:    s.Direction2Alias,
		DailyResetMin:      intOf(s.DailyResetMin),
		ReportingStartDate: dateOf(s.ReportingStartDate),
		ReportingEndDate:   dateOf(s.ReportingEndDate),
		State:              hoxton.StateActive,
	}
}

// peopleCountMonitorDiff lists the monitor fields that differ. An absent dailyResetMin
// is the service default, 0.
func peopleCountMonitorDiff(want, have hoxton.PeopleCountMonitor) string {
	var d differences
	d.compare("siteID", want.SiteID, have.SiteID)
	d.compare("name", want.Name, have.Name)
	d.compare("direction1Alias", want.Direction1Alias, have.Direction1Alias)
	d.compare("direction2Alias", want.Direction2Alias, have.Direction2Alias)
	d.compare("dailyResetMin", valueOr(want.DailyResetMin, 0), valueOr(have.DailyResetMin, 0))
	d.compare("reportingStartDate", valueOr(want.ReportingStartDate, ""), valueOr(have.ReportingStartDate, ""))
	d.compare("reportingEndDate", valueOr(want.ReportingEndDate, ""), valueOr(have.ReportingEndDate, ""))
	return d.String()
}

// peopleCountMonitorLinks is the link API of people count monitors.
var peopleCountMonitorLinks = linkAPI{
	kind: "PeopleCountMonitorCameraPosition",
	list: func(ctx context.Context, c *hoxton.Client, ownerID string) ([]link, error) {
		got, err := c.ListPeopleCountMonitorCameraPositions(ctx, ownerID)
		links := make([]link, 0, len(got))
		for _, l := range got {
			links = append(links, link{ID: l.ID, CameraPositionID: l.CameraPositionID, Direction1Maps: l.Direction1Maps, Direction2Maps: l.Direction2Maps})
		}
		return links, err
	},
	put: func(ctx context.Context, c *hoxton.Client, ownerID string, l link) error {
		_, err := c.PutPeopleCountMonitorCameraPosition(ctx, hoxton.PeopleCountMonitorCameraPosition{
			ID: l.ID, PeopleCountMonitorID: ownerID, CameraPositionID: l.CameraPositionID,
			Direction1Maps: l.Direction1Maps, Direction2Maps: l.Direction2Maps, State: hoxton.StateActive,
		})
		return err
	},
	del: func(ctx context.Context, c *hoxton.Client, id string) error {
		return c.DeletePeopleCountMonitorCameraPosition(ctx, id)
	},
}
