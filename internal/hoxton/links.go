package hoxton

import (
	"context"
	"encoding/json"
	"net/http"
)

// MonitorDirection names a monitor direction a camera direction counts towards
// (Assumption A5).
type MonitorDirection string

// The monitor directions of Assumption A5.
const (
	// MonitorDirection1 is the monitor's direction 1.
	MonitorDirection1 MonitorDirection = "direction1"
	// MonitorDirection2 is the monitor's direction 2.
	MonitorDirection2 MonitorDirection = "direction2"
)

// Link is one link object: it joins an owner (a monitor, an alert, a parent group) to
// a target (a camera position, a notification group, an occupancy monitor, a child
// group). Attrs holds the link's own fields (a monitor link's direction mapping),
// which are compared for drift; mappings have none.
type Link struct {
	ID     string
	Owner  string
	Target string
	Attrs  map[string]string
}

// LinkCollection is a collection of link objects that is listed by owner. Every link
// collection of the contract has the same shape: PUT upserts, DELETE soft-deletes,
// GET ?<owner field>= lists the owner's active links. Only the names of the owner and
// target fields, and the link's own attributes, differ.
type LinkCollection struct {
	// Path is the collection path, for example "/alert-camera-position-mappings".
	Path string
	// Resource is the metrics label.
	Resource string
	// OwnerField and TargetField are the JSON fields of the two ends.
	OwnerField, TargetField string
	// AttrFields are the link's own string fields.
	AttrFields []string
	scope      Scope
}

// NewLinkCollection returns the link collection stored at "/"+resource.
func NewLinkCollection(resource, ownerField, targetField string, scope Scope, attrFields ...string) LinkCollection {
	return LinkCollection{Path: "/" + resource, Resource: resource, OwnerField: ownerField, TargetField: targetField,
		AttrFields: attrFields, scope: scope}
}

// The link collections of the contract.
var (
	// Assumption A5: the three monitor camera-position collections follow the upsert /
	// soft-delete pattern of the alert mappings (every operation on them is x-inferred,
	// x-confidence low), with the direction mapping as the link's own fields.
	PeopleCountMonitorCameraPositions = NewLinkCollection("people-count-monitor-camera-positions",
		"peopleCountMonitorId", "cameraPositionId", ListedByOrganisation, "direction1Maps", "direction2Maps")
	OccupancyMonitorCameraPositions = NewLinkCollection("occupancy-monitor-camera-positions",
		"occupancyMonitorId", "cameraPositionId", ListedByOrganisation, "direction1Maps", "direction2Maps")
	PeelOffMonitorCameraPositions = NewLinkCollection("peel-off-monitor-camera-positions",
		"peelOffMonitorId", "cameraPositionId", ListedByOrganisation, "direction1Maps", "direction2Maps")

	// The alert mappings. Inferred (x-inferred in openapi.yaml): their GET paths were
	// assumed from the DELETE paths.
	AlertNotificationGroupMappings = NewLinkCollection("alert-notification-group-mappings",
		"alertId", "notificationGroupId", ListedByOrganisation)
	AlertCameraPositionMappings = NewLinkCollection("alert-camera-position-mappings",
		"alertId", "cameraPositionId", ListedByOrganisation)
	AlertOccupancyMonitorMappings = NewLinkCollection("alert-occupancy-monitor-mappings",
		"alertId", "occupancyMonitorId", ListedByOrganisation)

	// NotificationGroupLinks nests a child group in a parent group (schema
	// NotificationGroupLink); its bodies carry the organisation.
	NotificationGroupLinks = NewLinkCollection("notification-group-notification-groups",
		"parentId", "childId", CarriesOrganisation)
)

// Put upserts l as an active link.
// Assumption A5 (monitor links) and A8: a PUT naming a soft-deleted link answers 410.
func (lc LinkCollection) Put(ctx context.Context, c *Client, l Link) (PutResult, error) {
	body := map[string]any{"id": l.ID, lc.OwnerField: l.Owner, lc.TargetField: l.Target, "state": StateActive}
	for _, f := range lc.AttrFields {
		if v, ok := l.Attrs[f]; ok && v != "" {
			body[f] = v
		}
	}
	if lc.scope == CarriesOrganisation {
		body["organisationId"] = c.org
	}
	return put(ctx, c, lc.Resource, lc.Path, body)
}

// Get reads one link.
func (lc LinkCollection) Get(ctx context.Context, c *Client, id string) (*Link, error) {
	var raw map[string]any
	if err := get(ctx, c, lc.Resource, lc.Path, wireID, id, &raw); err != nil {
		return nil, err
	}
	l := lc.fromWire(raw)
	return &l, nil
}

// Delete soft-deletes one link.
func (lc LinkCollection) Delete(ctx context.Context, c *Client, id string) error {
	// The DELETE names the link, not its owner: the whole collection is listed again.
	defer c.sweeps.wroteAt(lc.Path)
	return del(ctx, c, lc.Resource, lc.Path, id)
}

// List returns the active links of one owner.
// Assumption A2: link collections are listed by owner, ?<owner field>=.
func (lc LinkCollection) List(ctx context.Context, c *Client, ownerID string) ([]Link, error) {
	if ownerID == "" {
		return nil, invalid(http.MethodGet, lc.Path, lc.Resource, msgEmptyID)
	}
	if swept, ok := sweptLinks(ctx, c, lc, ownerID); ok {
		out := make([]Link, 0, len(swept))
		for _, item := range swept {
			var r map[string]any
			if err := json.Unmarshal(item, &r); err != nil {
				return nil, &APIError{StatusCode: http.StatusOK, Method: http.MethodGet, Path: lc.Path, Resource: lc.Resource, Message: MsgDecode, Err: err}
			}
			out = append(out, lc.fromWire(r))
		}
		return out, nil
	}
	raw, err := list[map[string]any](ctx, c, lc.Resource, lc.Path, filters(lc.OwnerField, ownerID))
	if err != nil {
		return nil, err
	}
	out := make([]Link, 0, len(raw))
	for _, r := range raw {
		out = append(out, lc.fromWire(r))
	}
	return out, nil
}

// fromWire reads a link object's ends and attributes.
func (lc LinkCollection) fromWire(raw map[string]any) Link {
	str := func(f string) string {
		switch v := raw[f].(type) {
		case string:
			return v
		case nil:
			return ""
		default:
			b, _ := json.Marshal(v)
			return string(b)
		}
	}
	l := Link{ID: str("id"), Owner: str(lc.OwnerField), Target: str(lc.TargetField)}
	for _, f := range lc.AttrFields {
		if v := str(f); v != "" {
			if l.Attrs == nil {
				l.Attrs = map[string]string{}
			}
			l.Attrs[f] = v
		}
	}
	return l
}
