package hoxton

import (
	"context"
	"time"
)

// NotificationGroup is a named set of recipients (schema NotificationGroup). DeletedAt is
// output only.
type NotificationGroup struct {
	ID             string         `json:"id,omitempty"`
	Name           string         `json:"name"`
	OrganisationID string         `json:"organisationId"`
	Emails         []string       `json:"emails,omitempty"`
	Webhook        map[string]any `json:"webhook,omitempty"`
	State          State          `json:"state,omitempty"`
	DeletedAt      *time.Time     `json:"deletedAt,omitempty"`
}

// NotificationGroupLink nests the child group inside the parent group (schema
// NotificationGroupLink, collection /notification-group-notification-groups). DeletedAt
// is output only.
type NotificationGroupLink struct {
	ID             string     `json:"id,omitempty"`
	ParentID       string     `json:"parentId"`
	ChildID        string     `json:"childId"`
	OrganisationID string     `json:"organisationId"`
	State          State      `json:"state,omitempty"`
	DeletedAt      *time.Time `json:"deletedAt,omitempty"`
}

var (
	notificationGroups     = newCollection[NotificationGroup]("notification-groups")
	notificationGroupLinks = newCollection[NotificationGroupLink]("notification-group-notification-groups")
)

// PutNotificationGroup creates or updates a notification group; an empty OrganisationID
// is filled with the client's.
func (c *Client) PutNotificationGroup(ctx context.Context, g NotificationGroup) (PutResult, error) {
	g.OrganisationID = c.orgOr(g.OrganisationID)
	g.DeletedAt = nil
	return notificationGroups.put(ctx, c, g)
}

// GetNotificationGroup returns one notification group; a deleted one is reported as Gone.
func (c *Client) GetNotificationGroup(ctx context.Context, id string) (*NotificationGroup, error) {
	return notificationGroups.get(ctx, c, id)
}

// DeleteNotificationGroup soft-deletes a notification group.
func (c *Client) DeleteNotificationGroup(ctx context.Context, id string) error {
	return notificationGroups.delete(ctx, c, id)
}

// ListNotificationGroups returns the active notification groups of the client's
// organisation.
func (c *Client) ListNotificationGroups(ctx context.Context) ([]NotificationGroup, error) {
	// Assumption A2: GET /notification-groups?organisationId= lists the groups.
	return notificationGroups.list(ctx, c, filters("organisationId", c.org))
}

// PutNotificationGroupLink creates or updates a parent/child group link; an empty
// OrganisationID is filled with the client's.
func (c *Client) PutNotificationGroupLink(ctx context.Context, l NotificationGroupLink) (PutResult, error) {
	l.OrganisationID = c.orgOr(l.OrganisationID)
	l.DeletedAt = nil
	return notificationGroupLinks.put(ctx, c, l)
}

// GetNotificationGroupLink returns one parent/child group link.
func (c *Client) GetNotificationGroupLink(ctx context.Context, id string) (*NotificationGroupLink, error) {
	// Inferred (x-inferred in openapi.yaml): the GET path was assumed from the DELETE.
	return notificationGroupLinks.get(ctx, c, id)
}

// DeleteNotificationGroupLink soft-deletes a parent/child group link.
func (c *Client) DeleteNotificationGroupLink(ctx context.Context, id string) error {
	return notificationGroupLinks.delete(ctx, c, id)
}

// ListNotificationGroupLinks returns the active child links of one parent group.
func (c *Client) ListNotificationGroupLinks(ctx context.Context, parentID string) ([]NotificationGroupLink, error) {
	// Assumption A2: link collections are listed by owner, ?parentId=.
	return notificationGroupLinks.list(ctx, c, filters("parentId", parentID))
}
