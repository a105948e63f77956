package controller

import (
	"context"
	"errors"

	"github.com/google/uuid"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// RBAC of the manager: least privilege, generated into config/rbac by controller-gen.
// Secrets: metadata is watched to notice rotation; only the Secret a Connection names is
// read; patch writes a rotated refresh token back.
//
// +kubebuilder:rbac:groups=hoxtonai.dev,resources=connections;clusterconnections;sites;cameras;peoplecountmonitors,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=hoxtonai.dev,resources=connections/status;clusterconnections/status;sites/status;cameras/status;peoplecountmonitors/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=hoxtonai.dev,resources=connections/finalizers;clusterconnections/finalizers;sites/finalizers;cameras/finalizers;peoplecountmonitors/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// kinds is the explicit list of managed kinds. Adding a kind means adding one line
// here and one adapter file.
func kinds(space uuid.UUID) []registration {
	return []registration{
		register(siteKind()),
		register(cameraKind()),
		register(peopleCountMonitorKind(space)),
	}
}

// SetupAll registers the reconciler of every managed kind.
func SetupAll(ctx context.Context, mgr ctrl.Manager, conns managed.Connections, opts managed.Options) error {
	all := kinds(opts.IDNamespace)
	errs := make([]error, 0, len(all))
	for _, k := range all {
		errs = append(errs, k.setup(ctx, mgr, conns, opts))
	}
	return errors.Join(errs...)
}

// NewLists returns a constructor of an empty list for every managed kind, so that
// Connections can count the objects that still use them.
func NewLists() []func() client.ObjectList {
	all := kinds(uuid.Nil)
	lists := make([]func() client.ObjectList, 0, len(all))
	for _, k := range all {
		lists = append(lists, k.newList)
	}
	return lists
}

// registration is one kind, with its type parameters hidden so kinds fit in a list.
type registration struct {
	setup   func(context.Context, ctrl.Manager, managed.Connections, managed.Options) error
	newList func() client.ObjectList
}

func register[O managed.Object, R any](k managed.Kind[O, R]) registration {
	return registration{
		setup: func(ctx context.Context, mgr ctrl.Manager, conns managed.Connections, opts managed.Options) error {
			return managed.Setup(ctx, mgr, k, conns, opts)
		},
		newList: k.NewList,
	}
}
