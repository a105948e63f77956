package controller

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// link is a monitor camera-position link, whichever monitor kind owns it.
type link struct {
	ID               string
	CameraPositionID string
	Direction1Maps   hoxton.MonitorDirection
	Direction2Maps   hoxton.MonitorDirection
}

// linkAPI is the API of one monitor kind's camera-position links.
type linkAPI struct {
	kind string // names the link kind in derived ids
	list func(ctx context.Context, c *hoxton.Client, ownerID string) ([]link, error)
	put  func(ctx context.Context, c *hoxton.Client, ownerID string, l link) error
	del  func(ctx context.Context, c *hoxton.Client, id string) error
}

// maxLinkIDAttempts bounds the ids tried for one link when earlier ones were deleted.
const maxLinkIDAttempts = 8

// linkDiff describes how the observed links differ from the desired ones.
func linkDiff(want, have []link) string {
	var d differences
	for _, w := range want {
		h, ok := findLink(have, w.CameraPositionID)
		switch {
		case !ok:
			d.add("cameraPositions: add %s", w.CameraPositionID)
		case h.Direction1Maps != w.Direction1Maps || h.Direction2Maps != w.Direction2Maps:
			d.add("cameraPositions: %s maps directions to %s/%s, want %s/%s", w.CameraPositionID, h.Direction1Maps, h.Direction2Maps, w.Direction1Maps, w.Direction2Maps)
		}
	}
	for _, h := range have {
		if _, ok := findLink(want, h.CameraPositionID); !ok {
			d.add("cameraPositions: remove %s", h.CameraPositionID)
		}
	}
	return d.String()
}

// syncLinks makes the owner's active links (have, as just listed) match want: it
// updates links whose mapping differs, creates missing ones and deletes extra ones.
// The listing is the source of truth, so a link created before a crash is found, not
// duplicated. A new
// link gets an id derived from owner and camera position; when that id belongs to a
// link deleted earlier (410: ids are never reused), the next derived id is tried.
func (a linkAPI) syncLinks(ctx context.Context, c *hoxton.Client, space uuid.UUID, ownerID string, want, have []link) error {
	for _, w := range want {
		h, ok := findLink(have, w.CameraPositionID)
		switch {
		case ok && h.Direction1Maps == w.Direction1Maps && h.Direction2Maps == w.Direction2Maps:
		case ok:
			w.ID = h.ID
			if err := a.put(ctx, c, ownerID, w); err != nil {
				return err
			}
		default:
			if err := a.create(ctx, c, space, ownerID, w); err != nil {
				return err
			}
		}
	}
	for _, h := range have {
		if _, ok := findLink(want, h.CameraPositionID); !ok {
			if err := hoxton.IgnoreGone(a.del(ctx, c, h.ID)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (a linkAPI) create(ctx context.Context, c *hoxton.Client, space uuid.UUID, ownerID string, w link) error {
	for attempt := range maxLinkIDAttempts {
		target := w.CameraPositionID
		if attempt > 0 {
			target += "#" + strconv.Itoa(attempt)
		}
		w.ID = managed.LinkIDFor(space, a.kind, ownerID, target)
		err := a.put(ctx, c, ownerID, w)
		if !hoxton.IsGone(err) {
			return err
		}
	}
	return managed.Terminal("camera position %s: the last %d ids for its link to %s were all deleted in HoxtonAi", w.CameraPositionID, maxLinkIDAttempts, ownerID)
}

func findLink(links []link, cameraPositionID string) (link, bool) {
	i := slices.IndexFunc(links, func(l link) bool { return l.CameraPositionID == cameraPositionID })
	if i < 0 {
		return link{}, false
	}
	return links[i], true
}

// linkStatus reports links in the status, in a stable order.
func linkStatus(links []link) []v1alpha1.CameraPositionLink {
	out := make([]v1alpha1.CameraPositionLink, 0, len(links))
	for _, l := range links {
		out = append(out, v1alpha1.CameraPositionLink{ID: l.ID, CameraPositionID: l.CameraPositionID})
	}
	slices.SortFunc(out, func(a, b v1alpha1.CameraPositionLink) int {
		return strings.Compare(a.CameraPositionID, b.CameraPositionID)
	})
	return out
}

// directionOf maps a spec direction mapping, with its default, to the wire type.
func directionOf(m v1alpha1.DirectionMapping, def hoxton.MonitorDirection) hoxton.MonitorDirection {
	if m == "" {
		return def
	}
	return hoxton.MonitorDirection(m)
}
