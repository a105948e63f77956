package kinds

import (
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// peelOffMonitorKind declares PeelOffMonitor: upserted in its site, with one link set,
// its camera positions.
func peelOffMonitorKind() managed.Kind[*v1alpha1.PeelOffMonitor, managed.Observed[hoxton.PeelOffMonitor]] {
	positions := func(o *v1alpha1.PeelOffMonitor) v1alpha1.MonitorCameraPositions { return o.Spec.CameraPositions }
	k := managed.Kind[*v1alpha1.PeelOffMonitor, managed.Observed[hoxton.PeelOffMonitor]]{
		Name:    "PeelOffMonitor",
		New:     func() *v1alpha1.PeelOffMonitor { return &v1alpha1.PeelOffMonitor{} },
		NewList: func() client.ObjectList { return &v1alpha1.PeelOffMonitorList{} },
		IDs:     managed.DeterministicID,
		References: []managed.Reference[*v1alpha1.PeelOffMonitor]{
			siteParentReference(func(o *v1alpha1.PeelOffMonitor) *v1alpha1.SiteParent { return &o.Spec.SiteParent }),
			cameraPositionsReference(positions),
		},
		Adapter: managed.Upserted[*v1alpha1.PeelOffMonitor, hoxton.PeelOffMonitor]{
			Collection: hoxton.PeelOffMonitors,
			Body: func(o *v1alpha1.PeelOffMonitor, id string, refs managed.Refs) (hoxton.PeelOffMonitor, error) {
				s := o.Spec
				return hoxton.PeelOffMonitor{ID: id, SiteID: refs.ID("siteRef"), Name: s.Name,
					ReportingStartDate: dateOf(s.ReportingStartDate), ReportingEndDate: dateOf(s.ReportingEndDate), State: hoxton.StateActive}, nil
			},
			Fields: []managed.Field[hoxton.PeelOffMonitor]{
				managed.F("siteID", func(m hoxton.PeelOffMonitor) any { return m.SiteID }),
				managed.F("name", func(m hoxton.PeelOffMonitor) any { return m.Name }),
				managed.F("reportingStartDate", func(m hoxton.PeelOffMonitor) any { return valueOr(m.ReportingStartDate, "") }),
				managed.F("reportingEndDate", func(m hoxton.PeelOffMonitor) any { return valueOr(m.ReportingEndDate, "") }),
			},
			AtProvider: func(o *v1alpha1.PeelOffMonitor, have *hoxton.PeelOffMonitor, links map[string][]hoxton.Link) {
				o.Status.AtProvider = v1alpha1.MonitorObservation{SiteID: have.SiteID, State: string(have.State),
					CameraPositions: managed.ObservedLinks(links["cameraPositions"])}
			},
			Links: []managed.LinkSet[*v1alpha1.PeelOffMonitor]{cameraPositionLinks(hoxton.PeelOffMonitorCameraPositions, positions)},
		},
	}
	k.Export = managed.UpsertedExport(k.Adapter.(managed.Upserted[*v1alpha1.PeelOffMonitor, hoxton.PeelOffMonitor]),
		listInSite(hoxton.PeelOffMonitors), func(m hoxton.PeelOffMonitor) string { return m.ID },
		func(m hoxton.PeelOffMonitor) string { return m.Name },
		func(m hoxton.PeelOffMonitor, links map[string][]hoxton.Link, names managed.NameOf) *v1alpha1.PeelOffMonitor {
			ref, site := refOrID(names, "Site", m.SiteID)
			return &v1alpha1.PeelOffMonitor{Spec: v1alpha1.PeelOffMonitorSpec{
				SiteParent:      v1alpha1.SiteParent{SiteRef: ref, SiteID: site},
				ReportingWindow: v1alpha1.ReportingWindow{ReportingStartDate: dateString(m.ReportingStartDate), ReportingEndDate: dateString(m.ReportingEndDate)},
				Name:            m.Name, CameraPositions: positionsOf(names, links["cameraPositions"]),
			}}
		})
	return k
}
