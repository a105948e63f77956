package managed

import (
	"context"
	"errors"
	"slices"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
)

// fakeCRDs answers the reconciler's CRD check; the zero value says the CRD is in
// place.
type fakeCRDs struct {
	going bool
	err   error
	calls int
}

func (f *fakeCRDs) Going(context.Context, client.Object) (string, bool, error) {
	f.calls++
	return "sites.hoxtonai.dev", f.going, f.err
}

// TestDeletionWithItsCRD: an object deleted because its CRD is being deleted is
// orphaned whatever its policy, without asking for a client; when the CRD cannot be
// read nothing is deleted, the object says why, and the deletion is retried.
func TestDeletionWithItsCRD(t *testing.T) {
	const id = "id-1"
	t.Run("CRD being deleted orphans", func(t *testing.T) {
		e := newEnv(t, newSite("hq", inSync(id), deleting))
		e.crds.going = true
		e.conns.err = errors.New("must not be asked")
		if _, err := e.reconcile("hq"); err != nil {
			t.Fatalf("Reconcile: %v", err)
		}
		if ops := e.ad.ops(); len(ops) != 0 || len(e.conns.clientFor) != 0 {
			t.Errorf("adapter calls %v, ClientFor calls %d; want none", ops, len(e.conns.clientFor))
		}
		if s := e.get("hq"); s != nil {
			t.Errorf("object still exists with finalizers %v", s.Finalizers)
		}
		wantEvents(t, e.events(), "Warning OrphanedCRDDeleted left HoxtonAi Site "+id+" in place: this object is deleted because its CustomResourceDefinition sites.hoxtonai.dev is")
	})
	t.Run("CRD unreadable keeps the finalizer", func(t *testing.T) {
		e := newEnv(t, newSite("hq", inSync(id), deleting))
		e.crds.err = apierrors.NewForbidden(schema.GroupResource{Group: "apiextensions.k8s.io", Resource: "customresourcedefinitions"}, "sites.hoxtonai.dev", errors.New("RBAC"))
		for range 2 {
			if _, err := e.reconcile("hq"); !errors.Is(err, e.crds.err) {
				t.Fatalf("Reconcile error = %v, want the CRD read's, for a retry with backoff", err)
			}
		}
		if ops := e.ad.ops(); len(ops) != 0 || len(e.conns.clientFor) != 0 {
			t.Errorf("adapter calls %v, ClientFor calls %d; want none", ops, len(e.conns.clientFor))
		}
		s := e.get("hq")
		if s == nil || !controllerutil.ContainsFinalizer(s, Finalizer) {
			t.Fatalf("finalizer removed although the CRD could not be read: %+v", s)
		}
		wantCond(t, s, conditions.TypeSynced, metav1.ConditionFalse, ReasonCRDCheckFailed,
			"cannot tell whether CustomResourceDefinition sites.hoxtonai.dev is being deleted (forbidden: the manager's role needs get on customresourcedefinitions")
		wantCond(t, s, conditions.TypeReady, metav1.ConditionFalse, conditions.ReasonDeleting, "")
		wantEvents(t, e.events(), "Warning CRDCheckFailed delete: cannot tell") // once, not per retry

		e.crds.err = nil
		if _, err := e.reconcile("hq"); err != nil {
			t.Fatalf("Reconcile once the CRD can be read: %v", err)
		}
		if got := e.ad.ops(); !slices.Equal(got, []string{"delete"}) {
			t.Errorf("adapter calls = %v, want [delete]", got)
		}
	})
	t.Run("not asked when nothing would be deleted", func(t *testing.T) {
		orphan := func(s *v1alpha1.Site) { s.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan }
		e := newEnv(t, newSite("hq", inSync(id), orphan, deleting), newSite("new", deleting))
		e.crds.err = errors.New("must not be asked")
		for _, name := range []string{"hq", "new"} {
			if _, err := e.reconcile(name); err != nil {
				t.Fatalf("Reconcile %s: %v", name, err)
			}
		}
		if e.crds.calls != 0 {
			t.Errorf("CRD read %d times, want none", e.crds.calls)
		}
	})
}

// TestCRDsGoing: the CRD is found by the kind's resource name; being deleted or gone
// (or the kind no longer served) is going; any other error is an error.
func TestCRDsGoing(t *testing.T) {
	now := metav1.Now()
	tests := []struct {
		name      string
		served    bool
		getErr    error
		deletedAt *metav1.Time
		going     bool
		wantErr   bool
	}{
		{name: "in place", served: true},
		{name: "being deleted", served: true, deletedAt: &now, going: true},
		{name: "gone", served: true, getErr: apierrors.NewNotFound(schema.GroupResource{}, "sites.hoxtonai.dev"), going: true},
		{name: "kind no longer served", going: true},
		{name: "forbidden", served: true, getErr: apierrors.NewForbidden(schema.GroupResource{}, "sites.hoxtonai.dev", errors.New("RBAC")), wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			scheme := newScheme(t)
			mapper := meta.NewDefaultRESTMapper(nil)
			if tc.served {
				mapper.Add(v1alpha1.GroupVersion.WithKind("Site"), meta.RESTScopeNamespace)
			}
			var asked []string
			c := fake.NewClientBuilder().WithScheme(scheme).WithRESTMapper(mapper).WithInterceptorFuncs(interceptor.Funcs{
				Get: func(_ context.Context, _ client.WithWatch, key client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
					asked = append(asked, obj.GetObjectKind().GroupVersionKind().Kind+" "+key.Name)
					obj.SetDeletionTimestamp(tc.deletedAt)
					return tc.getErr
				},
			}).Build()
			crds := &CRDs{reader: c, mapper: mapper, scheme: scheme}
			crd, going, err := crds.Going(t.Context(), newSite("hq"))
			if going != tc.going || (err != nil) != tc.wantErr {
				t.Errorf("Going = %v, %v; want %v, error %v", going, err, tc.going, tc.wantErr)
			}
			if tc.served && (crd != "sites.hoxtonai.dev" || !slices.Equal(asked, []string{"CustomResourceDefinition sites.hoxtonai.dev"})) {
				t.Errorf("CRD %q, reads %v; want one read of CustomResourceDefinition sites.hoxtonai.dev", crd, asked)
			}
		})
	}
}
