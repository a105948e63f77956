package kinds

import (
	"maps"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// The reference fields of an alert; siteRef is shared.
var (
	alertMonitorRef        = managed.NewRefField("peopleCountMonitorRef")
	alertGroups            = managed.NewRefField("notificationGroups")
	alertCameras           = managed.NewRefField("cameras")
	alertOccupancyMonitors = managed.NewRefField("occupancyMonitors")
)

// alertKind declares Alert: upserted, optionally in a site, with three link sets (the
// groups it notifies, the camera positions and the occupancy monitors it watches).
var alertKind = managed.Upserted[*v1alpha1.Alert, hoxton.Alert]{
	Name:    "Alert",
	New:     func() *v1alpha1.Alert { return &v1alpha1.Alert{} },
	NewList: func() client.ObjectList { return &v1alpha1.AlertList{} },
	// The monitors and cameras of an alert scoped to a site must be of that site.
	References: []managed.Reference[*v1alpha1.Alert]{
		siteReference(func(o *v1alpha1.Alert) (*v1alpha1.LocalReference, string) { return o.Spec.SiteRef, o.Spec.SiteID }),
		{Field: alertMonitorRef, Target: peopleCountMonitorTarget, SameSiteAs: siteRef,
			Entries: func(o *v1alpha1.Alert) []managed.Entry {
				return managed.One(o.Spec.PeopleCountMonitorRef, o.Spec.PeopleCountMonitorID)
			}},
		{Field: alertGroups, Target: notificationGroupTarget, LinksOnly: true,
			Entries: func(o *v1alpha1.Alert) []managed.Entry {
				return idList(o.Spec.NotificationGroupRefs, o.Spec.NotificationGroupIDs)
			}},
		{Field: alertCameras, Target: cameraPositionTarget, LinksOnly: true, SameSiteAs: siteRef,
			Entries: func(o *v1alpha1.Alert) []managed.Entry { return idList(o.Spec.CameraRefs, o.Spec.CameraPositionIDs) }},
		{Field: alertOccupancyMonitors, Target: occupancyMonitorTarget, LinksOnly: true, SameSiteAs: siteRef,
			Entries: func(o *v1alpha1.Alert) []managed.Entry {
				return idList(o.Spec.OccupancyMonitorRefs, o.Spec.OccupancyMonitorIDs)
			}},
	},
	Secrets:    func(o *v1alpha1.Alert) []v1alpha1.SecretKeySelector { return webhookSecrets(o.Spec.Webhook) },
	Collection: hoxton.Alerts,
	Body:       alertBody,
	Fields: []managed.Field[hoxton.Alert]{
		managed.F("name", func(a hoxton.Alert) any { return a.Name }),
		managed.F("alertType", func(a hoxton.Alert) any { return a.AlertType }),
		managed.F("siteID", func(a hoxton.Alert) any { return valueOr(a.SiteID, "") }),
		managed.F("emails", func(a hoxton.Alert) any { return sortedSet(a.Emails) }),
		managed.SensitiveF("webhook", func(a hoxton.Alert) any { return emptyNil(a.Webhook) }),
		managed.F("configurationDetails", func(a hoxton.Alert) any { return emptyNil(a.ConfigurationDetails) }),
	},
	AtProvider: func(o *v1alpha1.Alert, have *hoxton.Alert, links managed.Links) {
		o.Status.AtProvider = v1alpha1.AlertObservation{State: string(have.State), NotificationGroups: managed.ObservedLinks(links[alertGroups]),
			Cameras: managed.ObservedLinks(links[alertCameras]), OccupancyMonitors: managed.ObservedLinks(links[alertOccupancyMonitors])}
	},
	Links: []managed.LinkSet[*v1alpha1.Alert]{
		{Field: alertGroups, API: hoxton.AlertNotificationGroupMappings},
		{Field: alertCameras, API: hoxton.AlertCameraPositionMappings},
		{Field: alertOccupancyMonitors, API: hoxton.AlertOccupancyMonitorMappings},
	},
	List:     listInSite(hoxton.Alerts),
	ID:       func(a hoxton.Alert) string { return a.ID },
	Label:    func(a hoxton.Alert) string { return a.Name },
	Manifest: alertManifest,
}

// alertBody maps the spec to the full alert PUT body.
func alertBody(o *v1alpha1.Alert, id string, refs managed.Refs) (hoxton.Alert, error) {
	s := o.Spec
	details, err := objectOf(s.ConfigurationDetails)
	if err != nil {
		return hoxton.Alert{}, managed.Terminal("spec.configurationDetails: %v", err)
	}
	if _, set := details["peopleCountMonitorId"]; set {
		// Set by hand it would name a monitor nobody checked, on an alert of any type.
		return hoxton.Alert{}, managed.Terminal("spec.configurationDetails.peopleCountMonitorId is not set by hand: " +
			"a people_count alert names its monitor with peopleCountMonitorRef or peopleCountMonitorID, which are checked")
	}
	if monitor := refs.ID(alertMonitorRef); monitor != "" {
		// Assumption A9: a people_count alert names its monitor in
		// configurationDetails.peopleCountMonitorId; the contract has no mapping for it.
		details = maps.Clone(details)
		if details == nil {
			details = map[string]any{}
		}
		details["peopleCountMonitorId"] = monitor
	}
	var site *string
	if id := refs.ID(siteRef); id != "" {
		site = &id
	}
	webhook, err := webhookOf(s.Webhook, refs)
	return hoxton.Alert{ID: id, Name: s.Name, AlertType: hoxton.AlertType(s.AlertType), SiteID: site, ConfigurationDetails: details,
		Emails: emailsOf(s.Emails), Webhook: webhook, State: hoxton.StateActive}, err
}

// alertManifest maps an alert and its links back to the spec: the inverse of
// alertBody, the people count monitor taken back out of configurationDetails.
func alertManifest(a hoxton.Alert, links managed.Links, names managed.NameOf) *v1alpha1.Alert {
	details := maps.Clone(a.ConfigurationDetails)
	monitor, _ := details["peopleCountMonitorId"].(string)
	delete(details, "peopleCountMonitorId")
	siteRef, siteID := refOrID(names, "Site", valueOr(a.SiteID, ""))
	monitorRef, monitorID := refOrID(names, "PeopleCountMonitor", monitor)
	s := v1alpha1.AlertSpec{Name: a.Name, AlertType: v1alpha1.AlertType(a.AlertType), SiteRef: siteRef, SiteID: siteID,
		Recipients:            recipientsOf(a.Emails, a.Webhook, names("Alert", a.ID)),
		PeopleCountMonitorRef: monitorRef, PeopleCountMonitorID: monitorID, ConfigurationDetails: rawOf(details)}
	s.NotificationGroupRefs, s.NotificationGroupIDs = refsOrIDs(names, "NotificationGroup", links[alertGroups])
	s.CameraRefs, s.CameraPositionIDs = refsOrIDs(names, "Camera", links[alertCameras])
	s.OccupancyMonitorRefs, s.OccupancyMonitorIDs = refsOrIDs(names, "OccupancyMonitor", links[alertOccupancyMonitors])
	return &v1alpha1.Alert{Spec: s}
}
