package kinds

import (
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// peopleCountMonitorKind declares PeopleCountMonitor: upserted in its site, with one
// link set, its camera positions.
var peopleCountMonitorKind = managed.Upserted[*v1alpha1.PeopleCountMonitor, hoxton.PeopleCountMonitor]{
	Name:    "PeopleCountMonitor",
	New:     func() *v1alpha1.PeopleCountMonitor { return &v1alpha1.PeopleCountMonitor{} },
	NewList: func() client.ObjectList { return &v1alpha1.PeopleCountMonitorList{} },
	References: monitorReferences(peopleCountPositions,
		func(o *v1alpha1.PeopleCountMonitor) *v1alpha1.SiteParent { return &o.Spec.SiteParent }),
	Collection: hoxton.PeopleCountMonitors,
	Body: func(o *v1alpha1.PeopleCountMonitor, id string, refs managed.Refs) (hoxton.PeopleCountMonitor, error) {
		s := o.Spec
		return hoxton.PeopleCountMonitor{
			ID: id, SiteID: refs.ID(siteRef), Name: s.Name,
			Direction1Alias: s.Direction1Alias, Direction2Alias: s.Direction2Alias, DailyResetMin: intOf(s.DailyResetMin),
			ReportingStartDate: dateOf(s.ReportingStartDate), ReportingEndDate: dateOf(s.ReportingEndDate), State: hoxton.StateActive,
		}, nil
	},
	// An absent dailyResetMin is the service default, 0.
	Fields: []managed.Field[hoxton.PeopleCountMonitor]{
		managed.F("siteID", func(m hoxton.PeopleCountMonitor) any { return m.SiteID }),
		managed.F("name", func(m hoxton.PeopleCountMonitor) any { return m.Name }),
		managed.F("direction1Alias", func(m hoxton.PeopleCountMonitor) any { return m.Direction1Alias }),
		managed.F("direction2Alias", func(m hoxton.PeopleCountMonitor) any { return m.Direction2Alias }),
		managed.F("dailyResetMin", func(m hoxton.PeopleCountMonitor) any { return valueOr(m.DailyResetMin, 0) }),
		managed.F("reportingStartDate", func(m hoxton.PeopleCountMonitor) any { return valueOr(m.ReportingStartDate, "") }),
		managed.F("reportingEndDate", func(m hoxton.PeopleCountMonitor) any { return valueOr(m.ReportingEndDate, "") }),
	},
	AtProvider: func(o *v1alpha1.PeopleCountMonitor, have *hoxton.PeopleCountMonitor, links managed.Links) {
		o.Status.AtProvider = v1alpha1.PeopleCountMonitorObservation{SiteID: have.SiteID, State: string(have.State),
			CameraPositions: managed.ObservedLinks(links[cameraPositions])}
	},
	Links: []managed.LinkSet[*v1alpha1.PeopleCountMonitor]{cameraPositionLinks(hoxton.PeopleCountMonitorCameraPositions, peopleCountPositions)},
	List:  listInSite(hoxton.PeopleCountMonitors),
	ID:    func(m hoxton.PeopleCountMonitor) string { return m.ID },
	Label: func(m hoxton.PeopleCountMonitor) string { return m.Name },
	Manifest: func(m hoxton.PeopleCountMonitor, links managed.Links, names managed.NameOf) *v1alpha1.PeopleCountMonitor {
		return &v1alpha1.PeopleCountMonitor{Spec: v1alpha1.PeopleCountMonitorSpec{SiteParent: siteParentOf(names, m.SiteID),
			ReportingWindow: reportingWindowOf(m.ReportingStartDate, m.ReportingEndDate),
			Name:            m.Name, Direction1Alias: m.Direction1Alias, Direction2Alias: m.Direction2Alias, DailyResetMin: int32Of(m.DailyResetMin),
			CameraPositions: positionsOf(names, links[cameraPositions]),
		}}
	},
}

func peopleCountPositions(o *v1alpha1.PeopleCountMonitor) v1alpha1.MonitorCameraPositions {
	return o.Spec.CameraPositions
}
