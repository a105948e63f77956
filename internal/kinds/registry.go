// Package kinds declares every managed kind: its reference fields (typed handles), its
// PUT body and managed fields, its link sets and its export, or (for the three kinds
// whose API differs: Camera, User, OAuthClient) its hand-written adapter. A kind is registered once, in Registry;
// RBAC, samples, docs, Argo CD health checks and tests are checked against it.
package kinds

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
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
		register(siteKind.Kind()),
		register(cameraKind()),
		register(peopleCountMonitorKind.Kind()),
		register(occupancyMonitorKind.Kind()),
		register(peelOffMonitorKind.Kind()),
		register(notificationGroupKind.Kind()),
		register(alertKind.Kind()),
		register(annotationKind.Kind()),
		register(userKind()),
		register(oauthClientKind()),
	}
}

// SetupAll registers the reconciler of every managed kind.
func SetupAll(ctx context.Context, mgr ctrl.Manager, conns managed.Connections, opts managed.Options) error {
	registry := Registry()
	errs := make([]error, 0, len(registry))
	for _, k := range registry {
		errs = append(errs, k.setup(ctx, mgr, conns, opts))
	}
	return errors.Join(errs...)
}

// NewLists returns a constructor of an empty list for every managed kind, so that
// Connections can count the objects that still use them.
func NewLists() []func() client.ObjectList {
	registry := Registry()
	lists := make([]func() client.ObjectList, 0, len(registry))
	for _, k := range registry {
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
	// ReferenceFields are the kind's reference fields, e.g. "siteRef".
	ReferenceFields []string
	// TargetKinds are the kinds its reference fields point at, e.g. "Site".
	TargetKinds []string
	// Refers lists the objects a manifest names in its reference fields (of its own
	// namespace; ids given literally are left out), for hoxtonctl tree.
	Refers func(o managed.Object) []Referral
	// Exportable says the kind declares an Export; a test requires it of every kind.
	Exportable bool
	// Export reads the organisation's objects of the kind as manifests, for
	// hoxtonctl export (and, ids only, for the unmanaged objects of hoxtonctl diff).
	Export func(ctx context.Context, c *hoxton.Client, opts managed.ListOptions) ([]managed.Exported, error)
	// IDOf is the id the reconciler gives a manifest before any call ("" for a
	// server-assigned id not known yet).
	IDOf func(o managed.Object, org string, space uuid.UUID) string
	// Secrets names the Secret keys a manifest takes values from (nil for none).
	Secrets func(o managed.Object) []v1alpha1.SecretKeySelector
	// Plan says what the reconciler would write for a manifest, for hoxtonctl diff.
	Plan func(ctx context.Context, c *hoxton.Client, o managed.Object, in managed.PlanInput) (managed.Planned, error)
	// Validate refuses an inconsistent declaration (managed.Kind.Validate); the
	// manager's setup calls it too.
	Validate func() error
	setup    func(context.Context, ctrl.Manager, managed.Connections, managed.Options) error
}

// Referral is one object a reference field names.
type Referral struct {
	Field, Kind, Name string
}

func register[O managed.Object, S any](k managed.Kind[O, S]) Registration {
	fields := make([]string, 0, len(k.References))
	var targets []string
	for _, ref := range k.References {
		fields = append(fields, ref.Field.String())
		if !slices.Contains(targets, ref.Target.Kind) {
			targets = append(targets, ref.Target.Kind)
		}
	}
	return Registration{
		ReferenceFields: fields,
		TargetKinds:     targets,
		Refers: func(o managed.Object) []Referral {
			var out []Referral
			for _, ref := range k.References {
				for _, e := range ref.Entries(o.(O)) {
					if e.Name != "" {
						out = append(out, Referral{Field: ref.Field.String(), Kind: ref.Target.Kind, Name: e.Name})
					}
				}
			}
			return out
		},
		Name:       k.Name,
		New:        func() managed.Object { return k.New() },
		NewList:    k.NewList,
		Exportable: k.Export != nil,
		Export: func(ctx context.Context, c *hoxton.Client, opts managed.ListOptions) ([]managed.Exported, error) {
			return managed.ExportAll(ctx, k, c, opts)
		},
		IDOf: func(o managed.Object, org string, space uuid.UUID) string { return managed.IDOf(k, o.(O), org, space) },
		Secrets: func(o managed.Object) []v1alpha1.SecretKeySelector {
			if k.Secrets == nil {
				return nil
			}
			return k.Secrets(o.(O))
		},
		Plan: func(ctx context.Context, c *hoxton.Client, o managed.Object, in managed.PlanInput) (managed.Planned, error) {
			return managed.Plan(ctx, k, c, o.(O), in)
		},
		Validate: k.Validate,
		setup: func(ctx context.Context, mgr ctrl.Manager, conns managed.Connections, opts managed.Options) error {
			return managed.Setup(ctx, mgr, k, conns, opts)
		},
	}
}
