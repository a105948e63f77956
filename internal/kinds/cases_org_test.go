package kinds_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// The cases of the kinds that complete the organisation: annotations on camera
// positions, users, and OAuth clients whose secret is delivered into a Secret.

// square is a closed ring around (x, y) with sides of 2d.
func square(x, y, d float64) v1alpha1.LinearRing {
	return v1alpha1.LinearRing{{x - d, y - d}, {x + d, y - d}, {x + d, y + d}, {x - d, y + d}, {x - d, y - d}}
}

var annotationCase = kindCase{
	kind:       "Annotation",
	collection: "annotations",
	build: func(f fixture, name string) managed.Object {
		return &v1alpha1.Annotation{
			ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name},
			Spec: v1alpha1.AnnotationSpec{CameraPositionID: f.cameraPositionID,
				ROI: v1alpha1.RegionOfInterest{Polygon: v1alpha1.Polygon{square(0.5, 0.5, 0.4), square(0.5, 0.5, 0.1)}}},
		}
	},
	mutate: func(o managed.Object) {
		a := o.(*v1alpha1.Annotation)
		a.Spec.ROI = v1alpha1.RegionOfInterest{MultiPolygon: []v1alpha1.Polygon{{square(0.2, 0.2, 0.1)}, {square(0.7, 0.7, 0.2)}}}
	},
	mismatch: func(o managed.Object, fake map[string]any) string {
		a := o.(*v1alpha1.Annotation)
		var d mismatches
		d.field(fake, "cameraPositionId", a.Spec.CameraPositionID)
		kind, geo := "polygon", `{"type":"Polygon","coordinates":`+jsonOf(a.Spec.ROI.Polygon)+`}`
		if a.Spec.ROI.MultiPolygon != nil {
			kind, geo = "multipolygon", `{"type":"MultiPolygon","coordinates":`+jsonOf(a.Spec.ROI.MultiPolygon)+`}`
		}
		d.field(fake, "kind", kind)
		d.json(fake, "roi", []byte(geo))
		return d.String()
	},
	drift: map[string]any{"roi": map[string]any{"type": "Polygon", "coordinates": []any{[]any{[]any{0, 0}, []any{1, 0}, []any{1, 1}, []any{0, 0}}}}},
	seed: func(_ testing.TB, f fixture, _ managed.Object) string {
		return seedActive("annotations", map[string]any{"cameraPositionId": f.cameraPositionID, "kind": "polygon", "roi": nil})
	},
	seedDiffers:     "roi",
	liveState:       "active",
	deletedState:    "deleted",
	createFault:     hoxtontest.Fault{Method: "PUT", PathPrefix: "/annotations", Status: 422},
	lifecycleBudget: 7, pollBudget: 1, // +1: its cameraPositionID is looked up once (the camera listing)
}

var userCase = kindCase{
	kind:       "User",
	collection: "users",
	build: func(f fixture, name string) managed.Object {
		return &v1alpha1.User{
			ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name},
			Spec: v1alpha1.UserSpec{Email: v1alpha1.EmailAddress(name + "." + f.ns + "@example.com"), FirstName: "Priya", LastName: "Shah",
				Roles: []v1alpha1.UserRole{v1alpha1.UserRoleMember}, SiteIDs: []string{f.siteID}},
		}
	},
	mutate: func(o managed.Object) {
		u := o.(*v1alpha1.User)
		u.Spec.FirstName, u.Spec.LastName = "Priya R.", "Shah-Patel"
	},
	mismatch: func(o managed.Object, fake map[string]any) string {
		u := o.(*v1alpha1.User)
		var d mismatches
		d.field(fake, "email", string(u.Spec.Email))
		d.field(fake, "firstName", u.Spec.FirstName)
		d.field(fake, "lastName", u.Spec.LastName)
		d.field(fake, "organisationId", env.API.OrganisationID())
		roles := make([]string, len(u.Spec.Roles))
		for i, r := range u.Spec.Roles {
			roles[i] = string(r)
		}
		d.set(fake, "roles", roles)
		d.set(fake, "siteIds", u.Spec.SiteIDs)
		return d.String()
	},
	// The drift takes the role away: giving a privileged one instead would put the
	// user out of the test Connection's reach (it allows member only).
	drift: map[string]any{"firstName": "Changed in the Control Room", "roles": []any{}},
	seed: func(_ testing.TB, _ fixture, o managed.Object) string {
		id := "auth0|seed-" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
		env.API.SetObject("users", map[string]any{"id": id, "email": string(o.(*v1alpha1.User).Spec.Email),
			"firstName": "Legacy", "lastName": "User", "organisationId": env.API.OrganisationID(), "roles": []any{"member"}})
		return id
	},
	seedDiffers:  "firstName",
	deletionNote: "it has no user delete, so the user's roles and sites were removed",
	createFault:  hoxtontest.Fault{Method: "PUT", PathPrefix: "/users", Status: 422},
	// Deletion reads the user and writes it back without roles and sites (2), and its
	// siteID is looked up once (1): 3 of the 12.
	lifecycleBudget: 12, pollBudget: 1,
}

var oauthClientCase = kindCase{
	kind:       "OAuthClient",
	collection: "oauth-clients",
	build: func(f fixture, name string) managed.Object {
		return &v1alpha1.OAuthClient{
			ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name},
			Spec: v1alpha1.OAuthClientSpec{Name: "Dashboard " + f.ns + "/" + name, GrantTypes: []v1alpha1.GrantType{"client_credentials"},
				WriteCredentialsToSecretRef: v1alpha1.LocalReference{Name: name + "-credentials"}},
		}
	},
	mutate: func(o managed.Object) {
		c := o.(*v1alpha1.OAuthClient)
		c.Spec.Name += " (renamed)"
		c.Spec.GrantTypes = append(c.Spec.GrantTypes, "authorization_code")
		c.Spec.Callbacks = []string{"https://dashboard.example.com/callback"}
	},
	mismatch: func(o managed.Object, fake map[string]any) string {
		c := o.(*v1alpha1.OAuthClient)
		var d mismatches
		d.field(fake, "name", c.Spec.Name)
		d.field(fake, "organisationId", env.API.OrganisationID())
		grants := make([]string, len(c.Spec.GrantTypes))
		for i, g := range c.Spec.GrantTypes {
			grants[i] = string(g)
		}
		d.set(fake, "grantTypes", grants)
		d.set(fake, "callbacks", c.Spec.Callbacks)
		return d.String()
	},
	drift: map[string]any{"name": "Renamed in the Control Room", "callbacks": []any{"https://intruder.example.com/"}},
	seed: func(_ testing.TB, _ fixture, _ managed.Object) string {
		id := strings.ReplaceAll(uuid.NewString(), "-", "")
		env.API.SetObject("oauth-clients", map[string]any{"clientId": id, "name": "Legacy client", "clientSecret": "seeded-secret-" + id,
			"organisationId": env.API.OrganisationID(), "grantTypes": []any{"password"}})
		return id
	},
	hardDeleted: true,
	createFault: hoxtontest.Fault{Method: "PUT", PathPrefix: "/oauth-clients", Status: 422},
	// One more than a PUT-and-read create: a client is created under its create's
	// marker and renamed once its secret is delivered, so that a crash losing the 201
	// finds it without ever looking clients up by name.
	lifecycleBudget: 10, pollBudget: 1,
}

// set compares a fake field holding a list, in any order, with want.
func (d *mismatches) set(fake map[string]any, name string, want []string) {
	var have []string
	list, _ := fake[name].([]any)
	for _, v := range list {
		have = append(have, fmt.Sprint(v))
	}
	want = slices.Clone(want)
	slices.Sort(want)
	slices.Sort(have)
	if !slices.Equal(want, have) {
		*d = append(*d, fmt.Sprintf("%s: want %v, have %v", name, want, have))
	}
}

// jsonOf is v as JSON.
func jsonOf(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(data)
}
