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
var occupancyMonitorKind = managed.Upserted[*v1alpha1.OccupancyMonitor, hoxton.OccupancyMonitor]{
	Name:    "OccupancyMonitor",
	New:     func() *v1alpha1.OccupancyMonitor { return &v1alpha1.OccupancyMonitor{} },
	NewList: func() client.ObjectList { return &v1alpha1.OccupancyMonitorList{} },
	References: monitorReferences(occupancyPositions,
		func(o *v1alpha1.OccupancyMonitor) *v1alpha1.SiteParent { return &o.Spec.SiteParent }),
	Collection: hoxton.OccupancyMonitors,
	Body: func(o *v1alpha1.OccupancyMonitor, id string, refs managed.Refs) (hoxton.OccupancyMonitor, error) {
		s := o.Spec
		return hoxton.OccupancyMonitor{
			ID: id, SiteID: refs.ID(siteRef), Name: s.Name, DailyResetMin: intOf(s.DailyResetMin),
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
	AtProvider: func(o *v1alpha1.OccupancyMonitor, have *hoxton.OccupancyMonitor, links managed.Links) {
		o.Status.AtProvider = v1alpha1.MonitorObservation{SiteID: have.SiteID, State: string(have.State),
			CameraPositions: managed.ObservedLinks(links[cameraPositions])}
	},
	Links: []managed.LinkSet[*v1alpha1.OccupancyMonitor]{cameraPositionLinks(hoxton.OccupancyMonitorCameraPositions, occupancyPositions)},
	List:  listInSite(hoxton.OccupancyMonitors),
	ID:    func(m hoxton.OccupancyMonitor) string { return m.ID },
	Label: func(m hoxton.OccupancyMonitor) string { return m.Name },
	Manifest: func(m hoxton.OccupancyMonitor, links managed.Links, names managed.NameOf) *v1alpha1.OccupancyMonitor {
		return &v1alpha1.OccupancyMonitor{Spec: v1alpha1.OccupancyMonitorSpec{SiteParent: siteParentOf(names, m.SiteID),
			ReportingWindow: reportingWindowOf(m.ReportingStartDate, m.ReportingEndDate),
			Name:            m.Name, DailyResetMin: int32Of(m.DailyResetMin), CameraPositions: positionsOf(names, links[cameraPositions]),
		}}
	},
}

func occupancyPositions(o *v1alpha1.OccupancyMonitor) v1alpha1.MonitorCameraPositions {
	return o.Spec.CameraPositions
}
