package kinds

import (
	"context"
	"slices"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

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
				// The user exists: applying its manifest takes it on.
				return &v1alpha1.User{Spec: v1alpha1.UserSpec{Email: v1alpha1.EmailAddress(u.Email), AdoptExisting: true,
					FirstName: u.FirstName, LastName: u.LastName, Roles: roles, SiteRefs: refs, SiteIDs: ids}}
			}})
		}
		return out, nil
	}}
}

// DescribeCreate says what creating the user writes, for plans.
func (userAdapter) DescribeCreate(o *v1alpha1.User, refs managed.Refs) (managed.Diff, error) {
	return managed.CompareFields(userFields, userBody(o, refs, ""), hoxton.User{}), nil
}
