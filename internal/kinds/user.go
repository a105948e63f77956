package kinds

import (
	"context"
	"slices"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// userKind describes User to the generic reconciler. User ids are identity-provider
// strings the service chooses, so the adapter is hand-written, like the camera's: a
// user this object created just before a crash (or one the organisation already has)
// is found by its email rather than created twice. The API has no user delete.
func userKind() managed.Kind[*v1alpha1.User, *hoxton.User] {
	k := managed.Kind[*v1alpha1.User, *hoxton.User]{
		Name:    "User",
		New:     func() *v1alpha1.User { return &v1alpha1.User{} },
		NewList: func() client.ObjectList { return &v1alpha1.UserList{} },
		Adapter: userAdapter{},
		IDs:     managed.ServerAssignedID,
		References: []managed.Reference[*v1alpha1.User]{{Field: "siteRefs", Target: siteTarget,
			Entries: func(o *v1alpha1.User) []managed.Entry { return idList(o.Spec.SiteRefs, o.Spec.SiteIDs) }}},
		DeletionNote: " in Kubernetes only: the HoxtonAi API has no user delete, so the user was left in HoxtonAi as it was, " +
			"roles and sites included; remove it in the Control Room",
	}
	k.Export = userExport()
	return k
}

// userAdapter connects User to the user endpoints.
type userAdapter struct{}

func (userAdapter) Observe(ctx context.Context, c *hoxton.Client, o *v1alpha1.User, refs managed.Refs) (managed.Observation[*hoxton.User], error) {
	u, err := findUser(ctx, c, o)
	if managed.Absent(err) || (err == nil && u == nil) {
		return managed.Observation[*hoxton.User]{}, nil
	}
	if err != nil {
		return managed.Observation[*hoxton.User]{}, err
	}
	o.Status.AtProvider = v1alpha1.UserObservation{Name: u.Name, OrganisationName: valueOr(u.OrganisationName, "")}
	diff := managed.CompareFields(userFields, userBody(o, refs, u.ID), *u)
	return managed.Observation[*hoxton.User]{Exists: true, FoundID: u.ID, Observed: u, Diff: diff}, nil
}

// findUser reads the user this object manages, or, before it has recorded one, the
// user of the organisation with its email: created by this object just before a
// crash, or by a person, and adopted either way (the reconciler first checks that no
// other User manages it).
func findUser(ctx context.Context, c *hoxton.Client, o *v1alpha1.User) (*hoxton.User, error) {
	if id := o.Status.ExternalID; id != "" {
		return c.GetUser(ctx, id)
	}
	// Assumption A14: an e-mail address belongs to one user of the organisation.
	users, err := c.ListUsers(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if strings.EqualFold(u.Email, string(o.Spec.Email)) {
			return &u, nil
		}
	}
	return nil, nil
}

func (userAdapter) Create(ctx context.Context, c *hoxton.Client, o *v1alpha1.User, refs managed.Refs) (managed.Created, error) {
	u, err := c.CreateUser(ctx, userBody(o, refs, ""))
	if err != nil {
		return managed.Created{}, err
	}
	return managed.Created{ID: u.ID}, nil
}

func (userAdapter) Update(ctx context.Context, c *hoxton.Client, o *v1alpha1.User, refs managed.Refs, obs managed.Observation[*hoxton.User]) error {
	_, err := c.PutUser(ctx, userBody(o, refs, obs.Observed.ID))
	return err
}

// Delete makes no call: the API documents no way to delete or disable a user, and
// taking its roles or sites away would be a guess at what deletion should mean.
func (userAdapter) Delete(context.Context, *hoxton.Client, *v1alpha1.User) error { return nil }

// userBody is the full user the spec describes; the organisation is the client's.
func userBody(o *v1alpha1.User, refs managed.Refs, id string) hoxton.User {
	s := o.Spec
	roles := make([]hoxton.UserRole, len(s.Roles))
	for i, r := range s.Roles {
		roles[i] = hoxton.UserRole(r)
	}
	return hoxton.User{ID: id, Email: string(s.Email), FirstName: s.FirstName, LastName: s.LastName, Roles: roles, SiteIDs: refs.IDs("siteRefs")}
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

// DescribeCreate says what creating the user writes, for plans.
func (userAdapter) DescribeCreate(o *v1alpha1.User, refs managed.Refs) (managed.Diff, error) {
	return managed.CompareFields(userFields, userBody(o, refs, ""), hoxton.User{}), nil
}

// userExport maps the organisation's users (those of the site exported) to manifests,
// each named after its email, the one thing that tells users apart (Assumption A14).
func userExport() *managed.Export[*v1alpha1.User] {
	return &managed.Export[*v1alpha1.User]{List: func(ctx context.Context, c *hoxton.Client, opts managed.ListOptions) ([]managed.Listed[*v1alpha1.User], error) {
		users, err := c.ListUsers(ctx, opts.Site)
		if err != nil {
			return nil, err
		}
		out := make([]managed.Listed[*v1alpha1.User], 0, len(users))
		for _, u := range users {
			out = append(out, managed.Listed[*v1alpha1.User]{ID: u.ID, Label: u.Email, Object: func(names managed.NameOf) *v1alpha1.User {
				sites := make([]hoxton.Link, len(u.SiteIDs))
				for i, id := range u.SiteIDs {
					sites[i] = hoxton.Link{Target: id}
				}
				refs, ids := refsOrIDs(names, "Site", sites)
				roles := make([]v1alpha1.UserRole, len(u.Roles))
				for i, r := range u.Roles {
					roles[i] = v1alpha1.UserRole(r)
				}
				slices.Sort(roles)
				return &v1alpha1.User{Spec: v1alpha1.UserSpec{Email: v1alpha1.EmailAddress(u.Email), FirstName: u.FirstName, LastName: u.LastName,
					Roles: roles, SiteRefs: refs, SiteIDs: ids}}
			}})
		}
		return out, nil
	}}
}
