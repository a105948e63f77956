package kinds

import (
	"context"
	"time"

	// The IANA time zone database, embedded so that a site's time zone is checked
	// against it whatever the host or image carries.
	_ "time/tzdata"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// siteKind declares Site: upserted at /sites, no references, no links.
var siteKind = managed.Upserted[*v1alpha1.Site, hoxton.Site]{
	Name:       "Site",
	New:        func() *v1alpha1.Site { return &v1alpha1.Site{} },
	NewList:    func() client.ObjectList { return &v1alpha1.SiteList{} },
	Collection: hoxton.Sites,
	Body:       siteBody,
	Fields: []managed.Field[hoxton.Site]{
		managed.F("name", func(s hoxton.Site) any { return s.Name }),
		managed.F("address", func(s hoxton.Site) any { return s.Address }),
		managed.F("timeZone", func(s hoxton.Site) any { return s.TZ }),
		managed.F("openingHours", func(s hoxton.Site) any { return emptyNil(s.OpeningHour) }),
	},
	AtProvider: func(o *v1alpha1.Site, have *hoxton.Site, _ managed.Links) {
		o.Status.AtProvider = v1alpha1.SiteObservation{State: string(have.State)}
	},
	List:  listSites,
	ID:    func(s hoxton.Site) string { return s.ID },
	Label: func(s hoxton.Site) string { return s.Name },
	Manifest: func(s hoxton.Site, _ managed.Links, _ managed.NameOf) *v1alpha1.Site {
		return &v1alpha1.Site{Spec: v1alpha1.SiteSpec{Name: s.Name, Address: s.Address, TimeZone: s.TZ, OpeningHours: rawOf(s.OpeningHour)}}
	},
}

// siteBody maps the spec to the full site PUT body. A time zone the IANA database
// does not know is refused before any write: HoxtonAi would store it and report in
// the wrong zone.
func siteBody(o *v1alpha1.Site, id string, _ managed.Refs) (hoxton.Site, error) {
	if tz := o.Spec.TimeZone; tz != "" {
		if _, err := time.LoadLocation(tz); err != nil {
			return hoxton.Site{}, managed.Terminal("spec.timeZone %q is not a time zone of the IANA database (for example Europe/London)", tz)
		}
	}
	hours, err := objectOf(o.Spec.OpeningHours)
	if err != nil {
		return hoxton.Site{}, managed.Terminal("spec.openingHours: %v", err)
	}
	return hoxton.Site{ID: id, Name: o.Spec.Name, Address: o.Spec.Address, TZ: o.Spec.TimeZone, OpeningHour: hours, State: hoxton.StateActive}, nil
}

// listSites lists the organisation's sites, or the one site exported.
func listSites(ctx context.Context, c *hoxton.Client, site string) ([]hoxton.Site, error) {
	if site == "" {
		return hoxton.Sites.List(ctx, c)
	}
	s, err := hoxton.Sites.Get(ctx, c, site)
	if err != nil {
		return nil, err
	}
	return []hoxton.Site{*s}, nil
}
