package kinds_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// The cases of the kinds added on the declarative layer: monitors with camera
// positions, groups with child groups, alerts with their three link sets.

// seedActive puts an active object of collection straight into the fake.
func seedActive(collection string, fields map[string]any) string {
	id := uuid.NewString()
	obj := map[string]any{"id": id, "state": "active"}
	for k, v := range fields {
		obj[k] = v
	}
	env.API.SetObject(collection, obj)
	return id
}

var occupancyMonitorCase = kindCase{
	kind:       "OccupancyMonitor",
	collection: "occupancy-monitors",
	build: func(f fixture, name string) managed.Object {
		reset := int32(180)
		return &v1alpha1.OccupancyMonitor{
			ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name},
			Spec: v1alpha1.OccupancyMonitorSpec{
				SiteParent: v1alpha1.SiteParent{SiteID: f.siteID}, Name: "Shop floor", DailyResetMin: &reset,
				ReportingWindow: v1alpha1.ReportingWindow{ReportingStartDate: "2025-01-01"},
				CameraPositions: v1alpha1.MonitorCameraPositions{{CameraPositionID: f.cameraPositionID, Direction1Maps: v1alpha1.Direction2, Direction2Maps: v1alpha1.Direction1}},
			},
		}
	},
	mutate: func(o managed.Object) {
		m := o.(*v1alpha1.OccupancyMonitor)
		m.Spec.Name = "Shop floor (renamed)"
		m.Spec.CameraPositions[0].Direction1Maps, m.Spec.CameraPositions[0].Direction2Maps = v1alpha1.Direction1, v1alpha1.Direction2
	},
	mismatch: func(o managed.Object, fake map[string]any) string {
		m := o.(*v1alpha1.OccupancyMonitor)
		var d mismatches
		d.field(fake, "siteId", m.Spec.SiteID)
		d.field(fake, "name", m.Spec.Name)
		d.field(fake, "dailyResetMin", fmt.Sprint(*m.Spec.DailyResetMin))
		d.field(fake, "reportingStartDate", m.Spec.ReportingStartDate)
		d.add(monitorLinksMismatch(fake, "occupancy-monitor-camera-positions", "occupancyMonitorId", m.Spec.CameraPositions))
		return d.String()
	},
	drift: map[string]any{"name": "Renamed in the Control Room", "dailyResetMin": 5},
	seed: func(_ testing.TB, f fixture, _ managed.Object) string {
		return seedActive("occupancy-monitors", map[string]any{"siteId": f.siteID, "name": "Legacy occupancy"})
	},
	liveState:       "active",
	deletedState:    "deleted",
	createFault:     hoxtontest.Fault{Method: "PUT", PathPrefix: "/occupancy-monitors", Status: 422},
	lifecycleBudget: 14, pollBudget: 2, // +2: its siteID and cameraPositionID are looked up once
}

var peelOffMonitorCase = kindCase{
	kind:       "PeelOffMonitor",
	collection: "peel-off-monitors",
	build: func(f fixture, name string) managed.Object {
		return &v1alpha1.PeelOffMonitor{
			ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name},
			Spec: v1alpha1.PeelOffMonitorSpec{
				SiteParent: v1alpha1.SiteParent{SiteID: f.siteID}, Name: "Window display",
				ReportingWindow: v1alpha1.ReportingWindow{ReportingStartDate: "2025-03-01", ReportingEndDate: "2025-12-31"},
				CameraPositions: v1alpha1.MonitorCameraPositions{{CameraPositionID: f.cameraPositionID}},
			},
		}
	},
	mutate: func(o managed.Object) {
		m := o.(*v1alpha1.PeelOffMonitor)
		m.Spec.Name = "Window display (renamed)"
		m.Spec.ReportingEndDate = "2026-06-30"
	},
	mismatch: func(o managed.Object, fake map[string]any) string {
		m := o.(*v1alpha1.PeelOffMonitor)
		var d mismatches
		d.field(fake, "siteId", m.Spec.SiteID)
		d.field(fake, "name", m.Spec.Name)
		d.field(fake, "reportingStartDate", m.Spec.ReportingStartDate)
		d.field(fake, "reportingEndDate", m.Spec.ReportingEndDate)
		d.add(monitorLinksMismatch(fake, "peel-off-monitor-camera-positions", "peelOffMonitorId", m.Spec.CameraPositions))
		return d.String()
	},
	drift: map[string]any{"name": "Renamed in the Control Room"},
	seed: func(_ testing.TB, f fixture, _ managed.Object) string {
		return seedActive("peel-off-monitors", map[string]any{"siteId": f.siteID, "name": "Legacy peel-off"})
	},
	liveState:       "active",
	deletedState:    "deleted",
	createFault:     hoxtontest.Fault{Method: "PUT", PathPrefix: "/peel-off-monitors", Status: 422},
	lifecycleBudget: 13, pollBudget: 2, // +2: its siteID and cameraPositionID are looked up once
}

var notificationGroupCase = kindCase{
	kind:       "NotificationGroup",
	collection: "notification-groups",
	build: func(f fixture, name string) managed.Object {
		return &v1alpha1.NotificationGroup{
			ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name},
			Spec: v1alpha1.NotificationGroupSpec{
				Name: "Store managers",
				Recipients: v1alpha1.Recipients{Emails: []v1alpha1.EmailAddress{"a@example.com", "b@example.com"},
					Webhook: &v1alpha1.Webhook{URL: "https://hooks.example.com/managers"}},
				ChildGroupIDs: []string{f.groupID},
			},
		}
	},
	mutate: func(o managed.Object) {
		g := o.(*v1alpha1.NotificationGroup)
		g.Spec.Name = "Store managers (renamed)"
		g.Spec.Emails = []v1alpha1.EmailAddress{"c@example.com"}
	},
	mismatch: func(o managed.Object, fake map[string]any) string {
		g := o.(*v1alpha1.NotificationGroup)
		var d mismatches
		d.field(fake, "name", g.Spec.Name)
		d.field(fake, "organisationId", env.API.OrganisationID())
		d.field(fake, "emails", fmt.Sprint(g.Spec.Emails))
		d.json(fake, "webhook", []byte(`{"url":"`+g.Spec.Webhook.URL+`"}`))
		d.add(linksMismatch(fake, "notification-group-notification-groups", "parentId", "childId", targets(g.Spec.ChildGroupIDs...), nil))
		return d.String()
	},
	drift: map[string]any{"name": "Renamed in the Control Room", "emails": []any{"intruder@example.com"}},
	seed: func(_ testing.TB, _ fixture, _ managed.Object) string {
		return seedActive("notification-groups", map[string]any{"name": "Legacy group", "organisationId": env.API.OrganisationID()})
	},
	liveState:       "active",
	deletedState:    "deleted",
	createFault:     hoxtontest.Fault{Method: "PUT", PathPrefix: "/notification-groups", Status: 422},
	lifecycleBudget: 12, pollBudget: 2, // +1: its child group id is looked up once
}

var alertCase = kindCase{
	kind:       "Alert",
	collection: "alerts",
	build: func(f fixture, name string) managed.Object {
		return &v1alpha1.Alert{
			ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name},
			Spec: v1alpha1.AlertSpec{
				AlertType: v1alpha1.AlertTypeOffline, Name: "Entrance offline", SiteID: f.siteID,
				Recipients:           v1alpha1.Recipients{Emails: []v1alpha1.EmailAddress{"ops@example.com"}},
				NotificationGroupIDs: []string{f.groupID},
				CameraPositionIDs:    []string{f.cameraPositionID},
				ConfigurationDetails: &runtime.RawExtension{Raw: []byte(`{"graceMinutes":15}`)},
			},
		}
	},
	mutate: func(o managed.Object) {
		a := o.(*v1alpha1.Alert)
		a.Spec.Name = "Entrance offline (renamed)"
		a.Spec.ConfigurationDetails = &runtime.RawExtension{Raw: []byte(`{"graceMinutes":30}`)}
	},
	mismatch: func(o managed.Object, fake map[string]any) string {
		a := o.(*v1alpha1.Alert)
		var d mismatches
		d.field(fake, "name", a.Spec.Name)
		d.field(fake, "alertType", string(a.Spec.AlertType))
		d.field(fake, "siteId", a.Spec.SiteID)
		d.field(fake, "emails", fmt.Sprint(a.Spec.Emails))
		d.json(fake, "configurationDetails", a.Spec.ConfigurationDetails.Raw)
		d.add(linksMismatch(fake, "alert-notification-group-mappings", "alertId", "notificationGroupId", targets(a.Spec.NotificationGroupIDs...), nil))
		d.add(linksMismatch(fake, "alert-camera-position-mappings", "alertId", "cameraPositionId", targets(a.Spec.CameraPositionIDs...), nil))
		return d.String()
	},
	drift: map[string]any{"name": "Renamed in the Control Room", "configurationDetails": map[string]any{"graceMinutes": 1}},
	seed: func(_ testing.TB, f fixture, _ managed.Object) string {
		return seedActive("alerts", map[string]any{"name": "Legacy alert", "alertType": "offline_alert", "organisationId": env.API.OrganisationID()})
	},
	liveState:       "active",
	deletedState:    "deleted",
	createFault:     hoxtontest.Fault{Method: "PUT", PathPrefix: "/alerts", Status: 422},
	lifecycleBudget: 22, pollBudget: 4, // +3: its siteID, group id and cameraPositionID are looked up once
}
