package kinds

import (
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// occupancyMonitorKind declares OccupancyMonitor: upserted in its site, with one link
// set, its camera positions. Every occupancy monitor operation is inferred by analogy
// with the other monitors (x-inferred in openapi.yaml).
func occupancyMonitorKind() managed.Kind[*v1alpha1.OccupancyMonitor, managed.Observed[hoxton.OccupancyMonitor]] {
	positions := func(o *v1alpha1.OccupancyMonitor) v1alpha1.MonitorCameraPositions { return o.Spec.CameraPositions }
	k := managed.Kind[*v1alpha1.OccupancyMonitor, managed.Observed[hoxton.OccupancyMonitor]]{
		Name:    "OccupancyMonitor",
		New:     func() *v1alpha1.OccupancyMonitor { return &v1alpha1.OccupancyMonitor{} },
		NewList: func() client.ObjectList { return &v1alpha1.OccupancyMonitorList{} },
		IDs:     managed.DeterministicID,
		References: []managed.Reference[*v1alpha1.OccupancyMonitor]{
			siteParentReference(func(o *v1alpha1.OccupancyMonitor) *v1alpha1.SiteParent { return &o.Spec.SiteParent }),
			cameraPositionsReference(positions),
		},
		Adapter: managed.Upserted[*v1alpha1.OccupancyMonitor, hoxton.OccupancyMonitor]{
			Collection: hoxton.OccupancyMonitors,
			Body: func(o *v1alpha1.OccupancyMonitor, id string, refs managed.Refs) (hoxton.OccupancyMonitor, error) {
				s := o.Spec
				return hoxton.OccupancyMonitor{
					ID: id, SiteID: refs.ID("siteRef"), Name: s.Name, DailyResetMin: intOf(s.DailyResetMin),
					ReportingStartDate: dateOf(s.ReportingStartDate), ReportingEndDate: dateOf(s.ReportingEndDate), State: hoxton.StateActive,
				}, nil
			},
			Fields: []managed.Field[hoxton.OccupancyMonitor]{
				managed.F("siteID", func(m hoxton.OccupancyMonitor) any { return m.SiteID }),
				managed.F("name", func(m hoxton.OccupancyMonitor) any { return m.Name }),
				managed.F("dailyResetMin", func(m hoxton.OccupancyMonitor) any { return valueOr(m.DailyResetMin, 0) }),
				managed.F("reportingStartDate", func(m hoxton.OccupancyMonitor) any { return valueOr(m.ReportingStartDate, "") }),
				managed.F("reportingEndDate", func(m hoxton.OccupancyMonitor) any { return valueOr(m.ReportingEndDate, "") }),
			},
			AtProvider: func(o *v1alpha1.OccupancyMonitor, have *hoxton.OccupancyMonitor, links map[string][]hoxton.Link) {
				o.Status.AtProvider = v1alpha1.MonitorObservation{SiteID: have.SiteID, State: string(have.State),
					CameraPositions: managed.ObservedLinks(links["cameraPositions"])}
			},
			Links: []managed.LinkSet[*v1alpha1.OccupancyMonitor]{cameraPositionLinks(hoxton.OccupancyMonitorCameraPositions, positions)},
		},
	}
	k.Export = managed.UpsertedExport(k.Adapter.(managed.Upserted[*v1alpha1.OccupancyMonitor, hoxton.OccupancyMonitor]),
		listInSite(hoxton.OccupancyMonitors), func(m hoxton.OccupancyMonitor) string { return m.ID },
		func(m hoxton.OccupancyMonitor) string { return m.Name },
		func(m hoxton.OccupancyMonitor, links map[string][]hoxton.Link, names managed.NameOf) *v1alpha1.OccupancyMonitor {
			ref, site := refOrID(names, "Site", m.SiteID)
			return &v1alpha1.OccupancyMonitor{Spec: v1alpha1.OccupancyMonitorSpec{
				SiteParent:      v1alpha1.SiteParent{SiteRef: ref, SiteID: site},
				ReportingWindow: v1alpha1.ReportingWindow{ReportingStartDate: dateString(m.ReportingStartDate), ReportingEndDate: dateString(m.ReportingEndDate)},
				Name:            m.Name, DailyResetMin: int32Of(m.DailyResetMin),
				CameraPositions: positionsOf(names, links["cameraPositions"]),
			}}
		})
	return k
}
