package kinds_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// seedUser puts a Control Room user straight into the fake, as a person would have
// created it, and returns its id.
func seedUser(email string, roles ...string) string {
	id := "auth0|person-" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	r := make([]any, len(roles))
	for i, role := range roles {
		r[i] = role
	}
	env.API.SetObject("users", map[string]any{"id": id, "email": email, "firstName": "Existing", "lastName": "Person",
		"organisationId": env.API.OrganisationID(), "roles": r, "siteIds": []any{}})
	return id
}

// newUser is a User of namespace ns for email with roles.
func newUser(ns, name, email string, roles ...v1alpha1.UserRole) *v1alpha1.User {
	return &v1alpha1.User{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.UserSpec{Email: v1alpha1.EmailAddress(email), FirstName: "Tenant", LastName: "Choice", Roles: roles}}
}

// refusedBeforeAnyWrite waits for u to be Synced=False/Terminal with a message saying
// all of want and a Warning event, and checks that nothing was written to users.
func refusedBeforeAnyWrite(t *testing.T, u *v1alpha1.User, calls apiCalls, want ...string) {
	t.Helper()
	waitSyncedFalse(t, u, conditions.ReasonTerminal)
	msg := cond(u, conditions.TypeSynced).Message
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Fatalf("the Synced message %q does not say %q", msg, w)
		}
	}
	waitEvent(t, u.Namespace, u.Name, managed.ReasonTerminalError)
	if n := calls.count("PUT", "/users"); n != 0 {
		t.Fatalf("%d writes to /users:\n  %s", n, describeRequests(calls.requests(nil)))
	}
	if u.Status.ExternalID != "" {
		t.Fatalf("the refused User records %s as its user", u.Status.ExternalID)
	}
}

// TestUserDoesNotTakeOverAnExistingUser: a User whose e-mail an existing Control
// Room user has (in another case) is refused without spec.adoptExisting, and the
// person's user is left as it was; with it, the user is taken on.
func TestUserDoesNotTakeOverAnExistingUser(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	email := "colleague." + ns + "@example.com"
	id := seedUser(email, "member")
	before := fakeObject(t, "users", id)

	calls := countCalls()
	u := newUser(ns, "colleague", strings.ToUpper(email), v1alpha1.UserRoleMember)
	create(t, u)
	refusedBeforeAnyWrite(t, u, calls, "but was not created by it", id, "spec.adoptExisting: true")
	if after := fakeObject(t, "users", id); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("the person's user changed:\nbefore %v\nafter  %v", before, after)
	}

	update(t, u, func(u *v1alpha1.User) { u.Spec.AdoptExisting = true })
	waitReady(t, u)
	if u.Status.ExternalID != id {
		t.Fatalf("the User adopted %q, want %s", u.Status.ExternalID, id)
	}
	if got := fakeField(fakeObject(t, "users", id), "lastName"); got != "Choice" {
		t.Fatalf("the adopted user's lastName is %q, want the spec's", got)
	}
	waitEvent(t, ns, u.Name, managed.ReasonAdopted)
}

// TestUserPrivilegedRolesNeedTheConnection: through a Connection that does not
// allow privileged roles, a User can neither grant admin nor take on an admin (by
// e-mail with adoptExisting, or by spec.externalID); once the Connection allows them,
// it can.
func TestUserPrivilegedRolesNeedTheConnection(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	setting := `Connection "default" spec.userRoles.allowPrivileged`

	calls := countCalls()
	grant := newUser(ns, "self-promoted", "self."+ns+"@example.com", v1alpha1.UserRoleAdmin)
	create(t, grant)
	refusedBeforeAnyWrite(t, grant, calls, "spec.roles asks for admin", setting)

	adminEmail := "owner." + ns + "@example.com"
	adminID := seedUser(adminEmail, "admin")
	before := fakeObject(t, "users", adminID)
	calls = countCalls()
	byEmail := newUser(ns, "demote-by-email", adminEmail, v1alpha1.UserRoleMember)
	byEmail.Spec.AdoptExisting = true
	byID := newUser(ns, "demote-by-id", "other."+ns+"@example.com", v1alpha1.UserRoleMember)
	byID.Spec.ExternalID = adminID
	create(t, byEmail)
	create(t, byID)
	refusedBeforeAnyWrite(t, byEmail, calls, adminID, "holds the role admin", setting)
	waitSyncedFalse(t, byID, conditions.ReasonTerminal)
	if msg := cond(byID, conditions.TypeSynced).Message; !strings.Contains(msg, "holds the role admin") {
		t.Fatalf("the User adopting by spec.externalID says %q", msg)
	}
	if n := calls.count("PUT", "/users"); n != 0 {
		t.Fatalf("%d writes to /users", n)
	}
	if after := fakeObject(t, "users", adminID); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("the admin changed:\nbefore %v\nafter  %v", before, after)
	}
	deleteObject(t, byEmail)
	waitGone(t, byEmail)
	// byID recorded the admin's id (spec.externalID): deleting it would take the
	// admin's access away, which is refused too, with the way out.
	deleteObject(t, byID)
	waitFor(t, byID, "deletion refused with Synced=False/Terminal", func(u *v1alpha1.User) bool {
		c := cond(u, conditions.TypeSynced)
		return c != nil && c.Reason == conditions.ReasonTerminal && strings.Contains(c.Message, "spec.deletionPolicy: Orphan")
	})
	update(t, byID, func(u *v1alpha1.User) { u.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan })
	waitGone(t, byID)
	if n := calls.count("PUT", "/users"); n != 0 {
		t.Fatalf("%d writes to /users", n)
	}
	if after := fakeObject(t, "users", adminID); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("deleting the refused Users changed the admin:\nbefore %v\nafter  %v", before, after)
	}

	conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName}}
	update(t, conn, func(c *v1alpha1.Connection) { c.Spec.UserRoles = &v1alpha1.UserRolePolicy{AllowPrivileged: true} })
	waitReady(t, grant)
	if roles := fakeObject(t, "users", grant.Status.ExternalID)["roles"]; fmt.Sprint(roles) != "[admin]" {
		t.Fatalf("the granted user's roles are %v, want [admin]", roles)
	}
}

// TestUserDeletionPolicy: deleting a User with deletionPolicy Delete takes the
// user's roles and sites away (the API has no user delete) and says so; Orphan
// leaves the user as it is.
func TestUserDeletionPolicy(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	f := newFixture(t, ns)
	for _, policy := range []v1alpha1.DeletionPolicy{v1alpha1.DeletionPolicyDelete, v1alpha1.DeletionPolicyOrphan} {
		u := newUser(ns, strings.ToLower(string(policy)), strings.ToLower(string(policy))+"."+ns+"@example.com", v1alpha1.UserRoleMember)
		u.Spec.SiteIDs = []string{f.siteID}
		u.Spec.DeletionPolicy = policy
		create(t, u)
		waitReady(t, u)
		id := u.Status.ExternalID
		before := fakeObject(t, "users", id)

		deleteObject(t, u)
		waitGone(t, u)
		after := fakeObject(t, "users", id)
		if policy == v1alpha1.DeletionPolicyOrphan {
			if fmt.Sprint(after) != fmt.Sprint(before) {
				t.Fatalf("Orphan changed the user:\nbefore %v\nafter  %v", before, after)
			}
			waitEvent(t, ns, u.Name, managed.ReasonOrphaned)
			continue
		}
		if roles, sites := after["roles"], after["siteIds"]; len(anyList(roles)) != 0 || len(anyList(sites)) != 0 {
			t.Fatalf("after deletion the user still has roles %v and sites %v", roles, sites)
		}
		if fakeField(after, "email") != string(u.Spec.Email) {
			t.Fatalf("deletion changed the user's email: %v", after)
		}
		ev := waitEvent(t, ns, u.Name, managed.ReasonDeleted)
		if !strings.Contains(ev.Note, "roles and sites were removed") || !strings.Contains(ev.Note, "account remains") {
			t.Fatalf("the Deleted event says %q; want it to say what happened to the user's access", ev.Note)
		}
	}
}

func anyList(v any) []any {
	l, _ := v.([]any)
	return l
}
