package kinds

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// The helpers the kinds' Export declarations share: the inverse of the spec mapping
// helpers, with references turned into names where the target is exported too.

// refOrID returns a single reference to the exported object of kind with reference
// value id, or the id itself when no exported object has it.
func refOrID(names managed.NameOf, kind, id string) (*v1alpha1.LocalReference, string) {
	if id == "" {
		return nil, ""
	}
	if name := names(kind, id); name != "" {
		return &v1alpha1.LocalReference{Name: name}, ""
	}
	return nil, id
}

// refsOrIDs splits the link targets into references by name and literal ids, each
// sorted, so that the export does not depend on the order HoxtonAi lists links in.
func refsOrIDs(names managed.NameOf, kind string, links []hoxton.Link) ([]v1alpha1.LocalReference, []string) {
	var refs []v1alpha1.LocalReference
	var ids []string
	for _, l := range links {
		if ref, id := refOrID(names, kind, l.Target); ref != nil {
			refs = append(refs, *ref)
		} else if id != "" {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(refs, func(a, b v1alpha1.LocalReference) int { return cmp.Compare(a.Name, b.Name) })
	slices.Sort(ids)
	return refs, ids
}

// siteParentOf maps the site of a monitor back to the spec.
func siteParentOf(names managed.NameOf, site string) v1alpha1.SiteParent {
	ref, id := refOrID(names, "Site", site)
	return v1alpha1.SiteParent{SiteRef: ref, SiteID: id}
}

// reportingWindowOf maps a monitor's reporting dates back to the spec.
func reportingWindowOf(start, end *hoxton.Date) v1alpha1.ReportingWindow {
	return v1alpha1.ReportingWindow{ReportingStartDate: dateString(start), ReportingEndDate: dateString(end)}
}

// positionsOf maps a monitor's camera-position links back to the spec, the direction
// mapping left out where it is the default.
func positionsOf(names managed.NameOf, links []hoxton.Link) v1alpha1.MonitorCameraPositions {
	out := make(v1alpha1.MonitorCameraPositions, 0, len(links))
	for _, l := range links {
		ref, id := refOrID(names, "Camera", l.Target)
		p := v1alpha1.MonitorCameraPosition{CameraRef: ref, CameraPositionID: id}
		if m := v1alpha1.DirectionMapping(l.Attrs["direction1Maps"]); m != v1alpha1.Direction1 {
			p.Direction1Maps = m
		}
		if m := v1alpha1.DirectionMapping(l.Attrs["direction2Maps"]); m != v1alpha1.Direction2 {
			p.Direction2Maps = m
		}
		out = append(out, p)
	}
	key := func(p v1alpha1.MonitorCameraPosition) string {
		if p.CameraRef != nil {
			return "0" + p.CameraRef.Name
		}
		return "1" + p.CameraPositionID
	}
	slices.SortFunc(out, func(a, b v1alpha1.MonitorCameraPosition) int { return cmp.Compare(key(a), key(b)) })
	if len(out) == 0 {
		return nil
	}
	return out
}

// rawOf maps a free-form wire object to the spec type (nil when empty).
func rawOf(m map[string]any) *runtime.RawExtension {
	if len(m) == 0 {
		return nil
	}
	// encoding/json sorts map keys: the export stays byte-identical.
	data, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return &runtime.RawExtension{Raw: data}
}

// WebhookSecretKey is the key of the Secret an exported webhook URL is read from.
const WebhookSecretKey = "url"

// WebhookSecretName names the Secret an exported object's webhook URL is read from:
// the URL may carry a token, so an export never writes it into a manifest.
func WebhookSecretName(objectName string) string { return objectName + "-webhook" }

// recipientsOf maps emails and a webhook back to the spec; a webhook becomes a
// reference to the Secret WebhookSecretName(own name).
func recipientsOf(emails []string, webhook map[string]any, ownName string) v1alpha1.Recipients {
	var r v1alpha1.Recipients
	for _, e := range emails {
		r.Emails = append(r.Emails, v1alpha1.EmailAddress(e))
	}
	if len(webhook) > 0 {
		r.Webhook = &v1alpha1.Webhook{URLSecretRef: &v1alpha1.SecretKeySelector{Name: WebhookSecretName(ownName), Key: WebhookSecretKey}}
	}
	return r
}

// int32Of maps an optional wire integer to the spec type.
func int32Of(p *int) *int32 {
	if p == nil {
		return nil
	}
	v := int32(*p) //nolint:gosec // minutes of a day, validated by the API
	return &v
}

// dateString maps an optional wire date to the spec.
func dateString(d *hoxton.Date) string {
	if d == nil {
		return ""
	}
	return string(*d)
}

// listInSite lists a collection of objects that belong to a site, only those of site
// when it is not empty.
func listInSite[T any](col hoxton.Collection[T]) func(ctx context.Context, c *hoxton.Client, site string) ([]T, error) {
	return func(ctx context.Context, c *hoxton.Client, site string) ([]T, error) {
		return col.List(ctx, c, "siteId", site)
	}
}

// listAll lists an organisation-wide collection whatever the site.
func listAll[T any](col hoxton.Collection[T]) func(ctx context.Context, c *hoxton.Client, site string) ([]T, error) {
	return func(ctx context.Context, c *hoxton.Client, _ string) ([]T, error) {
		return col.List(ctx, c)
	}
}

// nonEmpty returns v, or def when v is empty.
func nonEmpty(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
