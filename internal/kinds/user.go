package kinds

import (
	"context"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// userSites are the sites a user may see.
var userSites = managed.NewRefField("siteRefs")

// userKind describes User to the generic reconciler. User ids are identity-provider
// strings the service chooses, so the adapter is hand-written, like the camera's. A
// user is found by its e-mail before it is created; the reconciler takes it only if
// this object created it just before a crash (its status.createRequestedFor, the
// create mark, names the address) or with spec.adoptExisting, never another's. Roles the Connection does
// not allow (hoxton.UserRoleLimit) are refused before any write. The API has no user
// delete: deletion takes the user's roles and sites away.
func userKind() managed.Kind[*v1alpha1.User, hoxton.User] {
	return managed.Kind[*v1alpha1.User, hoxton.User]{
		Name:    "User",
		New:     func() *v1alpha1.User { return &v1alpha1.User{} },
		NewList: func() client.ObjectList { return &v1alpha1.UserList{} },
		Adapter: userAdapter{},
		IDs:     managed.ServerAssignedID,
		References: []managed.Reference[*v1alpha1.User]{{Field: userSites, Target: siteTarget,
			Entries: func(o *v1alpha1.User) []managed.Entry { return idList(o.Spec.SiteRefs, o.Spec.SiteIDs) }}},
		CreateMark:    func(o *v1alpha1.User) (*string, string) { return &o.Status.CreateRequestedFor, string(o.Spec.Email) },
		AdoptExisting: func(o *v1alpha1.User) bool { return o.Spec.AdoptExisting },
		DeletionNote: " as far as the API allows: it has no user delete, so the user's roles and sites were removed " +
			"and the account remains, without access to any site; remove it in the Control Room " +
			"(deletionPolicy Orphan leaves a user as it is)",
		Export: userExport(),
	}
}

// userAdapter connects User to the user endpoints.
type userAdapter struct{}

func (userAdapter) Observe(ctx context.Context, c *hoxton.Client, o *v1alpha1.User, refs managed.Refs) (managed.Observation[hoxton.User], error) {
	if r, refused := c.UserRoleLimit().Refuses(convertAll[hoxton.UserRole](o.Spec.Roles)); refused {
		return managed.Observation[hoxton.User]{}, managed.Terminal("spec.roles asks for %s, which %s does not allow "+
			"(it is not true); nothing was written to HoxtonAi", r, c.UserRoleLimit().Setting)
	}
	u, err := findUser(ctx, c, o)
	if err == nil && u != nil {
		err = mayChange(c, u, "")
	}
	if err != nil || u == nil {
		return managed.Observation[hoxton.User]{}, hoxton.IgnoreGone(err)
	}
	o.Status.AtProvider = v1alpha1.UserObservation{Name: u.Name, OrganisationName: valueOr(u.OrganisationName, "")}
	diff := managed.CompareFields(userFields, userBody(o, refs, u.ID), *u)
	return managed.Observation[hoxton.User]{Exists: true, FoundID: u.ID, Observed: *u, Diff: diff}, nil
}

// findUser reads the user this object manages, or, before it has recorded one, the
// user of the organisation with its email. The reconciler takes that one only if
// this object created it (its create mark names the address) or adopts it
// (spec.adoptExisting): another person's account is refused before any write.
func findUser(ctx context.Context, c *hoxton.Client, o *v1alpha1.User) (*hoxton.User, error) {
	if id := o.Status.ExternalID; id != "" {
		return c.GetUser(ctx, id)
	}
	// Assumption A14: an e-mail address belongs to one user of the organisation.
	users, err := c.ListUsers(ctx, "")
	for i := range users {
		if strings.EqualFold(users[i].Email, string(o.Spec.Email)) {
			return &users[i], nil
		}
	}
	return nil, err
}

// mayChange refuses to write a user who holds a role the client's Connection does
// not let Users grant: an organisation's admin is not a tenant's to demote, edit or
// take on. after says what else the refusal should suggest.
func mayChange(c *hoxton.Client, u *hoxton.User, after string) error {
	limit := c.UserRoleLimit()
	if r, refused := limit.Refuses(u.Roles); refused {
		return managed.Terminal("HoxtonAi user %s holds the role %s, and %s is not true: this User may not change it; "+
			"nothing was written to HoxtonAi%s", u.ID, r, limit.Setting, after)
	}
	return nil
}

func (userAdapter) Create(ctx context.Context, c *hoxton.Client, o *v1alpha1.User, refs managed.Refs) (managed.Created, *hoxton.User, error) {
	u, err := c.CreateUser(ctx, userBody(o, refs, ""))
	if err != nil {
		return managed.Created{}, nil, err
	}
	return managed.Created{ID: u.ID}, nil, nil
}

func (userAdapter) Update(ctx context.Context, c *hoxton.Client, o *v1alpha1.User, refs managed.Refs, obs managed.Observation[hoxton.User]) (*hoxton.User, error) {
	_, err := c.PutUser(ctx, userBody(o, refs, obs.Observed.ID))
	return nil, err
}

// Delete takes the person's access away as far as the API allows. It documents no
// way to delete or disable a user, so the user is written back without roles and
// without sites (Assumption A14: a PUT replaces the writable fields); the account
// remains. A user holding a role the Connection does not allow is left alone.
func (userAdapter) Delete(ctx context.Context, c *hoxton.Client, o *v1alpha1.User) error {
	u, err := c.GetUser(ctx, o.Status.ExternalID)
	if err != nil {
		return err // gone is success to the reconciler
	}
	if err := mayChange(c, u, "; to delete this User and leave the user as it is, set spec.deletionPolicy: Orphan"); err != nil {
		return err
	}
	if len(u.Roles) == 0 && len(u.SiteIDs) == 0 {
		return nil
	}
	_, err = c.PutUser(ctx, hoxton.User{ID: u.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, OrganisationID: u.OrganisationID})
	return err
}

// userBody is the full user the spec describes; the organisation is the client's.
func userBody(o *v1alpha1.User, refs managed.Refs, id string) hoxton.User {
	s := o.Spec
	return hoxton.User{ID: id, Email: string(s.Email), FirstName: s.FirstName, LastName: s.LastName, Roles: convertAll[hoxton.UserRole](s.Roles), SiteIDs: refs.IDs(userSites)}
}

// userFields are compared as sets where the API's order means nothing; the email is
// compared without case, as e-mail providers do.
var userFields = []managed.Field[hoxton.User]{
	managed.F("email", func(u hoxton.User) any { return strings.ToLower(u.Email) }),
	managed.F("firstName", func(u hoxton.User) any { return u.FirstName }),
	managed.F("lastName", func(u hoxton.User) any { return u.LastName }),
	managed.F("roles", func(u hoxton.User) any { return sortedSet(u.Roles) }),
	managed.F("siteIDs", func(u hoxton.User) any { return sortedSet(u.SiteIDs) }),
}
