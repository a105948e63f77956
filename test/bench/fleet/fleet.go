// Package fleet builds a realistic organisation of every managed kind for the
// benchmarks and the chaos suite: stores (sites) with cameras, monitors fed by
// several cameras, a notification group per store nested under regional groups,
// and alerts notifying groups and watching cameras or occupancy monitors. A kind is
// added with one entry in Builders; a test fails when a registered kind has none.
//
// Every object comes with the writes HoxtonAi cannot do without (one upsert per
// object and per link; a claim per camera plus one write per camera field the claim
// cannot carry), so the floor of a fleet follows from the fleet itself.
package fleet

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// Object is one object of a fleet and the API writes it needs at least.
type Object struct {
	Obj    client.Object
	Writes int
}

// Store is what a builder gets to build: the store's index and the fleet's names.
type Store struct {
	Index int
	// Stores is the number of stores in the fleet.
	Stores int
	// Namespace of the fleet; Serial prefixes camera serial numbers (unique per run).
	Namespace, Serial string
}

// Builder builds one kind's objects of a store.
type Builder struct {
	Kind  string
	Build func(s Store) []Object
}

// CamerasPerStore is the fan-out of a store: its monitors and alerts use them.
const CamerasPerStore = 3

// storesPerRegion is how many store groups a regional group nests.
const storesPerRegion = 10

// Builders has one entry per managed kind, in registry order.
var Builders = []Builder{
	{Kind: "Site", Build: func(s Store) []Object {
		return []Object{{Writes: 1, Obj: &v1alpha1.Site{ObjectMeta: s.meta("site"),
			Spec: v1alpha1.SiteSpec{Name: fmt.Sprintf("Store %d", s.Index), Address: fmt.Sprintf("%d High Street", s.Index), TimeZone: "Europe/London"}}}}
	}},
	{Kind: "Camera", Build: func(s Store) []Object {
		out := make([]Object, 0, CamerasPerStore)
		for c := range CamerasPerStore {
			// The claim carries serial, site and name; the aliases need one more write.
			out = append(out, Object{Writes: 2, Obj: &v1alpha1.Camera{ObjectMeta: s.meta(fmt.Sprintf("cam-%d", c)),
				Spec: v1alpha1.CameraSpec{SerialNumber: fmt.Sprintf("%s-%d-%d", s.Serial, s.Index, c), SiteRef: s.ref("site"),
					Name: fmt.Sprintf("Door %d", c), Direction1Alias: "in", Direction2Alias: "out"}}})
		}
		return out
	}},
	{Kind: "PeopleCountMonitor", Build: func(s Store) []Object {
		pos := s.positions(CamerasPerStore)
		return []Object{{Writes: 1 + len(pos), Obj: &v1alpha1.PeopleCountMonitor{ObjectMeta: s.meta("footfall"),
			Spec: v1alpha1.PeopleCountMonitorSpec{SiteParent: v1alpha1.SiteParent{SiteRef: s.ref("site")}, Name: "Footfall", CameraPositions: pos}}}}
	}},
	{Kind: "OccupancyMonitor", Build: func(s Store) []Object {
		pos := s.positions(2)
		return []Object{{Writes: 1 + len(pos), Obj: &v1alpha1.OccupancyMonitor{ObjectMeta: s.meta("occupancy"),
			Spec: v1alpha1.OccupancyMonitorSpec{SiteParent: v1alpha1.SiteParent{SiteRef: s.ref("site")}, Name: "Shop floor", CameraPositions: pos}}}}
	}},
	{Kind: "PeelOffMonitor", Build: func(s Store) []Object {
		pos := s.positions(1)
		return []Object{{Writes: 1 + len(pos), Obj: &v1alpha1.PeelOffMonitor{ObjectMeta: s.meta("peel-off"),
			Spec: v1alpha1.PeelOffMonitorSpec{SiteParent: v1alpha1.SiteParent{SiteRef: s.ref("site")}, Name: "Window", CameraPositions: pos}}}}
	}},
	{Kind: "NotificationGroup", Build: func(s Store) []Object {
		out := []Object{{Writes: 1, Obj: &v1alpha1.NotificationGroup{ObjectMeta: s.meta("managers"), Spec: v1alpha1.NotificationGroupSpec{
			Name: fmt.Sprintf("Store %d managers", s.Index), Recipients: v1alpha1.Recipients{Emails: []v1alpha1.EmailAddress{v1alpha1.EmailAddress(fmt.Sprintf("store%d@example.com", s.Index))}}}}}}
		if s.Index%storesPerRegion == 0 {
			// The regional group nests the store groups of its region.
			var children []v1alpha1.LocalReference
			for i := s.Index; i < min(s.Index+storesPerRegion, s.Stores); i++ {
				children = append(children, v1alpha1.LocalReference{Name: storeName(i, "managers")})
			}
			out = append(out, Object{Writes: 1 + len(children), Obj: &v1alpha1.NotificationGroup{
				ObjectMeta: metav1.ObjectMeta{Namespace: s.Namespace, Name: RegionName(s.Index)},
				Spec: v1alpha1.NotificationGroupSpec{Name: fmt.Sprintf("Region %d", s.Index/storesPerRegion),
					Recipients: v1alpha1.Recipients{Emails: []v1alpha1.EmailAddress{"regional@example.com"}}, ChildGroupRefs: children}}})
		}
		return out
	}},
	{Kind: "Alert", Build: func(s Store) []Object {
		groups := []v1alpha1.LocalReference{*s.ref("managers"), {Name: RegionName(s.Index)}}
		spec := v1alpha1.AlertSpec{Name: fmt.Sprintf("Store %d offline", s.Index), AlertType: v1alpha1.AlertTypeOffline, SiteRef: s.ref("site"),
			NotificationGroupRefs: groups}
		if s.Index%2 == 0 {
			for c := range CamerasPerStore {
				spec.CameraRefs = append(spec.CameraRefs, *s.ref(fmt.Sprintf("cam-%d", c)))
			}
		} else {
			spec.Name, spec.AlertType = fmt.Sprintf("Store %d full", s.Index), v1alpha1.AlertTypeOccupancy
			spec.OccupancyMonitorRefs = []v1alpha1.LocalReference{*s.ref("occupancy")}
		}
		links := len(spec.NotificationGroupRefs) + len(spec.CameraRefs) + len(spec.OccupancyMonitorRefs)
		return []Object{{Writes: 1 + links, Obj: &v1alpha1.Alert{ObjectMeta: s.meta("alert"), Spec: spec}}}
	}},
	{Kind: "Annotation", Build: func(s Store) []Object {
		// The entrance's counting zone, drawn on the store's first camera.
		zone := v1alpha1.LinearRing{{0.1, 0.6}, {0.9, 0.6}, {0.9, 0.95}, {0.1, 0.95}, {0.1, 0.6}}
		return []Object{{Writes: 1, Obj: &v1alpha1.Annotation{ObjectMeta: s.meta("entrance-zone"),
			Spec: v1alpha1.AnnotationSpec{CameraRef: s.ref("cam-0"), ROI: v1alpha1.RegionOfInterest{Polygon: v1alpha1.Polygon{zone}}}}}}
	}},
	{Kind: "User", Build: func(s Store) []Object {
		return []Object{{Writes: 1, Obj: &v1alpha1.User{ObjectMeta: s.meta("manager"), Spec: v1alpha1.UserSpec{
			Email: v1alpha1.EmailAddress(fmt.Sprintf("manager.%s.%d@example.com", s.Serial, s.Index)), FirstName: "Store", LastName: fmt.Sprintf("Manager %d", s.Index),
			Roles: []v1alpha1.UserRole{v1alpha1.UserRoleMember}, SiteRefs: []v1alpha1.LocalReference{*s.ref("site")}}}}}
	}},
	{Kind: "OAuthClient", Build: func(s Store) []Object {
		if s.Index%storesPerRegion != 0 {
			return nil
		}
		// One integration client per region, its secret delivered into a Secret; created
		// under its create's marker, then renamed (two writes).
		name := fmt.Sprintf("%s-integration", RegionName(s.Index))
		return []Object{{Writes: 2, Obj: &v1alpha1.OAuthClient{ObjectMeta: metav1.ObjectMeta{Namespace: s.Namespace, Name: name},
			Spec: v1alpha1.OAuthClientSpec{Name: fmt.Sprintf("%s integration %s", RegionName(s.Index), s.Serial), GrantTypes: []v1alpha1.GrantType{"client_credentials"},
				WriteCredentialsToSecretRef: v1alpha1.LocalReference{Name: name + "-credentials"}}}}}
	}},
}

// objectsPerStore is the fleet's average objects per store (the regional group is one
// per storesPerRegion stores).
const objectsPerStore = 1 + CamerasPerStore + 3 + 1 + 1 + 1 + 1 + 2.0/storesPerRegion

// StoresFor returns the number of stores of a fleet of about n objects.
func StoresFor(n int) int { return max(1, int(float64(n)/objectsPerStore+0.5)) }

// Build returns the objects of a fleet of stores stores, kind by kind in Builders
// order (what is referred to comes first).
func Build(namespace, serial string, stores int) []Object {
	out := make([]Object, 0, int(float64(stores)*objectsPerStore)+1)
	for _, b := range Builders {
		for i := range stores {
			out = append(out, b.Build(Store{Index: i, Stores: stores, Namespace: namespace, Serial: serial})...)
		}
	}
	return out
}

// Floor returns the writes the fleet cannot do without.
func Floor(objs []Object) int {
	n := 0
	for _, o := range objs {
		n += o.Writes
	}
	return n
}

// RegionName names the regional group of the region store i is in.
func RegionName(i int) string { return fmt.Sprintf("region-%d", i/storesPerRegion) }

func storeName(i int, what string) string { return fmt.Sprintf("store-%d-%s", i, what) }

func (s Store) meta(what string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: s.Namespace, Name: storeName(s.Index, what)}
}

func (s Store) ref(what string) *v1alpha1.LocalReference {
	return &v1alpha1.LocalReference{Name: storeName(s.Index, what)}
}

// positions feeds a monitor from the store's first n cameras.
func (s Store) positions(n int) v1alpha1.MonitorCameraPositions {
	out := make(v1alpha1.MonitorCameraPositions, 0, n)
	for c := range n {
		out = append(out, v1alpha1.MonitorCameraPosition{CameraRef: s.ref(fmt.Sprintf("cam-%d", c))})
	}
	return out
}
