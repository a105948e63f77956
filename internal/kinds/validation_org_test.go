package kinds_test

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// TestOrganisationKindValidation: kubectl apply refuses what cannot work, with a
// message saying why: regions that are not closed rings of three distinct positions
// inside the frame, sites for a user who is not a member, callbacks without the
// authorization code grant, a rotation schedule under an hour; and string ids are
// accepted where ids are strings, and only there.
func TestOrganisationKindValidation(t *testing.T) {
	ns := newNamespace(t)
	meta := func(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Namespace: ns, Name: name} }
	annotation := func(name string, roi v1alpha1.RegionOfInterest) *v1alpha1.Annotation {
		return &v1alpha1.Annotation{ObjectMeta: meta(name), Spec: v1alpha1.AnnotationSpec{
			CameraRef: &v1alpha1.LocalReference{Name: "cam"}, ROI: roi}}
	}
	poly := func(rings ...v1alpha1.LinearRing) v1alpha1.RegionOfInterest {
		return v1alpha1.RegionOfInterest{Polygon: rings}
	}
	user := func(name string, mutate func(*v1alpha1.User)) *v1alpha1.User {
		u := userCase.build(fixture{ns: ns, siteID: "5d52bfc8-9776-421c-a13a-bb055cf845b4"}, name).(*v1alpha1.User)
		mutate(u)
		return u
	}
	oauth := func(name string, mutate func(*v1alpha1.OAuthClient)) *v1alpha1.OAuthClient {
		c := newOAuthClient(ns, name)
		mutate(c)
		return c
	}
	refused := map[string]struct {
		obj  client.Object
		want string
	}{
		"open ring":         {annotation("open", poly(v1alpha1.LinearRing{{0, 0}, {1, 0}, {1, 1}, {0, 1}})), "a ring must be closed"},
		"two distinct":      {annotation("flat", poly(v1alpha1.LinearRing{{0, 0}, {1, 1}, {1, 1}, {0, 0}})), "at least 3 distinct positions"},
		"outside the frame": {annotation("outside", poly(square(0.9, 0.5, 0.2))), "should be less than or equal to 1"},
		"three numbers":     {annotation("xyz", poly(v1alpha1.LinearRing{{0, 0, 0}, {1, 0}, {1, 1}, {0, 0, 0}})), "must have at most 2 items"},
		"both shapes": {annotation("both", v1alpha1.RegionOfInterest{Polygon: v1alpha1.Polygon{square(0.5, 0.5, 0.1)},
			MultiPolygon: []v1alpha1.Polygon{{square(0.5, 0.5, 0.1)}}}), "set exactly one of polygon and multiPolygon"},
		"no camera": {&v1alpha1.Annotation{ObjectMeta: meta("nocam"), Spec: v1alpha1.AnnotationSpec{ROI: poly(square(0.5, 0.5, 0.1))}},
			"set exactly one of cameraRef and cameraPositionID"},
		"sites for an admin": {user("admin", func(u *v1alpha1.User) { u.Spec.Roles = []v1alpha1.UserRole{v1alpha1.UserRoleAdmin} }),
			"siteRefs and siteIDs are the sites a member may see"},
		"bad email":       {user("bad-email", func(u *v1alpha1.User) { u.Spec.Email = "not-an-address" }), "spec.email"},
		"id with a slash": {user("slash", func(u *v1alpha1.User) { u.Spec.ExternalID = "auth0/../x" }), "spec.externalID"},
		"callbacks without the code grant": {oauth("callbacks", func(c *v1alpha1.OAuthClient) {
			c.Spec.Callbacks = []string{"https://example.com/cb"}
		}), "callbacks are the redirect URLs of the authorization_code grant"},
		"rotation too often": {oauth("often", func(c *v1alpha1.OAuthClient) { c.Spec.RotateEvery = &metav1.Duration{Duration: 600e9} }),
			"rotateEvery must be at least 1h"},
		"adoption unconfirmed": {oauth("unconfirmed", func(c *v1alpha1.OAuthClient) { c.Spec.ExternalID = "49ffcf54a4abc88c5c12466ef5867691" }),
			"set adoptExisting: true"},
		"invalid Secret name": {oauth("bad-secret", func(c *v1alpha1.OAuthClient) { c.Spec.WriteCredentialsToSecretRef.Name = "Dashboard_Credentials" }),
			"must be a valid Secret name"},
	}
	for name, tc := range refused {
		err := env.Client.Create(ctx, tc.obj)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want refused saying %q", name, err, tc.want)
		}
	}
	accepted := []client.Object{
		annotation("triangle", poly(v1alpha1.LinearRing{{0, 0}, {1, 0}, {0.5, 1}, {0, 0}})),
		annotation("multi", v1alpha1.RegionOfInterest{MultiPolygon: []v1alpha1.Polygon{{square(0.2, 0.2, 0.1)}, {square(0.7, 0.7, 0.1)}}}),
		user("auth0-id", func(u *v1alpha1.User) { u.Spec.ExternalID = "auth0|5f3c2a1b9d8e7f6a5b4c3d2e" }),
		oauth("hex-id", func(c *v1alpha1.OAuthClient) {
			c.Spec.ExternalID, c.Spec.AdoptExisting = "49ffcf54a4abc88c5c12466ef5867691", true
		}),
		oauth("observed-id", func(c *v1alpha1.OAuthClient) {
			c.Spec.ExternalID, c.Spec.ManagementPolicy = "49ffcf54a4abc88c5c12466ef5867692", v1alpha1.ManagementPolicyObserveOnly
		}),
	}
	for _, o := range accepted {
		if err := env.Client.Create(ctx, o); err != nil {
			t.Errorf("%s %s refused: %v", o.GetObjectKind().GroupVersionKind().Kind, o.GetName(), err)
		}
	}
}
