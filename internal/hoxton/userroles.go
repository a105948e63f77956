package hoxton

// UserRoleLimit is which Control Room roles a client may give users, and may take
// from them. The operator sets it on the client of every Connection from the
// Connection's spec.userRoles, so that a tenant's User cannot make anyone an admin of
// the organisation, nor change the roles of its admins. A nil limit (the CLI, acting
// with a person's own credentials) limits nothing.
type UserRoleLimit struct {
	// AllowPrivileged allows admin and support besides member.
	AllowPrivileged bool
	// Setting names where the limit is set, for refusals: for example
	// `ClusterConnection "retail" spec.userRoles.allowPrivileged`.
	Setting string
}

// Refuses returns the first of roles that the limit does not allow. Any role but
// member is privileged, roles the contract may add later included.
func (l *UserRoleLimit) Refuses(roles []UserRole) (UserRole, bool) {
	if l == nil || l.AllowPrivileged {
		return "", false
	}
	for _, r := range roles {
		if r != RoleMember {
			return r, true
		}
	}
	return "", false
}

// UserRoleLimit returns the client's limit on users' roles, nil for none.
func (c *Client) UserRoleLimit() *UserRoleLimit { return c.userRoles }
