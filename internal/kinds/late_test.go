package kinds_test

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/kinds"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// lateSite makes o's site a Site of the namespace that does not exist yet, and returns
// that Site.
func lateSite(f fixture, parent *v1alpha1.SiteParent) client.Object {
	*parent = v1alpha1.SiteParent{SiteRef: &v1alpha1.LocalReference{Name: "late-site"}}
	return lateSiteOfCameras(f)
}

// lateSiteOfCameras is a late Site that adopts the fixture's site, where the
// fixture's camera is: a monitor or an alert takes cameras of its own site only.
func lateSiteOfCameras(f fixture) client.Object {
	s := siteCase.build(f, "late-site").(*v1alpha1.Site)
	s.Spec.ExternalID = f.siteID
	return s
}

// lateReferences rewires an object of each kind to refer to an object that does not
// exist yet, and returns that object; kinds that refer to nothing are absent.
var lateReferences = map[string]func(f fixture, o managed.Object) client.Object{
	"Camera": func(f fixture, o managed.Object) client.Object {
		c := o.(*v1alpha1.Camera)
		c.Spec.SiteID, c.Spec.SiteRef = "", &v1alpha1.LocalReference{Name: "late-site"}
		return siteCase.build(f, "late-site")
	},
	"PeopleCountMonitor": func(f fixture, o managed.Object) client.Object {
		return lateSite(f, &o.(*v1alpha1.PeopleCountMonitor).Spec.SiteParent)
	},
	"OccupancyMonitor": func(f fixture, o managed.Object) client.Object {
		return lateSite(f, &o.(*v1alpha1.OccupancyMonitor).Spec.SiteParent)
	},
	"PeelOffMonitor": func(f fixture, o managed.Object) client.Object {
		return lateSite(f, &o.(*v1alpha1.PeelOffMonitor).Spec.SiteParent)
	},
	"NotificationGroup": func(f fixture, o managed.Object) client.Object {
		g := o.(*v1alpha1.NotificationGroup)
		g.Spec.ChildGroupRefs = []v1alpha1.LocalReference{{Name: "late-group"}}
		return &v1alpha1.NotificationGroup{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "late-group"},
			Spec: v1alpha1.NotificationGroupSpec{Name: "Late group"}}
	},
	"Annotation": func(f fixture, o managed.Object) client.Object {
		a := o.(*v1alpha1.Annotation)
		a.Spec.CameraPositionID, a.Spec.CameraRef = "", &v1alpha1.LocalReference{Name: "late-camera"}
		return cameraCase.build(f, "late-camera")
	},
	"User": func(f fixture, o managed.Object) client.Object {
		u := o.(*v1alpha1.User)
		u.Spec.SiteIDs, u.Spec.SiteRefs = nil, []v1alpha1.LocalReference{{Name: "late-site"}}
		return siteCase.build(f, "late-site")
	},
	"Alert": func(f fixture, o managed.Object) client.Object {
		a := o.(*v1alpha1.Alert)
		a.Spec.SiteID, a.Spec.SiteRef = "", &v1alpha1.LocalReference{Name: "late-site"}
		return lateSiteOfCameras(f)
	},
}

// TestReferenceAppearsLate: every kind that refers to another object waits for it
// (Synced=False/ReferencesNotReady) and converges once it exists, woken by the watch
// on the referenced kind (the poll is ten minutes).
func TestReferenceAppearsLate(t *testing.T) {
	startManager(t, operator.Options{PollInterval: longPollInterval})
	forEachKind(t, func(t *testing.T, kc kindCase, f fixture) {
		late, refers := lateReferences[kc.kind]
		if !refers {
			if len(kindReferences(kc.kind)) > 0 {
				t.Fatalf("%s has references but no late-reference case", kc.kind)
			}
			t.Skipf("%s refers to nothing", kc.kind)
		}
		o := kc.build(f, "waiting")
		dependency := late(f, o)
		create(t, o)
		waitSyncedFalse(t, o, conditions.ReasonReferencesNotReady)
		create(t, dependency)
		waitFor(t, o, "Ready and Synced", isReadyAndSynced)
	})
}

// kindReferences returns the registered reference fields of kind.
func kindReferences(kind string) []string {
	for _, k := range kinds.Registry() {
		if k.Name == kind {
			return k.ReferenceFields
		}
	}
	return nil
}
