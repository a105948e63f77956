package checkapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// checkUsers covers what can be read of A14: GET /users?organisationId=
// lists the users with their e-mail, and no e-mail belongs to two of them
// (the operator finds a user by e-mail); one user reads back by id (A1,
// A16). The writes of A14 are not checked: a user cannot be deleted, so a
// scratch user would stay in the organisation for good.
func (c *checker) checkUsers(ctx context.Context) error {
	c.res.skip("A14", "PUT /users (create, replace) is not tried: there is no user delete, so a scratch user would stay")
	rep, err := c.probe.do(ctx, http.MethodGet, "/users", url.Values{"organisationId": {c.org}}, nil)
	if err != nil {
		return err
	}
	users, ok := listOf(rep)
	if !ok {
		c.res.add("A14", rep, false, "status %d; want 200 with a JSON array of users", rep.status)
		return nil
	}
	seen := map[string]string{}
	for _, u := range users {
		email := strings.ToLower(str(u, "email"))
		switch {
		case email == "" || str(u, "id") == "":
			c.res.add("A14", rep, false, "user %q has no id or no email: a user cannot be found by e-mail", str(u, "id"))
			return nil
		case seen[email] != "":
			c.res.add("A14", rep, false, "users %s and %s share an e-mail address", seen[email], str(u, "id"))
			return nil
		}
		seen[email] = str(u, "id")
	}
	c.res.add("A14", rep, true, "%d users, each with an id and an e-mail address of its own", len(users))
	if len(users) > 0 {
		_, _, err = c.checkGet(ctx, "users", "id", str(users[0], "id"))
	}
	return err
}
