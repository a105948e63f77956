package controller

import (
	"context"
	"errors"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// RBAC of the manager: least privilege, generated into config/rbac by controller-gen.
// Secrets: metadata is watched to notice rotation; only the Secret a Connection names is
// read; patch writes a rotated refresh token back.
//
// +kubebuilder:rbac:groups=hoxtonai.dev,resources=connections;clusterconnections;sites;cameras;peoplecountmonitors,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=hoxtonai.dev,resources=connections/status;clusterconnections/status;sites/status;cameras/status;peoplecountmonitors/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=hoxtonai.dev,resources=sites/finalizers;cameras/finalizers;peoplecountmonitors/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// SetupAll registers the reconciler of every managed kind. Adding a kind means adding
// one line here and one adapter file.
func SetupAll(ctx context.Context, mgr ctrl.Manager, conns managed.Connections, opts managed.Options) error {
	return errors.Join(
		managed.Setup(ctx, mgr, siteKind(), conns, opts),
		managed.Setup(ctx, mgr, cameraKind(), conns, opts),
		managed.Setup(ctx, mgr, peopleCountMonitorKind(opts.IDNamespace), conns, opts),
	)
}
