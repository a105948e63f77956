package hoxton

import (
	"context"
	"net/http"
)

// UserRole is a Control Room role of a user.
type UserRole string

// The user roles of the contract.
const (
	// RoleMember sees only the sites listed in siteIds.
	RoleMember UserRole = "member"
	// RoleAdmin sees every site of the organisation.
	RoleAdmin UserRole = "admin"
	// RoleSupport is HoxtonAi's support role.
	RoleSupport UserRole = "support"
)

// User is a Control Room account (schema User). Its ID is an identity-provider id, a
// plain string rather than a uuid.
type User struct {
	ID               string     `json:"id,omitempty"`
	Email            string     `json:"email"`
	FirstName        string     `json:"firstName"`
	LastName         string     `json:"lastName"`
	Name             string     `json:"name,omitempty"`
	OrganisationID   string     `json:"organisationId"`
	OrganisationName *string    `json:"organisationName,omitempty"`
	Roles            []UserRole `json:"roles,omitempty"`
	SiteIDs          []string   `json:"siteIds,omitempty"`
}

var users = newEndpoint[User]("users").swept()

// ListUsers returns the users of the client's organisation, or of one site when siteID is
// not empty (GET /users?organisationId=&siteId=, operation listUsers).
func (c *Client) ListUsers(ctx context.Context, siteID string) ([]User, error) {
	return users.list(ctx, c, filters("organisationId", c.org, "siteId", siteID))
}

// GetUser returns one user.
func (c *Client) GetUser(ctx context.Context, id string) (*User, error) {
	// Inferred (x-inferred in openapi.yaml): the path GET /users/{userId} is assumed.
	return users.get(ctx, c, id)
}

// GetCurrentUser returns the profile of the authenticated caller.
func (c *Client) GetCurrentUser(ctx context.Context) (*User, error) {
	var out User
	// Inferred (x-inferred in openapi.yaml, x-confidence low): the path GET /users/me is
	// a guess.
	if _, err := c.do(ctx, http.MethodGet, users.resource, users.path+"/me", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PutUser creates or updates a user; an empty OrganisationID is filled with the client's.
func (c *Client) PutUser(ctx context.Context, u User) (PutResult, error) {
	u.OrganisationID = c.orgOr(u.OrganisationID)
	// Inferred (x-inferred in openapi.yaml): PUT /users with 201/204 follows the upsert
	// pattern of the other resources; only the operation title was seen.
	return users.put(ctx, c, u)
}

// CreateUser creates a user and returns it as stored, with the id the service chose
// (the identity provider's). It is PutUser without an id: the 201 answer carries the
// stored user.
func (c *Client) CreateUser(ctx context.Context, u User) (*User, error) {
	u.ID = ""
	u.OrganisationID = c.orgOr(u.OrganisationID)
	var out User
	// Assumption A14: a PUT without an id creates the user, and the 201 body carries
	// the id the identity provider chose.
	status, err := c.do(ctx, http.MethodPut, users.resource, users.path, nil, u, &out)
	if err != nil {
		return nil, err
	}
	if status != http.StatusCreated || out.ID == "" {
		return nil, &APIError{StatusCode: status, Method: http.MethodPut, Path: users.path, Resource: users.resource, Message: MsgUnexpectedStatus + ": creating a user answered no stored user with an id"}
	}
	return &out, nil
}
