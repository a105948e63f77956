package kinds

import (
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// childGroups are a notification group's child groups, made links.
var childGroups = managed.NewRefField("childGroups")

// notificationGroupKind declares NotificationGroup: upserted, with one link set, its
// child groups, which refer to the kind itself (a cycle is refused by the reconciler).
var notificationGroupKind = managed.Upserted[*v1alpha1.NotificationGroup, hoxton.NotificationGroup]{
	Name:    "NotificationGroup",
	New:     func() *v1alpha1.NotificationGroup { return &v1alpha1.NotificationGroup{} },
	NewList: func() client.ObjectList { return &v1alpha1.NotificationGroupList{} },
	References: []managed.Reference[*v1alpha1.NotificationGroup]{{Field: childGroups, Target: notificationGroupTarget, LinksOnly: true,
		Entries: func(o *v1alpha1.NotificationGroup) []managed.Entry {
			return idList(o.Spec.ChildGroupRefs, o.Spec.ChildGroupIDs)
		}}},
	Secrets: func(o *v1alpha1.NotificationGroup) []v1alpha1.SecretKeySelector {
		return webhookSecrets(o.Spec.Webhook)
	},
	Collection: hoxton.NotificationGroups,
	Body: func(o *v1alpha1.NotificationGroup, id string, refs managed.Refs) (hoxton.NotificationGroup, error) {
		webhook, err := webhookOf(o.Spec.Webhook, refs)
		return hoxton.NotificationGroup{ID: id, Name: o.Spec.Name, Emails: emailsOf(o.Spec.Emails), Webhook: webhook, State: hoxton.StateActive}, err
	},
	Fields: []managed.Field[hoxton.NotificationGroup]{
		managed.F("name", func(g hoxton.NotificationGroup) any { return g.Name }),
		managed.F("emails", func(g hoxton.NotificationGroup) any { return sortedSet(g.Emails) }),
		managed.SensitiveF("webhook", func(g hoxton.NotificationGroup) any { return emptyNil(g.Webhook) }),
	},
	AtProvider: func(o *v1alpha1.NotificationGroup, have *hoxton.NotificationGroup, links managed.Links) {
		o.Status.AtProvider = v1alpha1.NotificationGroupObservation{State: string(have.State), ChildGroups: managed.ObservedLinks(links[childGroups])}
	},
	Links: []managed.LinkSet[*v1alpha1.NotificationGroup]{{Field: childGroups, API: hoxton.NotificationGroupLinks}},
	List:  listAll(hoxton.NotificationGroups),
	ID:    func(g hoxton.NotificationGroup) string { return g.ID },
	Label: func(g hoxton.NotificationGroup) string { return g.Name },
	Manifest: func(g hoxton.NotificationGroup, links managed.Links, names managed.NameOf) *v1alpha1.NotificationGroup {
		refs, ids := refsOrIDs(names, "NotificationGroup", links[childGroups])
		return &v1alpha1.NotificationGroup{Spec: v1alpha1.NotificationGroupSpec{Name: g.Name,
			Recipients: recipientsOf(g.Emails, g.Webhook, names("NotificationGroup", g.ID)), ChildGroupRefs: refs, ChildGroupIDs: ids}}
	},
}
