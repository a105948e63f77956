package kinds

import (
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// peelOffMonitorKind declares PeelOffMonitor: upserted in its site, with one link set,
// its camera positions.
var peelOffMonitorKind = managed.Upserted[*v1alpha1.PeelOffMonitor, hoxton.PeelOffMonitor]{
	Name:       "PeelOffMonitor",
	New:        func() *v1alpha1.PeelOffMonitor { return &v1alpha1.PeelOffMonitor{} },
	NewList:    func() client.ObjectList { return &v1alpha1.PeelOffMonitorList{} },
	References: monitorReferences(peelOffPositions, func(o *v1alpha1.PeelOffMonitor) *v1alpha1.SiteParent { return &o.Spec.SiteParent }),
	Collection: hoxton.PeelOffMonitors,
	Body: func(o *v1alpha1.PeelOffMonitor, id string, refs managed.Refs) (hoxton.PeelOffMonitor, error) {
		s := o.Spec
		return hoxton.PeelOffMonitor{ID: id, SiteID: refs.ID(siteRef), Name: s.Name,
			ReportingStartDate: dateOf(s.ReportingStartDate), ReportingEndDate: dateOf(s.ReportingEndDate), State: hoxton.StateActive}, nil
	},
	Fields: []managed.Field[hoxton.PeelOffMonitor]{
		managed.F("siteID", func(m hoxton.PeelOffMonitor) any { return m.SiteID }),
		managed.F("name", func(m hoxton.PeelOffMonitor) any { return m.Name }),
		managed.F("reportingStartDate", func(m hoxton.PeelOffMonitor) any { return valueOr(m.ReportingStartDate, "") }),
		managed.F("reportingEndDate", func(m hoxton.PeelOffMonitor) any { return valueOr(m.ReportingEndDate, "") }),
	},
	AtProvider: func(o *v1alpha1.PeelOffMonitor, have *hoxton.PeelOffMonitor, links managed.Links) {
		o.Status.AtProvider = v1alpha1.MonitorObservation{SiteID: have.SiteID, State: string(have.State),
			CameraPositions: managed.ObservedLinks(links[cameraPositions])}
	},
	Links: []managed.LinkSet[*v1alpha1.PeelOffMonitor]{cameraPositionLinks(hoxton.PeelOffMonitorCameraPositions, peelOffPositions)},
	List:  listInSite(hoxton.PeelOffMonitors),
	ID:    func(m hoxton.PeelOffMonitor) string { return m.ID },
	Label: func(m hoxton.PeelOffMonitor) string { return m.Name },
	Manifest: func(m hoxton.PeelOffMonitor, links managed.Links, names managed.NameOf) *v1alpha1.PeelOffMonitor {
		return &v1alpha1.PeelOffMonitor{Spec: v1alpha1.PeelOffMonitorSpec{SiteParent: siteParentOf(names, m.SiteID),
			ReportingWindow: reportingWindowOf(m.ReportingStartDate, m.ReportingEndDate),
			Name:            m.Name, CameraPositions: positionsOf(names, links[cameraPositions]),
		}}
	},
}

func peelOffPositions(o *v1alpha1.PeelOffMonitor) v1alpha1.MonitorCameraPositions {
	return o.Spec.CameraPositions
}
