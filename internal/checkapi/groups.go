package checkapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/google/uuid"
)

// groupLinks is the link collection of notification groups (owner parentId).
const groupLinks = "notification-group-notification-groups"

// checkNotificationGroups covers A10 (a notification group's webhook is
// {"url": ...}) and A11 (what deleting an owner does to its links), with
// two scratch groups and a link between them.
func (c *checker) checkNotificationGroups(ctx context.Context) error {
	parent, webhook := uuid.NewString(), "https://"+c.scratchName()+".invalid/webhook"
	rep, parentEntry, err := c.create(ctx, "notification-groups", object{"id": parent, "name": c.scratchName(),
		"organisationId": c.org, "webhook": object{"url": webhook}})
	if err != nil {
		return err
	}
	if rep.status != http.StatusCreated {
		c.res.add("A10", rep, false, "a notification group with webhook {\"url\": ...} answered %d, want 201", rep.status)
		c.res.skip("A11", "the scratch notification group could not be created")
		return nil
	}
	got, rep, err := c.checkGet(ctx, "notification-groups", "id", parent)
	if err != nil {
		return err
	}
	if got != nil {
		wh, isObject := got["webhook"].(map[string]any)
		shown, _ := json.Marshal(got["webhook"])
		c.res.add("A10", rep, isObject && str(wh, "url") == webhook, "webhook read back as %s (want {\"url\": %q})", shown, webhook)
	}
	child := uuid.NewString()
	rep, _, err = c.create(ctx, "notification-groups", object{"id": child, "name": c.scratchName() + "-child", "organisationId": c.org})
	if err != nil {
		return err
	}
	if rep.status != http.StatusCreated {
		c.res.add("A11", rep, false, "creating a second scratch notification group answered %d, want 201", rep.status)
		return nil
	}
	link := uuid.NewString()
	rep, linkEntry, err := c.create(ctx, groupLinks, object{"id": link, "parentId": parent, "childId": child, "organisationId": c.org})
	if err != nil {
		return err
	}
	if rep.status != http.StatusCreated {
		c.res.add("A11", rep, false, "linking the scratch notification groups answered %d, want 201", rep.status)
		return nil
	}
	return c.checkOwnerDelete(ctx, parentEntry, linkEntry)
}

// checkOwnerDelete covers A11: the owner is deleted before its link (the
// operator does it the other way round, so either outcome must be safe):
// the link stays and deletes with 204, or it went with its owner and its
// DELETE answers 404 or 410.
func (c *checker) checkOwnerDelete(ctx context.Context, owner, link *scratchEntry) error {
	rep, err := c.deleteScratch(ctx, owner)
	if err != nil {
		return err
	}
	if rep.status >= 300 {
		c.res.add("A11", rep, true, "DELETE of a group that has a link answered %d: refused, and the operator deletes links first", rep.status)
		return nil
	}
	rep, err = c.probe.do(ctx, http.MethodGet, itemPath(link.Kind, link.ID), nil, nil)
	if err != nil {
		return err
	}
	var o object
	cascaded := rep.status == http.StatusNotFound || (rep.status == http.StatusOK && rep.json(&o) && str(o, "state") == "deleted")
	rep, err = c.deleteScratch(ctx, link)
	if err != nil {
		return err
	}
	switch {
	case !cascaded && rep.status < 300:
		c.res.add("A11", rep, true, "no cascade: the link outlived its owner, and its DELETE answered %d", rep.status)
	case cascaded && gone(rep.status):
		c.res.add("A11", rep, true, "cascade: the link went with its owner, and its DELETE answered %d", rep.status)
	default:
		c.res.add("A11", rep, false, "DELETE of the link after its owner's answered %d (cascaded: %t); want 204, or 404/410 after a cascade", rep.status, cascaded)
	}
	return nil
}
