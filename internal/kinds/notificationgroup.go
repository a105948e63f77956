package kinds

import (
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// notificationGroupKind declares NotificationGroup: upserted, with one link set, its
// child groups, which refer to the kind itself (a cycle is refused by the reconciler).
func notificationGroupKind() managed.Kind[*v1alpha1.NotificationGroup, managed.Observed[hoxton.NotificationGroup]] {
	newGroup := func() *v1alpha1.NotificationGroup { return &v1alpha1.NotificationGroup{} }
	k := managed.Kind[*v1alpha1.NotificationGroup, managed.Observed[hoxton.NotificationGroup]]{
		Name:    "NotificationGroup",
		New:     newGroup,
		NewList: func() client.ObjectList { return &v1alpha1.NotificationGroupList{} },
		IDs:     managed.DeterministicID,
		References: []managed.Reference[*v1alpha1.NotificationGroup]{{
			Field: "childGroups", Target: notificationGroupTarget, LinksOnly: true,
			Entries: func(o *v1alpha1.NotificationGroup) []managed.Entry {
				return idList(o.Spec.ChildGroupRefs, o.Spec.ChildGroupIDs)
			},
		}},
		Secrets: func(o *v1alpha1.NotificationGroup) []v1alpha1.SecretKeySelector {
			return webhookSecrets(o.Spec.Webhook)
		},
		Adapter: managed.Upserted[*v1alpha1.NotificationGroup, hoxton.NotificationGroup]{
			Collection: hoxton.NotificationGroups,
			Body: func(o *v1alpha1.NotificationGroup, id string, refs managed.Refs) (hoxton.NotificationGroup, error) {
				webhook, err := webhookOf(o.Spec.Webhook, refs)
				return hoxton.NotificationGroup{ID: id, Name: o.Spec.Name, Emails: emailsOf(o.Spec.Emails),
					Webhook: webhook, State: hoxton.StateActive}, err
			},
			Fields: []managed.Field[hoxton.NotificationGroup]{
				managed.F("name", func(g hoxton.NotificationGroup) any { return g.Name }),
				managed.F("emails", func(g hoxton.NotificationGroup) any { return sortedSet(g.Emails) }),
				managed.SensitiveF("webhook", func(g hoxton.NotificationGroup) any { return emptyNil(g.Webhook) }),
			},
			AtProvider: func(o *v1alpha1.NotificationGroup, have *hoxton.NotificationGroup, links map[string][]hoxton.Link) {
				o.Status.AtProvider = v1alpha1.NotificationGroupObservation{State: string(have.State),
					ChildGroups: managed.ObservedLinks(links["childGroups"])}
			},
			Links: []managed.LinkSet[*v1alpha1.NotificationGroup]{{Field: "childGroups", API: hoxton.NotificationGroupLinks}},
		},
	}
	k.Export = managed.UpsertedExport(k.Adapter.(managed.Upserted[*v1alpha1.NotificationGroup, hoxton.NotificationGroup]),
		listAll(hoxton.NotificationGroups), func(g hoxton.NotificationGroup) string { return g.ID },
		func(g hoxton.NotificationGroup) string { return g.Name },
		func(g hoxton.NotificationGroup, links map[string][]hoxton.Link, names managed.NameOf) *v1alpha1.NotificationGroup {
			refs, ids := refsOrIDs(names, "NotificationGroup", links["childGroups"])
			return &v1alpha1.NotificationGroup{Spec: v1alpha1.NotificationGroupSpec{
				Name: g.Name, Recipients: recipientsOf(g.Emails, g.Webhook, names("NotificationGroup", g.ID)),
				ChildGroupRefs: refs, ChildGroupIDs: ids,
			}}
		})
	return k
}
