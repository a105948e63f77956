// Package kinds declares every managed kind: its references, its PUT body and managed
// fields, its link sets, or (for the one kind whose API differs) its hand-written
// adapter. A kind is registered once, in Registry; RBAC, samples, docs, Argo CD health
// checks and tests are checked against it.
package kinds

import (
	"context"
	"errors"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// RBAC of the manager: least privilege, generated into config/rbac by controller-gen.
// Secrets: metadata is watched to notice rotation; only the Secret a Connection names is
// read; patch writes a rotated refresh token back; create and update deliver an
// OAuthClient's generated secret into the Secret it names. A test checks that every
// registered kind appears here.
//
// +kubebuilder:rbac:groups=hoxtonai.dev,resources=connections;clusterconnections;sites;cameras;peoplecountmonitors;occupancymonitors;peeloffmonitors;notificationgroups;alerts;annotations;users;oauthclients,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=hoxtonai.dev,resources=connections/status;clusterconnections/status;sites/status;cameras/status;peoplecountmonitors/status;occupancymonitors/status;peeloffmonitors/status;notificationgroups/status;alerts/status;annotations/status;users/status;oauthclients/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=hoxtonai.dev,resources=connections/finalizers;clusterconnections/finalizers;sites/finalizers;cameras/finalizers;peoplecountmonitors/finalizers;occupancymonitors/finalizers;peeloffmonitors/finalizers;notificationgroups/finalizers;alerts/finalizers;annotations/finalizers;users/finalizers;oauthclients/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;update;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Registry is the list of managed kinds, in dependency order (what is referred to
// comes first). Adding a kind means one declaration file and one line here.
func Registry() []Registration {
	return []Registration{
		register(siteKind()),
		register(cameraKind()),
		register(peopleCountMonitorKind()),
		register(occupancyMonitorKind()),
		register(peelOffMonitorKind()),
		register(notificationGroupKind()),
		register(alertKind()),
		register(annotationKind()),
		register(userKind()),
		register(oauthClientKind()),
	}
}

// SetupAll registers the reconciler of every managed kind.
func SetupAll(ctx context.Context, mgr ctrl.Manager, conns managed.Connections, opts managed.Options) error {
	kinds := Registry()
	errs := make([]error, 0, len(kinds))
	for _, k := range kinds {
		errs = append(errs, k.setup(ctx, mgr, conns, opts))
	}
	return errors.Join(errs...)
}

// NewLists returns a constructor of an empty list for every managed kind, so that
// Connections can count the objects that still use them.
func NewLists() []func() client.ObjectList {
	kinds := Registry()
	lists := make([]func() client.ObjectList, 0, len(kinds))
	for _, k := range kinds {
		lists = append(lists, k.NewList)
	}
	return lists
}

// Registration is one kind, with its type parameters hidden so kinds fit in a list.
type Registration struct {
	// Name is the kind's name, e.g. "Site".
	Name string
	// New returns an empty object of the kind.
	New func() managed.Object
	// NewList returns an empty list of the kind.
	NewList func() client.ObjectList
	setup   func(context.Context, ctrl.Manager, managed.Connections, managed.Options) error
}

func register[O managed.Object, S any](k managed.Kind[O, S]) Registration {
	return Registration{
		Name:    k.Name,
		New:     func() managed.Object { return k.New() },
		NewList: k.NewList,
		setup: func(ctx context.Context, mgr ctrl.Manager, conns managed.Connections, opts managed.Options) error {
			return managed.Setup(ctx, mgr, k, conns, opts)
		},
	}
}
