package managed

import (
	"context"
	"fmt"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
)

// The manager reads the CustomResourceDefinitions of its own kinds, one at a time,
// when one of their objects is deleted.
// +kubebuilder:rbac:groups=apiextensions.k8s.io,resources=customresourcedefinitions,verbs=get

const (
	// ReasonOrphanedCRDDeleted is the event of an object whose HoxtonAi object was
	// left in place because the object went with its CustomResourceDefinition.
	ReasonOrphanedCRDDeleted = "OrphanedCRDDeleted"
	// ReasonCRDCheckFailed is the Synced reason of an object being deleted whose
	// CustomResourceDefinition could not be read: nothing is deleted in HoxtonAi
	// until it can be told whether the object goes with its CRD.
	ReasonCRDCheckFailed = "CRDCheckFailed"
)

// CRDs tells whether an object is being deleted because its CustomResourceDefinition
// is. Deleting a CRD deletes every object of it, and an uninstall that deletes the
// CRDs (`kubectl delete -f crds/`, `make undeploy`) must not delete the HoxtonAi
// objects they manage, nor revoke the tokens of their Connections: those objects are
// orphaned, as Config Connector's deletion defender does.
//
// The CRD is read uncached, one GET per deletion, rather than from an informer on
// CRDs. An informer's view of the CRD and the cache's view of the object come from
// two watches that nothing orders: the object's deletion, which the CRD's own
// deletion causes, may reach the manager before the CRD's deletionTimestamp does, and
// a stale cache would then delete in HoxtonAi. A GET is served from etcd after both
// were written. Deletions are rare, so the GET costs little; an informer would also
// hold every CRD of the cluster and need list and watch on all of them. Only the
// metadata is read (no schema).
type CRDs struct {
	reader client.Reader
	mapper meta.RESTMapper
	scheme *runtime.Scheme
}

// NewCRDs returns the check of mgr's kinds, reading through its uncached reader.
func NewCRDs(mgr ctrl.Manager) *CRDs {
	return &CRDs{reader: mgr.GetAPIReader(), mapper: mgr.GetRESTMapper(), scheme: mgr.GetScheme()}
}

// Going returns the name of the CRD serving obj's kind and whether it is being
// deleted or is gone. An error (a role without get on customresourcedefinitions, the
// API unreachable) means it cannot be told; callers then do nothing irreversible.
func (c *CRDs) Going(ctx context.Context, obj client.Object) (crd string, going bool, err error) {
	gvk, err := apiutil.GVKForObject(obj, c.scheme)
	if err != nil {
		return "", false, err
	}
	mapping, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	switch {
	case meta.IsNoMatchError(err):
		// The API server no longer serves the kind: its CRD is gone.
		return gvk.GroupKind().String(), true, nil
	case err != nil:
		return gvk.GroupKind().String(), false, err
	}
	crd = mapping.Resource.GroupResource().String()
	def := &metav1.PartialObjectMetadata{}
	def.SetGroupVersionKind(apiextensionsv1.SchemeGroupVersion.WithKind("CustomResourceDefinition"))
	switch err := c.reader.Get(ctx, client.ObjectKey{Name: crd}, def); {
	case apierrors.IsNotFound(err):
		return crd, true, nil
	case err != nil:
		return crd, false, err
	}
	return crd, def.GetDeletionTimestamp() != nil, nil
}

// crdChecker is what the reconciler needs of CRDs.
type crdChecker interface {
	Going(ctx context.Context, obj client.Object) (crd string, going bool, err error)
}

// uninstalled finishes the deletion of an object whose CRD is being deleted
// (checkErr == nil): the HoxtonAi object is left in place and the finalizer removed.
// When the CRD could not be read (checkErr), nothing is deleted: the object says why
// and is retried with backoff.
func (r *Reconciler[O, S]) uninstalled(ctx context.Context, a *attempt[O, S], crd string, checkErr error) (ctrl.Result, error) {
	o := a.obj
	id := o.GetManagedStatus().ExternalID
	if checkErr != nil {
		r.setReady(o, false, conditions.ReasonDeleting, "")
		msg := fmt.Sprintf("delete: cannot tell whether CustomResourceDefinition %s is being deleted (%s), so HoxtonAi %s %s is not deleted yet: "+
			"objects that go with their CRD are left in place in HoxtonAi; to remove this object without deleting the HoxtonAi object, set spec.deletionPolicy: Orphan",
			crd, DescribeCRDError(checkErr), r.kind.Name, id)
		if r.setSynced(o, false, ReasonCRDCheckFailed, msg) {
			r.event(o, eventWarning, ReasonCRDCheckFailed, "Delete", "%s", msg)
		}
		return ctrl.Result{}, fmt.Errorf("reading CustomResourceDefinition %s: %w", crd, checkErr)
	}
	r.event(o, eventWarning, ReasonOrphanedCRDDeleted, "Delete",
		"left HoxtonAi %s %s in place: this object is deleted because its CustomResourceDefinition %s is, and uninstalling deletes nothing in HoxtonAi; "+
			"to manage it again, reinstall the CRD and re-apply the object (or adopt it with spec.externalID)", r.kind.Name, id, crd)
	return ctrl.Result{}, r.removeFinalizer(ctx, a)
}

// DescribeCRDError says why a CRD could not be read, naming the missing permission
// rather than quoting the API server's message.
func DescribeCRDError(err error) string {
	if apierrors.IsForbidden(err) {
		return "forbidden: the manager's role needs get on customresourcedefinitions.apiextensions.k8s.io"
	}
	return err.Error()
}
